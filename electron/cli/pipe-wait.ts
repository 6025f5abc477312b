import { isPipeOrDevice } from '../engine/read-at-most';

/** How long a pipe may keep `utter` waiting before it says what it waits for. */
export const QUIET_WAIT_MS = 2000;

/**
 * Runs `read` of `path`; when the path is a pipe or a device and nothing has come within
 * `waitMs`, says so. Opening a pipe that no one writes to waits for ever, without a word.
 */
export async function sayWhileWaiting<T>(path: string, read: () => Promise<T>, say: (text: string) => void, waitMs = QUIET_WAIT_MS): Promise<T> {
  if (!(await isPipeOrDevice(path))) return read();
  const timer = setTimeout(() => say(`utter: waiting for ${path} (a pipe or a device that nothing has written to yet)…\n`), waitMs);
  try {
    return await read();
  } finally {
    clearTimeout(timer);
  }
}
