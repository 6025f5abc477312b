import { LIMIT_IN_WORDS, MAX_TEXT_BYTES, textTooLong } from './text-limit';

/**
 * A file to read aloud, by the rules every way in shares (dropped on the player, opened,
 * dropped on the tray): text only, within the one text limit, not empty. `read` is called
 * only when the size can fit (a UTF-16 file takes up to twice the bytes of its text).
 * Returns the text, or why the file is refused, naming it.
 */
export async function textToSpeak(name: string, size: number, read: () => Promise<Uint8Array>): Promise<{ text: string } | { refused: string }> {
  if (size > 2 * MAX_TEXT_BYTES + 2) return { refused: `${name} is too long to speak: ${size.toLocaleString('en-US')} bytes; the most is ${LIMIT_IN_WORDS}.` };
  try {
    const text = decodeTextFile(await read(), name);
    const refused = textTooLong(text, name);
    if (refused) return { refused };
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
