// The platform's copy keystroke, sent by a command, for when selection-hook is not there.
// The clipboard is saved and restored around it by selection-copy.ts.
import { execFile } from 'node:child_process';
import type { PressCopy } from './selection-copy';

/** A command and its arguments. */
export type Command = readonly [file: string, ...args: string[]];

/**
 * The command that presses copy in the focused application, or null where there is none.
 * xdotool's --clearmodifiers lifts the keys of the shortcut still held (Ctrl+Alt+A would
 * otherwise make Ctrl+Alt+C); System Events and SendKeys send theirs as given.
 */
export function copyKeystrokeCommand(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Command | null {
  if (platform === 'darwin') return ['osascript', '-e', 'tell application "System Events" to keystroke "c" using {command down}'];
  if (platform === 'win32') return ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', "(New-Object -ComObject WScript.Shell).SendKeys('^c')"];
  if (platform === 'linux' && env.DISPLAY) return ['xdotool', 'key', '--clearmodifiers', 'ctrl+c'];
  return null;
}

/** A PressCopy that runs `command` (killed when the copy is given up on); the text is then read from the clipboard. */
export function pressCopyWith(command: Command): PressCopy {
  const [file, ...args] = command;
  return (signal) =>
    new Promise((resolve, reject) => {
      execFile(file, args, { signal, timeout: 5000 }, (error) => {
        if (!error) return resolve(null);
        const code = (error as NodeJS.ErrnoException).code;
        reject(new Error(code === 'ENOENT' ? `${file} is not installed` : error.message));
      });
    });
}
