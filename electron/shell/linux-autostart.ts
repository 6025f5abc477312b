// Start at login on Linux, where Electron's setLoginItemSettings does nothing: an XDG
// autostart entry (freedesktop.org Desktop Application Autostart Specification).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from '../store/atomic-file';

/** ~/.config/autostart/utter.desktop, or under $XDG_CONFIG_HOME. */
export function autostartFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart', 'utter.desktop');
}

export function isAutostartEnabled(file = autostartFile()): boolean {
  return existsSync(file);
}

/** Adds or removes the entry; `command` is the app's executable (an AppImage's own path when there is one). */
export async function setAutostart(enabled: boolean, command: string, file = autostartFile()): Promise<void> {
  if (!enabled) return rm(file, { force: true });
  // Exec quoting per the Desktop Entry spec: the path in double quotes, with \, ", ` and $ escaped.
  const quoted = `"${command.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
  const entry = ['[Desktop Entry]', 'Type=Application', 'Name=Utter', 'Comment=Streaming text-to-speech in the tray', `Exec=${quoted} --hidden`, 'X-GNOME-Autostart-enabled=true', ''].join('\n');
  await writeFileAtomically(file, entry);
}
