import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTextSource } from '../../electron/cli/read-text';
import { readAtMost, TooLargeError } from '../../electron/engine/read-at-most';
import { NotTextError } from '../../shared/text-file';

/** A source that never ends, as /dev/zero or `yes` piped in; counts what was taken. */
function endless(piece: Uint8Array): { source: AsyncIterable<Uint8Array>; taken: () => number } {
  let taken = 0;
  return {
    source: (async function* () {
      for (;;) {
        taken += piece.length;
        yield piece;
      }
    })(),
    taken: () => taken,
  };
}

describe('reading a source that may never end', () => {
  it('stops past the most asked for, keeping the head to judge it by', async () => {
    const { source, taken } = endless(new TextEncoder().encode('abc '.repeat(1024)));
    const error = await readAtMost(source, 100_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect(taken()).toBeLessThan(100_000 + 4096 + 1);
    expect(new TextDecoder().decode((error as TooLargeError).head.subarray(0, 8))).toBe('abc abc ');
  });

  it('reads a finite source whole', async () => {
    const parts = [new Uint8Array([104, 105]), new Uint8Array([33])];
    expect([...(await readAtMost((async function* () { yield* parts; })(), 3))]).toEqual([104, 105, 33]);
  });

  it('calls endless zeros binary and endless text too long', async () => {
    const zeros = await readTextSource(endless(new Uint8Array(65536)).source, '/dev/zero').catch((e: unknown) => e);
    expect(zeros).toBeInstanceOf(NotTextError);
    expect((zeros as Error).message).toBe('/dev/zero is not a text file (it holds binary data).');
    const text = await readTextSource(endless(new TextEncoder().encode('word '.repeat(13_000))).source, 'standard input').catch((e: unknown) => e);
    expect(text).toBeInstanceOf(NotTextError);
    expect((text as Error).message).toMatch(/^standard input is too long to speak: the most is 10,000,000 bytes/);
  });
});

describe('reading a file as the CLI does', () => {
  it('reads a UTF-16 file without a BOM holding CJK text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-read-text-'));
    const text = '你好世界，这是一个没有字节顺序标记的文件。';
    writeFileSync(join(dir, 'cjk.txt'), Buffer.from(text, 'utf16le'));
    expect(await readTextSource(createReadStream(join(dir, 'cjk.txt')), 'cjk.txt')).toBe(text);
  });

  it('refuses an empty file, or one of white space, by its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-read-text-'));
    for (const [name, bytes] of [['empty.txt', ''], ['blank.txt', ' \n\t\r\n']]) {
      writeFileSync(join(dir, name), bytes);
      const error = await readTextSource(createReadStream(join(dir, name)), join(dir, name)).catch((e: unknown) => e);
      expect(error).toEqual(new NotTextError(`${join(dir, name)} is empty.`));
    }
  });

  it('refuses by its name a file whose text is over the limit in UTF-8, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-read-text-'));
    // 3.5 MB of "€" in Windows-1252 (0x80): 10.5 MB in UTF-8, the size it is spoken and handed on in.
    writeFileSync(join(dir, 'euro.txt'), Buffer.alloc(3_500_000, 0x80));
    const error = await readTextSource(createReadStream(join(dir, 'euro.txt')), 'euro.txt').catch((e: unknown) => e);
    expect(error).toEqual(new NotTextError('euro.txt is too long to speak: its text is 10,500,000 bytes in UTF-8; the most is 10,000,000 bytes (10 MB).'));
  });

  it("reads an HTML file's text, not its markup", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-read-text-'));
    writeFileSync(join(dir, 'page.html'), '<html><head><title>T</title><style>body{}</style><script>var x=1;</script></head><body><p>Hello <b>web</b> page.</p></body></html>');
    expect(await readTextSource(createReadStream(join(dir, 'page.html')), join(dir, 'page.html'))).toBe('Hello web page.');
  });
});
