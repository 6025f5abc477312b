// The one limit on a text to speak, counted in bytes (UTF-8) at every door: the page, the
// app socket, the clipboard, files and the command line. 10 MB is days of speech.
export const MAX_TEXT_BYTES = 10_000_000;

/** The UTF-8 length of `text`, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Any character outside ASCII (a character class from U+0080 up). */
const NON_ASCII = /[\u0080-\uffff]/;

/** Why `text` is refused for its size, with the limit; null when it fits. */
export function textTooLong(text: string, what = 'The text'): string | null {
  // Each UTF-16 unit is at most 3 bytes and at least 1: most texts need no count at all,
  // and a long ASCII text (one native search) is its length.
  if (text.length * 3 <= MAX_TEXT_BYTES) return null;
  const bytes = text.length <= MAX_TEXT_BYTES && !NON_ASCII.test(text) ? text.length : utf8Length(text);
  if (bytes <= MAX_TEXT_BYTES) return null;
  return `${what} is too long to speak: ${bytes.toLocaleString('en-US')} bytes; the most is ${LIMIT_IN_WORDS}.`;
}

/** The limit as messages say it. */
export const LIMIT_IN_WORDS = `${MAX_TEXT_BYTES.toLocaleString('en-US')} bytes (${MAX_TEXT_BYTES / 1_000_000} MB)`;
