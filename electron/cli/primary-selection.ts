// `utter speak --selection` on Linux: the PRIMARY selection (what is highlighted, never copied),
// read with whichever of xsel, xclip or wl-paste is installed. This is what a window manager's
// key binding runs, and it needs no Electron.
import { execFile } from 'node:child_process';

/** Runs a command and resolves to its standard output; rejects with its error (code, stderr). */
export type RunCommand = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => Promise<string>;

/** A PRIMARY reader: the command, and how it says "no selection" (exit 1 with this on stderr). */
interface Reader {
  command: readonly [string, ...string[]];
  empty: RegExp;
}

const X_READERS: Reader[] = [
  { command: ['xsel', '--output', '--primary'], empty: /^$/ },
  // xclip: "Error: target STRING not available" when nothing is selected.
  { command: ['xclip', '-o', '-selection', 'primary'], empty: /target \S+ not available/i },
];
// wl-paste: "No selection" (or "Nothing is copied" in older versions) when nothing is selected.
const WAYLAND_READER: Reader = { command: ['wl-paste', '--primary', '--no-newline'], empty: /no selection|nothing is copied/i };

/** Why PRIMARY could not be read: said to the user as is. */
export class SelectionUnavailable extends Error {}

/**
 * The PRIMARY selection's text ('' when nothing is selected). Under Wayland wl-paste comes
 * first (XWayland's PRIMARY holds only X applications' selections); xsel and xclip need DISPLAY.
 */
export async function readPrimarySelection(env: NodeJS.ProcessEnv, run: RunCommand = runCommand): Promise<string> {
  const readers = [...(env.WAYLAND_DISPLAY ? [WAYLAND_READER] : []), ...(env.DISPLAY ? X_READERS : [])];
  if (readers.length === 0) throw new SelectionUnavailable('there is no display to read the selection from (neither DISPLAY nor WAYLAND_DISPLAY is set)');
  const failures: string[] = [];
  for (const { command, empty } of readers) {
    const [file, ...args] = command;
    try {
      return await run(file, args, env);
    } catch (error) {
      const { code, stderr } = error as { code?: unknown; stderr?: string };
      if (code === 'ENOENT') continue;
      if (code === 1 && empty.test(String(stderr ?? '').trim())) return '';
      failures.push(`${file}: ${String(stderr ?? '').trim() || (error as Error).message}`);
    }
  }
  if (failures.length) throw new SelectionUnavailable(`the selection could not be read (${failures.join('; ')})`);
  const tools = readers.map((reader) => reader.command[0]).join(', ');
  throw new SelectionUnavailable(`reading the selection needs one of ${tools}: install one (Debian and Ubuntu: apt install ${env.WAYLAND_DISPLAY ? 'wl-clipboard' : 'xsel'})`);
}

/** execFile with a time limit: a selection owner that never answers must not hang the command. */
function runCommand(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: 3000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr }));
      else resolve(stdout);
    });
  });
}
