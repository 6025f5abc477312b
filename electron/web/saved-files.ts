// `utter web`'s "Save audio…": the page cannot choose a path on this machine's disk, so the
// file is written to a private folder here and offered to the browser as a download.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAVE_EXTENSIONS, type SaveFormat } from '../../shared/save';
import type { SaveTarget } from '../save/save-jobs';

/** The saved files kept for downloading; older ones are deleted as new ones come. */
const KEEP = 4;
/** The URL path downloads are served under. */
export const SAVED_PATH = '/saved/';

const CONTENT_TYPES: Record<SaveFormat, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg; codecs=opus', wav: 'audio/wav' };

interface SavedFile {
  path: string;
  name: string;
  format: SaveFormat;
}

/** The files `utter web` saved, each behind a random id, until it closes. */
export class SavedFiles {
  private folder: Promise<string> | null = null;
  private readonly files = new Map<string, SavedFile>();

  /** Where the next save goes, and the link (with the page's token) to download it from. */
  async target(name: string, format: SaveFormat, token: string): Promise<SaveTarget> {
    const folder = await (this.folder ??= mkdtemp(join(tmpdir(), 'utter-web-saved-')));
    const id = randomBytes(16).toString('base64url');
    const path = join(folder, `${id}.${SAVE_EXTENSIONS[format][0]}`);
    this.files.set(id, { path, name, format });
    for (const [old, file] of [...this.files].slice(0, -KEEP)) {
      this.files.delete(old);
      await rm(file.path, { force: true });
    }
    return { path, name, format, overwrite: false, download: `${SAVED_PATH}${id}?token=${encodeURIComponent(token)}` };
  }

  /** Streams the file with `id` as an attachment; false when there is none (never saved, failed, or deleted). */
  async serve(id: string, res: ServerResponse, head: boolean): Promise<boolean> {
    const file = this.files.get(id);
    const size = file && (await stat(file.path).catch(() => null))?.size;
    if (!file || size === undefined || size === null) return false;
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[file.format],
      'Content-Length': String(size),
      'Content-Disposition': contentDisposition(file.name),
      'Cache-Control': 'no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    if (head) return void res.end(), true;
    createReadStream(file.path).on('error', () => res.destroy()).pipe(res);
    return true;
  }

  /** Deletes every saved file. */
  async close(): Promise<void> {
    this.files.clear();
    const folder = await this.folder?.catch(() => null);
    if (folder) await rm(folder, { recursive: true, force: true });
  }
}

/** `attachment` with an ASCII fallback name and the real one in RFC 5987 form. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
