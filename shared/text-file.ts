/** Files larger than this are refused: 5 MB of text is days of speech (issue 4 §4). */
export const MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024;

/** Why a file could not be read as text. */
export class NotTextError extends Error {
  override readonly name = 'NotTextError';
}

/**
 * Decodes a file's bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM.
 * A binary file (NUL bytes, invalid UTF-8) is refused with a message naming it.
 */
export function decodeTextFile(bytes: Uint8Array, name = 'the file'): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode('utf-8', bytes.subarray(3), name);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode('utf-16le', bytes.subarray(2), name);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode('utf-16be', bytes.subarray(2), name);
  // Text never holds NUL; binaries almost always do within their first kilobytes.
  if (bytes.subarray(0, 65536).includes(0)) throw new NotTextError(`${name} is not a text file (it holds binary data).`);
  return decode('utf-8', bytes, name);
}

function decode(encoding: string, bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new NotTextError(`${name} is not valid ${encoding.toUpperCase()} text.`);
  }
}
