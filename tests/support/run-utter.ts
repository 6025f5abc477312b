import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The `utter` command as npm installs it. */
export const UTTER_BIN = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'utter.mjs');

export interface UtterRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `utter` command as a user would, with only the environment given (a test's
 * HOME and settings, never the developer's), `input` on its standard input, else none.
 */
export function runUtter(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<UtterRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [UTTER_BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    // Utter stops reading an input past its limit: the rest meets a closed pipe, as in a shell.
    child.stdin!.on('error', () => {});
    child.stdin!.end(input);
  });
}
