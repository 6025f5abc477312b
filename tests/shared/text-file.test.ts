// Text files as editors save them: each is read as its text, or refused by name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeTextFile, NotTextError, textToSpeak } from '../../shared/text-file';

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

  it('reads a few kana, Hangul or letters of an alphabet as BOM-less UTF-16, in either byte order', () => {
    const texts = [
      // Every other byte is 0x30 ("0" in Windows-1252), the other no UTF-8: once "S0“0k0a0o0".
      'こんにちは',
      'カタカナ',
      'ありがとう',
      // Kanji beside kana.
      '日本語です',
      // Once "HÅU±".
      '안녕',
      '안녕하세요',
      // Every other byte a control code, and the whole valid UTF-8: once "\x1F\x04@\x04…".
      'Привет',
      'Да',
      'مرحبا',
      'สวัสดี',
      // Greek whose other bytes are Hangul's: "ναι" backwards is three syllables, of three blocks to Greek's one.
      'ναι',
      // A page of kana with no punctuation: as long as a file gets.
      'カタカナ'.repeat(2000),
    ];
    for (const text of texts) {
      const le = Buffer.from(text, 'utf16le');
      expect(decodeTextFile(le, 'le.txt'), text).toBe(text);
      expect(decodeTextFile(Buffer.from(le).swap16(), 'be.txt'), text).toBe(text);
    }
  });

  it('keeps short Windows-1252 and UTF-8 text as it is, whatever UTF-16 would read in it', () => {
    // Read as UTF-16, "ñoño" is two kanji, "ÉPÉE" and "ÉTÉS" two Hangul syllables, and "s’il" two kanji with no kana.
    for (const text of ['café', 'Résumé', 'ñoño', 'ÉPÉE', 'ÉTÉS', 'été!', 'Élan', 'año 2000', 'Größe', 'À 10:00', 's’il', 'l’an', '“Ja”']) {
      expect(decodeTextFile(windows1252(text)), text).toBe(text);
    }
    for (const text of ['こんにちは', 'カタカナ', '日本語です', '안녕하세요', 'Привет', 'Да']) expect(decodeTextFile(Buffer.from(text)), text).toBe(text);
  });

  it('refuses short binaries and random bytes still', () => {
    expect(() => decodeTextFile(Buffer.from([0, 1, 2, 3]), 'a.bin')).toThrow(/a\.bin is not a text file/);
    // A few 16-bit numbers, little-endian, as a binary holds them.
    expect(() => decodeTextFile(Buffer.from(new Uint16Array([0x3001, 0x3002, 0x3003, 0x0100]).buffer), 'b.bin')).toThrow(/b\.bin is not a text file/);
    let seed = 3;
    const random = (length: number): Buffer => Buffer.from(Array.from({ length }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    for (const length of [64, 256, 1024, 4096]) {
      for (let i = 0; i < 20; i++) expect(() => decodeTextFile(random(length), `${length}.bin`)).toThrow(`${length}.bin is not a text file (it holds binary data).`);
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

describe('UTF-8 with a few bytes that are not UTF-8 (a Latin-1 line pasted in)', () => {
  const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
  const utf8 = 'Café – the “best” one.\n';

  it('keeps the UTF-8 text and reads each stray byte as Windows-1252, with or without a BOM', () => {
    const mixed = Buffer.concat([Buffer.from(utf8), latin1('Stray byte: été.\n')]);
    expect(decodeTextFile(mixed)).toBe(`${utf8}Stray byte: été.\n`);
    expect(decodeTextFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), mixed]))).toBe(`${utf8}Stray byte: été.\n`);
    // One character longer, so that the length is even: UTF-16 is no better a reading.
    const even = Buffer.concat([Buffer.from(utf8), latin1('Stray bytes: été.\n')]);
    expect(decodeTextFile(even)).toBe(`${utf8}Stray bytes: été.\n`);
  });

  it('reads an overlong sequence as two Windows-1252 characters, never as the ASCII it hides', () => {
    expect(decodeTextFile(Buffer.from([...Buffer.from('Hello'), 0xc0, 0xaf, ...Buffer.from('world and café.')]))).toBe('HelloÀ¯world and café.');
  });

  it('keeps Windows-1252 text whole, where a capital with an accent before a symbol is UTF-8 by chance', () => {
    // "É" and a no-break space are C9 A0, a UTF-8 "ɠ"; "Â£" is C2 A3, a UTF-8 "£" outnumbered by the accents that are none.
    for (const text of ['ARRÊTÉ\u00a0!', 'Prix : 5 Â£, déjà payé à l’été.']) expect(decodeTextFile(windows1252(text)), text).toBe(text);
  });

  it('refuses a binary behind a UTF-8 BOM as binary', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))]);
    expect(() => decodeTextFile(bytes, 'x.bin')).toThrow(new NotTextError('x.bin is not a text file (it holds binary data).', true));
  });
});

