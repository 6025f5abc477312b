import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeTextFile, MAX_TEXT_FILE_BYTES, NotTextError } from '../../shared/text-file';

/**
 * Reads files chosen with "Open file…" or dropped on the tray, in order, by the same rules
 * as files dropped on the player: text only, up to 5 MB; the others are refused by name.
 */
export async function readTextFilesFromDisk(paths: readonly string[]): Promise<{ texts: string[]; errors: string[] }> {
  const texts: string[] = [];
  const errors: string[] = [];
  for (const path of paths) {
    const name = basename(path);
    try {
      const info = await stat(path);
      if (!info.isFile()) errors.push(`${name} is not a file.`);
      else if (info.size > MAX_TEXT_FILE_BYTES) errors.push(`${name} is too large to read aloud (${(info.size / 1024 / 1024).toFixed(1)} MB; the most is 5 MB).`);
      else {
        const text = decodeTextFile(await readFile(path), name);
        if (text.trim()) texts.push(text);
        else errors.push(`${name} is empty.`);
      }
    } catch (error) {
      errors.push(error instanceof NotTextError ? error.message : `${name} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
    }
  }
  return { texts, errors };
}
