// UTF-32, which TextDecoder does not read (the Encoding Standard leaves it out). Its BOM
// FF FE 00 00 begins with UTF-16LE's, so it is looked for first.

export type Utf32 = 'utf-32le' | 'utf-32be';

/** The UTF-32 byte order that the bytes' BOM names; null when they have none. */
export function utf32Bom(bytes: Uint8Array): Utf32 | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) return 'utf-32le';
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return 'utf-32be';
  return null;
}

/** The bytes read as UTF-32 in that order; null when they are not (a length that is no multiple of 4, a surrogate or a code point past U+10FFFF). */
export function utf32Text(bytes: Uint8Array, order: Utf32): string | null {
  if (bytes.length % 4 !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const code = view.getUint32(i, order === 'utf-32le');
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    chunk.push(code);
    // fromCodePoint takes its code points as arguments: a few thousand at a time.
    if (chunk.length === 4096) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCodePoint(...chunk));
  return parts.join('');
}

/**
 * True when the head, with no BOM, is UTF-32 of text: a length that is a multiple of 4, and
 * in one order every character a code point with no NUL, nor more than a stray control code.
 */
export function looksLikeUtf32(head: Uint8Array): boolean {
  if (head.length < 8 || head.length % 4 !== 0) return false;
  return (['utf-32le', 'utf-32be'] as const).some((order) => {
    const text = utf32Text(head, order);
    if (text === null || text.includes('\0')) return false;
    // eslint-disable-next-line no-control-regex
    const controls = text.match(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g)?.length ?? 0;
    return controls <= text.length * 0.01 && /\p{L}/u.test(text);
  });
}
