import { extname, normalize, resolve, sep } from 'node:path';

/** The renderer is served from app://utter/… (file:// cannot be cross-origin isolated). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'utter';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The strict CSP of every window; 'wasm-unsafe-eval' lets the decoders compile. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The MIME type of a served file; unknown endings are opaque bytes, never sniffed. */
export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Headers for every file — html, workers, worklet, wasm: cross-origin isolation
 * (SharedArrayBuffer needs it), the CSP, and no sniffing.
 */
export function responseHeaders(path: string): Record<string, string> {
  return {
    'Content-Type': mimeType(path),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
}

/**
 * Maps an app:// URL to a file under `root`, or null when it is not ours or would leave
 * the root (`..`, encoded `%2e%2e`, backslashes, NUL, another host).
 */
export function resolveAppPath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/');
  if (segments.includes('..')) return null;
  const base = resolve(root);
  const file = normalize(resolve(base, '.' + (path === '/' ? '/index.html' : path)));
  return file.startsWith(base + sep) ? file : null;
}

/** True when a real path (symlinks resolved) is still inside the real root. */
export function isInsideRoot(realRoot: string, realFile: string): boolean {
  return realFile.startsWith(resolve(realRoot) + sep);
}
