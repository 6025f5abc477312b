import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readTextFilesFromDisk } from '../../electron/shell/text-files';

it('reads chosen files in order by the player rules, refusing the others by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'utter-files-'));
  writeFileSync(join(dir, 'a.txt'), '\ufeffWith a BOM.');
  writeFileSync(join(dir, 'b.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('UTF-16 text.', 'utf16le')]));
  writeFileSync(join(dir, 'c.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  writeFileSync(join(dir, 'd.txt'), Buffer.alloc(5 * 1024 * 1024 + 1, 0x41));
  const paths = ['a.txt', 'b.md', 'c.png', 'd.txt', 'missing.txt', ''].map((n) => join(dir, n));
  const { texts, errors } = await readTextFilesFromDisk(paths);
  expect(texts).toEqual(['With a BOM.', 'UTF-16 text.']);
  expect(errors).toEqual([
    'c.png is not a text file (it holds binary data).',
    'd.txt is too large to read aloud (5.0 MB; the most is 5 MB).',
    'missing.txt could not be read (ENOENT).',
    expect.stringMatching(/is not a file/),
  ]);
});