describe('CJK text in the encoding Windows saved it in before UTF-8', () => {
  /** `text` encoded by iconv, a real encoder apart from the decoders read with. */
  const encoded = (text: string, encoding: string): Buffer => execFileSync('iconv', ['-f', 'UTF-8', '-t', encoding], { input: text });

  it.each([
    // Once read as BOM-less UTF-16: unrelated Han characters.
    ['こんにちは、世界。今日はいい天気ですね。', 'SHIFT_JIS'],
    ['吾輩は猫である。名前はまだ無い。', 'SHIFT_JIS'],
    ['吾輩は猫である。名前はまだ無い。', 'EUC-JP'],
    ['東京都は日本の首都です。\n人口は約千四百万人です。\n', 'EUC-JP'],
    ['你好，世界。今天天气很好。', 'GB18030'],
    ['我们今天去公园散步，天气非常好。', 'GB18030'],
    ['안녕하세요. 오늘은 날씨가 좋네요.', 'EUC-KR'],
    ['대한민국은 민주공화국이다. 모든 권력은 국민으로부터 나온다.', 'EUC-KR'],
    ['你好，世界。今天天氣很好。', 'BIG5'],
    ['臺灣的天氣很好，我們去公園散步。', 'BIG5'],
  ])('%s in %s is read as it was written', (text, encoding) => {
    expect(decodeTextFile(encoded(text, encoding))).toBe(text);
  });

  it('reads Japanese as mail sent it (ISO-2022-JP), and keeps a terminal log with colour escapes as it is', () => {
    for (const text of ['こんにちは、世界。今日はいい天気ですね。', 'Meeting at 3pm: 会議室Ａで。\nThanks!\n', '東京']) {
      expect(decodeTextFile(encoded(text, 'ISO-2022-JP')), text).toBe(text);
    }
    const log = 'Build \u001b[32mpassed\u001b[0m in 3 s.\n';
    expect(decodeTextFile(Buffer.from(log))).toBe(log);
    // An escape that is no valid ISO-2022-JP: read as the UTF-8 it is.
    const odd = 'price \u001b$B in text';
    expect(decodeTextFile(Buffer.from(odd))).toBe(odd);
  });

  it('keeps short Windows-1252 text as it is, whatever a CJK encoding would read in it', () => {
    for (const text of ['€100', 'Straße', 'Ñoño', '½ cup', 'ÀÉÎÕÜ', 'Æble og Øl på Ærø', '«ÉTÉ»', 'Größe: Übermaß ärgert Öl.']) {
      expect(decodeTextFile(encoded(text, 'CP1252')), text).toBe(text);
    }
  });
});

describe('UTF-32', () => {
  const text = 'Hello 😀 world.\n中文 and émoji.';
  const utf32 = (order: 'LE' | 'BE'): Buffer => execFileSync('iconv', ['-f', 'UTF-8', '-t', `UTF-32${order}`], { input: text });

  it('reads it with a BOM, in either byte order, though UTF-16LE has the same first two bytes', () => {
    expect(decodeTextFile(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32('LE')]))).toBe(text);
    expect(decodeTextFile(Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32('BE')]))).toBe(text);
  });

  it('refuses it without a BOM as UTF-32, not as binary, and a BOM before what is no UTF-32 as invalid', () => {
    for (const order of ['LE', 'BE'] as const) expect(() => decodeTextFile(utf32(order), 'x.txt')).toThrow(new NotTextError('x.txt looks like UTF-32 text: save it as UTF-8.'));
    expect(() => decodeTextFile(Buffer.from([0xff, 0xfe, 0, 0, 0x00, 0xd8, 0, 0]), 'y.txt')).toThrow(new NotTextError('y.txt is not valid UTF-32LE text.'));
    expect(() => decodeTextFile(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), 'z.bin')).toThrow(/z\.bin is not a text file/);
  });
});

