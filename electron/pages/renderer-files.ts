// The app:// protocol's handler, which `utter web` serves through too: out/renderer, with
// the isolation headers and the CSP on every file (app-protocol.ts holds the rules and their tests).
import { readFile, realpath, stat } from 'node:fs/promises';
import { isInsideRoot, resolveAppPath, responseHeaders } from './app-protocol';

const notFound = (): Response => new Response('Not found', { status: 404 });

/**
 * A protocol.handle handler serving the files under `root`. Files are read with fs
 * (Electron's fs reads inside app.asar), not fetched as file:// URLs, so the app needs no
 * file:// privileges at all and ships with that fuse off (electron-builder.yml).
 */
export function rendererFileHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405 });
    const file = resolveAppPath(root, request.url);
    if (!file) return notFound();
    try {
      // A symlink must not lead out of the renderer folder, and a folder is not a page.
      if (!isInsideRoot(await realpath(root), await realpath(file))) return notFound();
      const info = await stat(file);
      if (!info.isFile()) return notFound();
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
      return new Response(body, { status: 200, headers: { ...responseHeaders(file), 'Content-Length': String(info.size) } });
    } catch {
      return notFound();
    }
  };
}
