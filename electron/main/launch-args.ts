// What a launch of the app asks for, from its command line: the first launch's, or a second
// launch's that Electron hands to the running app ('second-instance').
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export interface LaunchRequest {
  /** Started at login: stay in the tray. */
  hidden: boolean;
  /** `utter --speak-clipboard`: what a desktop shortcut can run where global hotkeys are not possible (Wayland without the portal). */
  speakClipboard: boolean;
  /** Text files to read aloud ("Open with Utter"), absolute, in order. */
  files: string[];
}

/**
 * Reads a command line. Arguments that name an existing file are files to read: that
 * skips the executable, the app folder `electron .` passes in development, and whatever
 * switches Chromium adds, with no need to know which of them are there.
 */
export function parseLaunchArgs(argv: readonly string[], cwd: string): LaunchRequest {
  const args = argv.slice(1);
  const files = args
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => resolve(cwd, arg))
    .filter((path) => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    });
  return { hidden: args.includes('--hidden'), speakClipboard: args.includes('--speak-clipboard'), files };
}