describe('BOM-less UTF-16 of short CJK text, whose bytes read as ASCII or Windows-1252', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utter-text-files-'));
  /** `text` saved as a file in UTF-16 of that byte order, without a BOM, and opened as every way in opens a file. */
  async function savedAndOpened(text: string, order: 'le' | 'be'): Promise<string> {
    const le = Buffer.from(text, 'utf16le');
    const file = join(dir, `${order}-${[...text].length}.txt`);
    writeFileSync(file, order === 'le' ? le : Buffer.from(le).swap16());
    const opened = await textToSpeak('the file', statSync(file).size, () => readFile(file));
    return 'text' in opened ? opened.text : opened.refused;
  }

  it.each([
    // Bytes that are ASCII with no control code: "`O}Y".
    '你好',
    // Windows-1252 that spells no word: "-N‡e", "ºNãS", "ÖNìN".
    '中文',
    '人口',
    '他们',
    '谢谢',
    '中文文本',
    // ASCII with a control code in it: "\u0011b1r`O".
    '我爱你',
    '上海市',
    '学生',
    // Traditional characters, in common use by Big5.
    '中文測試檔案',
    // Two kana of the hiragana whose other byte is ASCII: every other byte "0" ("B0B0").
    'ああ',
    'かな',
    'ねこ',
    'はい',
    'ひと',
    // Kanji beside kana.
    '日本語',
    // Beside ASCII words and digits, short enough that their letters decide.
    '中文 OK',
    'Hello 世界',
    'iPhone 15 の使い方',
  ])('%s is read as it was written, little- and big-endian', async (text) => {
    expect(await savedAndOpened(text, 'le')).toBe(text);
    expect(await savedAndOpened(text, 'be')).toBe(text);
  });

  it('keeps ASCII that UTF-16 would read as kana with a small one out of place as it is: hex, codes', () => {
    // Once "ぁあ", "ああぃい" and "ぁあぃいぅう".
    for (const text of ['A0B0', 'B0B0C0D0', 'A0B0C0D0E0F0', 'C0D0']) expect(decodeTextFile(Buffer.from(text)), text).toBe(text);
  });

  it('keeps ASCII and Windows-1252 that UTF-16 would read as CJK as they are: words, names, code, numbers', () => {
    // Each was once read as CJK on the way to this rule: "on macOS" is 湯洠捡协, "0 keeps nothing)" 〠步数猠湯瑨楮朩.
    const texts = ['nice', 'onLate', 'iPhone', 'JavaScript', 'MP3s', 'A1B2', '1000', '2024', 'af_bella', '__init__', 'and/or', 'a[0]', 'b[0]', 'x[i]', 'f(x)', 'big-', 'web`', '`/audio`', 'errorCode(error:', 'on macOS', 'with 0', '0 keeps nothing)', 'café', 'l’an', 'Größe!'];
    for (const text of texts) expect(decodeTextFile(windows1252(text)), text).toBe(text);
  });
});

/** Text in Windows-1252, by the table the platform's own decoder reads it with. */
function windows1252(text: string): Buffer {
  const decoder = new TextDecoder('windows-1252');
  const byteOf = new Map(Array.from({ length: 256 }, (_, b) => [decoder.decode(Uint8Array.of(b)), b]));
  return Buffer.from([...text].map((ch) => byteOf.get(ch) ?? 0x3f));
}

/** Some kilobytes of prose, to compress. */
function prose(): string {
  return `${TEXT} `.repeat(200);
}
