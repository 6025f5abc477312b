// What a launch of the app asks for, from its command line: the first launch's, or a second
// launch's that Electron hands to the running app ('second-instance').
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export interface LaunchRequest {
  /** Started at login: stay in the tray. */
  hidden: boolean;
  /** `utter --speak-clipboard`: what a desktop shortcut can run where global hotkeys are not possible (Wayland without the portal). */
  speakClipboard: boolean;
  /** `utter --speak-selection`: the same for Speak selection. */
  speakSelection: boolean;
  /** Text files to read aloud ("Open with Utter"), absolute, in order. */
  files: string[];
  /** Paths given that do not exist: the user is told, not left wondering. */
  missing: string[];
}

/**
 * Reads a command line. Arguments that name an existing file are files to read; a folder
 * is passed over, and so are switches, whatever Chromium adds. An argument that names
 * nothing is reported as missing. `defaultApp` is Electron's process.defaultApp: started
 * as `electron <app>` (development), argv[1] is the app itself, not a file to read.
 */
export function parseLaunchArgs(argv: readonly string[], cwd: string, defaultApp = false): LaunchRequest {
  const args = argv.slice(defaultApp ? 2 : 1);
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args.filter((a) => !a.startsWith('-'))) {
    const path = resolve(cwd, arg);
    try {
      if (statSync(path).isFile()) files.push(path);
    } catch {
      missing.push(path);
    }
  }
  return {
    hidden: args.includes('--hidden'),
    speakClipboard: args.includes('--speak-clipboard'),
    speakSelection: args.includes('--speak-selection'),
    files,
    missing,
  };
}
