import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `utter web`'s first start: the welcome shows until it is finished, which writes the
 * marker file so that it does not show again. No marker: never (there were settings).
 */
export function welcomeState(marker: string | undefined, warn: (message: string) => void): { readonly pending: boolean; finish(): void } {
  let pending = marker !== undefined && !existsSync(marker);
  return {
    get pending() {
      return pending;
    },
    finish() {
      if (!pending || marker === undefined) return;
      pending = false;
      mkdir(dirname(marker), { recursive: true })
        .then(() => writeFile(marker, `${new Date().toISOString()}\n`))
        .catch((error: Error) => warn(`the welcome will show again: ${error.message}`));
    },
  };
}
