import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** How much of a source too large is kept, to judge what it is. */
const HEAD_BYTES = 65536;

/** Thrown when a source holds more than was asked for; `head` is its first bytes. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
  constructor(
    most: number,
    readonly head: Uint8Array,
  ) {
    super(`more than ${most.toLocaleString('en-US')} bytes`);
  }
}

/**
 * Reads `source` whole, or stops past `most` bytes: a device (/dev/zero, /dev/urandom) or a
 * pipe that never ends must get an answer, not a hang that fills the memory.
 */
export async function readAtMost(source: AsyncIterable<Uint8Array>, most: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of source) {
    parts.push(part);
    size += part.length;
    if (size > most) throw new TooLargeError(most, Buffer.concat(parts).subarray(0, HEAD_BYTES));
  }
  return Buffer.concat(parts);
}

/** Reads a file, bounded (see readAtMost); a missing file throws as readFile does. */
export function readFileAtMost(path: string, most: number): Promise<Uint8Array> {
  return readAtMost(createReadStream(path), most);
}

/** A pipe, a device or a socket at `path`: reading it may wait for ever, and reads it once only. */
export async function isPipeOrDevice(path: string): Promise<boolean> {
  return stat(path).then(
    (found) => !found.isFile() && !found.isDirectory(),
    () => false,
  );
}
