// Text files as editors save them: each is read as its text, or refused by name.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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

  it('reads UTF-16 without a BOM in scripts where neither byte of most characters is 0 (CJK), in either byte order', () => {
    const texts = [
      // Chinese on one line: a single NUL (一 is U+4E00), where NULs once had to fill one side.
      '你好世界，这是一个没有字节顺序标记的文件。',
      // No NUL at all: nothing but CJK characters and punctuation.
      '你好世界，这是没有字节顺序标记的文件。',
      '日本語のテキストです。\nこんにちは、世界！\n',
      '안녕하세요 세계. 이것은 시험입니다.\n',
      'Привет, мир. Это проверка.\n',
    ];
    for (const text of texts) {
      const le = Buffer.from(text, 'utf16le');
      expect(decodeTextFile(le, 'le.txt')).toBe(text);
      expect(decodeTextFile(Buffer.from(le).swap16(), 'be.txt')).toBe(text);
    }
  });

  it('keeps to Windows-1252 for text that UTF-16 would read as CJK, and refuses real binaries still', () => {
    // Read as UTF-16 big-endian, "Résumé" is three Han characters: nothing here is a byte 1252 text never holds.
    const cp1252 = (text: string): Buffer => Buffer.from(text, 'latin1');
    for (const text of ['Résumé', 'Ça va très bien, merci. À demain !\r\n', 'Größe: Übermaß ärgert Öl.\n']) expect(decodeTextFile(cp1252(text))).toBe(text);
    let seed = 7;
    const random = Buffer.from(Array.from({ length: 65536 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    const sine = Buffer.alloc(48_000);
    for (let i = 0; i < sine.length / 2; i++) sine.writeInt16LE(Math.round(12_000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)), 2 * i);
    const binaries = {
      node: readFileSync(process.execPath).subarray(0, 1 << 20),
      'text.gz': gzipSync(Buffer.from(prose())),
      random,
      'tone.pcm': sine,
    };
    for (const [name, bytes] of Object.entries(binaries)) expect(() => decodeTextFile(bytes, name), name).toThrow(`${name} is not a text file (it holds binary data).`);
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
    // Too short, or odd in length, to be UTF-16 whatever its first bytes read as.
    expect(() => decodeTextFile(Buffer.from([0, 1, 2]), 'c.bin')).toThrow(new NotTextError('c.bin is not a text file (it holds binary data).', true));
    // A few bytes read as UTF-16 are letters of several scripts ("ĀԄ"), not a word's one.
    expect(() => decodeTextFile(Buffer.from([0, 1, 2, 3]), 'e.bin')).toThrow(/e\.bin is not a text file/);
    expect(() => decodeTextFile(Buffer.from([0, 1, 2, 3, 4, 5]), 'f.bin')).toThrow(/f\.bin is not a text file/);
    // Text in its first 64 KB, not after: a binary with a readable header.
    const header = Buffer.from('\u4e01\u4e2d\u6587\u672c'.repeat(20_000), 'utf16le');
    expect(() => decodeTextFile(Buffer.concat([header, Buffer.from([0x00, 0xd8, 0x41, 0x00])]), 'd.bin')).toThrow(/d\.bin is not a text file/);
  });
});

/** Some kilobytes of prose, to compress. */
function prose(): string {
  return `${TEXT} `.repeat(200);
}
