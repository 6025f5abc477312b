import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readTextFilesFromDisk } from '../../electron/shell/text-files';

it('reads chosen files in order by the player rules, refusing the others by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'utter-files-'));
  writeFileSync(join(dir, 'a.txt'), '\ufeffWith a BOM.');
  writeFileSync(join(dir, 'b.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('UTF-16 text.', 'utf16le')]));
  // UTF-16 without a BOM, in Chinese: few NULs, on no side in particular.
  writeFileSync(join(dir, 'b2.txt'), Buffer.from('这是一个文件。', 'utf16le'));
  writeFileSync(join(dir, 'c.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  // Over the one limit by a byte; and a file that fits on disk but whose text does not.
  writeFileSync(join(dir, 'd.txt'), Buffer.alloc(10_000_001, 0x41));
  writeFileSync(join(dir, 'e.txt'), Buffer.from('é'.repeat(5_000_001)));
  const paths = ['a.txt', 'b.md', 'b2.txt', 'c.png', 'd.txt', 'e.txt', 'missing.txt', ''].map((n) => join(dir, n));
  const { texts, errors } = await readTextFilesFromDisk(paths);
  expect(texts).toEqual(['With a BOM.', 'UTF-16 text.', '这是一个文件。']);
  expect(errors).toEqual([
    'c.png is not a text file (it holds binary data).',
    'd.txt is too long to speak: its text is 10,000,001 bytes in UTF-8; the most is 10,000,000 bytes (10 MB).',
    'e.txt is too long to speak: its text is 10,000,002 bytes in UTF-8; the most is 10,000,000 bytes (10 MB).',
    'missing.txt could not be read (ENOENT).',
    expect.stringMatching(/is not a file/),
  ]);
});
