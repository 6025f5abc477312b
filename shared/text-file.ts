/** Files larger than this are refused: 5 MB of text is days of speech. */
export const MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024;

/**
 * A file to read aloud, by the rules every way in shares (dropped on the player, opened,
 * dropped on the tray): text only, up to 5 MB, not empty. `read` is called only when the
 * size is acceptable. Returns the text, or why the file is refused, naming it.
 */
export async function textToSpeak(name: string, size: number, read: () => Promise<Uint8Array>): Promise<{ text: string } | { refused: string }> {
  if (size > MAX_TEXT_FILE_BYTES) return { refused: `${name} is too large to read aloud (${(size / 1024 / 1024).toFixed(1)} MB; the most is 5 MB).` };
  try {
    const text = decodeTextFile(await read(), name);
    return text.trim() ? { text } : { refused: `${name} is empty.` };
  } catch (error) {
    if (error instanceof NotTextError) return { refused: error.message };
    const code = (error as { code?: string }).code;
    return { refused: `${name} could not be read (${code ?? (error as Error).message}).` };
  }
}

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
