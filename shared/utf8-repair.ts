// UTF-8 text with a few bytes that are not UTF-8: a Latin-1 line pasted into a UTF-8 file, or
// a file appended to by two editors. Read whole as Windows-1252, every UTF-8 character in it
// would turn to mojibake ("Café" to "CafÃ©") for the sake of a byte or two.

/** Where the bytes are no UTF-8, and how many multi-byte UTF-8 characters they hold. */
interface Utf8Scan {
  /** Offsets of the bytes that start no well-formed UTF-8 sequence, in order. */
  invalid: number[];
  /** Runs of such bytes: "\xc0\xaf" is one place where the text is not UTF-8, "\xe9t\xe9" two. */
  invalidRuns: number;
  /** Well-formed sequences of two bytes or more that Windows-1252 text hardly forms by chance. */
  multiByte: number;
}

/** The length of the well-formed UTF-8 sequence at `i` (Unicode's table 3-7); 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  const cont = (k: number, low = 0x80, high = 0xbf): boolean => i + k < bytes.length && bytes[i + k] >= low && bytes[i + k] <= high;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const ok = b === 0xe0 ? cont(1, 0xa0) : b === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const ok = b === 0xf0 ? cont(1, 0x90) : b === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function scan(bytes: Uint8Array): Utf8Scan {
  const invalid: number[] = [];
  let invalidRuns = 0;
  let multiByte = 0;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      if (invalid.at(-1) !== i - 1) invalidRuns++;
      invalid.push(i);
      i++;
      continue;
    }
    // Leads C9–CB are É, Ê and Ë in Windows-1252, and before a quote, a dash or a no-break space
    // ("ÉTÉ\u00a0!") make IPA letters (U+0240–U+02FF) that text hardly holds: no proof of UTF-8.
    if (length > 1 && !(bytes[i] >= 0xc9 && bytes[i] <= 0xcb)) multiByte++;
    i += length;
  }
  return { invalid, invalidRuns, multiByte };
}

/**
 * The bytes read as UTF-8 with each byte that is no UTF-8 read as Windows-1252 on its own
 * ("\xe9t\xe9" is "été"), when they are UTF-8 text with a few such bytes: at least as many
 * UTF-8 characters of two bytes or more as places that are not UTF-8. Windows-1252 text forms
 * a UTF-8 character only by chance (a capital with an accent before a symbol: "Â£"), far less
 * often than it has accented letters that form none. Null when they are not so.
 */
export function mostlyUtf8(bytes: Uint8Array): string | null {
  const { invalid, invalidRuns, multiByte } = scan(bytes);
  return multiByte > 0 && multiByte >= invalidRuns ? repaired(bytes, invalid) : null;
}

/**
 * The bytes, whatever they hold, read as UTF-8 with each byte that is no UTF-8 read as
 * Windows-1252: what a UTF-8 BOM says the file was meant to be.
 */
export function utf8Repaired(bytes: Uint8Array): string {
  return repaired(bytes, scan(bytes).invalid);
}

/**
 * One rule for every byte that is no UTF-8, an overlong form too ("\xc0\xaf" is "À¯", never
 * "/"): it is read as Windows-1252, so no byte of the text is lost and a stray Latin-1 letter
 * is spoken as the letter it was. U+FFFD would be silent, and an overlong form is no more
 * likely to be a broken character than two Latin-1 ones.
 */
function repaired(bytes: Uint8Array, invalid: readonly number[]): string {
  const utf8 = new TextDecoder('utf-8');
  const cp1252 = new TextDecoder('windows-1252');
  const parts: string[] = [];
  let start = 0;
  for (const at of invalid) {
    parts.push(utf8.decode(bytes.subarray(start, at)), cp1252.decode(bytes.subarray(at, at + 1)));
    start = at + 1;
  }
  parts.push(utf8.decode(bytes.subarray(start)));
  return parts.join('');
}
