import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { textToSpeak } from '../../shared/text-file';

/**
 * Reads files chosen with "Open file…" or dropped on the tray, in order, by the same rules
 * as files dropped on the player (shared/text-file.ts).
 */
export async function readTextFilesFromDisk(paths: readonly string[]): Promise<{ texts: string[]; errors: string[] }> {
  const texts: string[] = [];
  const errors: string[] = [];
  for (const path of paths) {
    const name = basename(path);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      errors.push(`${name} could not be read (${info.code ?? info.message}).`);
      continue;
    }
    if (!info.isFile()) {
      errors.push(`${name} is not a file.`);
      continue;
    }
    const outcome = await textToSpeak(name, info.size, () => readFile(path));
    if ('text' in outcome) texts.push(outcome.text);
    else errors.push(outcome.refused);
  }
  return { texts, errors };
}
