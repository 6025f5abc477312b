import { constants } from 'node:fs';
import { copyFile } from 'node:fs/promises';

/**
 * Copies a file that could not be used, byte for byte, to `<file>.bad-<time>` under a name
 * that never overwrites another; or says why it could not.
 */
export async function keepBadFile(file: string): Promise<{ ok: true; file: string } | { ok: false; why: string }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let attempt = 0; ; attempt++) {
    const backup = `${file}.bad-${stamp}${attempt ? `-${attempt}` : ''}`;
    try {
      await copyFile(file, backup, constants.COPYFILE_EXCL);
      return { ok: true, file: backup };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' || attempt >= 100) return { ok: false, why: code ?? (error as Error).message };
    }
  }
}
