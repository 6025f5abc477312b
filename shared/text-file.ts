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
  /** True when the bytes are no text at all (not merely invalid in their encoding). */
  constructor(
    message: string,
    readonly binary = false,
  ) {
    super(message);
  }
}

/**
 * Decodes a file's bytes as text, as editors guess it: UTF-8 (with or without BOM), UTF-16
 * with a BOM or without one (then every other byte of Latin text is NUL), and Windows-1252
 * for text that is not UTF-8 (what Notepad saved for years). Bytes that are none of these
 * (NULs elsewhere, control codes) are refused with a message naming the file.
 */
export function decodeTextFile(bytes: Uint8Array, name = 'the file'): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode('utf-8', bytes.subarray(3), name);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode('utf-16le', bytes.subarray(2), name);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode('utf-16be', bytes.subarray(2), name);
  const head = bytes.subarray(0, 65536);
  // Text never holds NUL but as half of a UTF-16 character; binaries almost always do within their first kilobytes.
  if (head.includes(0)) {
    const utf16 = utf16WithoutBom(head);
    if (utf16) return decode(utf16, bytes, name);
    throw binary(name);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (controlShare(head) > 0.01) throw binary(name);
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function binary(name: string): NotTextError {
  return new NotTextError(`${name} is not a text file (it holds binary data).`, true);
}

/** 'utf-16le' or 'utf-16be' when NULs fall on one side of nearly every pair, as in Latin UTF-16 text. */
function utf16WithoutBom(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const pairs = head.length >> 1;
  if (pairs < 2) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.9 && evenNul === 0) return 'utf-16le';
  if (evenNul >= pairs * 0.9 && oddNul === 0) return 'utf-16be';
  return null;
}

/** The share of bytes that are control codes no text file holds (tab, line and page breaks aside). */
function controlShare(head: Uint8Array): number {
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) control++;
  return control / Math.max(1, head.length);
}

function decode(encoding: string, bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new NotTextError(`${name} is not valid ${encoding.toUpperCase()} text.`);
  }
}
