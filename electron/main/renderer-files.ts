// The app:// protocol's handler: out/renderer, with the isolation headers and the CSP on
// every file (app-protocol.ts holds the rules and their tests).
import { realpath, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { net } from 'electron';
import { isInsideRoot, resolveAppPath, responseHeaders } from './app-protocol';

const notFound = (): Response => new Response('Not found', { status: 404 });

/** A protocol.handle handler serving the files under `root`. */
export function rendererFileHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405 });
    const file = resolveAppPath(root, request.url);
    if (!file) return notFound();
    try {
      // A symlink must not lead out of the renderer folder, and a folder is not a page.
      // (Electron's fs reads app.asar as a folder, so this works packaged too.)
      if (!isInsideRoot(await realpath(root), await realpath(file))) return notFound();
      if (!(await stat(file)).isFile()) return notFound();
      const response = await net.fetch(pathToFileURL(file).toString());
      return new Response(request.method === 'HEAD' ? null : response.body, {
        status: response.status,
        headers: responseHeaders(file),
      });
    } catch {
      return notFound();
    }
  };
}
