// Text files as editors save them: each is read as its text, or refused by name.
import { describe, expect, it } from 'vitest';
import { decodeTextFile, NotTextError } from '../../shared/text-file';

const TEXT = 'Café au lait, naïve “quotes” — 5 €.\nSecond line.';

describe('decodeTextFile', () => {
  it('reads UTF-8 with and without a BOM, and UTF-16 with a BOM', () => {
    expect(decodeTextFile(Buffer.from(TEXT))).toBe(TEXT);
    expect(decodeTextFile(Buffer.from(`\ufeff${TEXT}`))).toBe(TEXT);
    expect(decodeTextFile(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]))).toBe(TEXT);
  });

  it('reads UTF-16 without a BOM, little- and big-endian', () => {
    const le = Buffer.from(TEXT, 'utf16le');
    expect(decodeTextFile(le)).toBe(TEXT);
    expect(decodeTextFile(Buffer.from(le).swap16())).toBe(TEXT);
  });

  it('reads Windows-1252 (what Notepad saved), which is not UTF-8', () => {
    // "Café — 5 €" in Windows-1252: é 0xE9, em dash 0x97, euro 0x80.
    const cp1252 = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x97, 0x20, 0x35, 0x20, 0x80]);
    expect(decodeTextFile(cp1252)).toBe('Café — 5 €');
  });

  it('refuses binary by name: NULs that are not UTF-16, or control codes', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(() => decodeTextFile(png, 'a.png')).toThrow(new NotTextError('a.png is not a text file (it holds binary data).', true));
    // No NUL, not UTF-8, and full of control codes: a binary, not Windows-1252 text.
    const noNul = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 1) % 255 + 1));
    expect(() => decodeTextFile(noNul, 'b.bin')).toThrow(/b\.bin is not a text file/);
  });
});
