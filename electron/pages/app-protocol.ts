// The pure half of the app:// protocol: URL → file, MIME types and headers. No electron
// import, so every rule here is unit-tested without the binary (tests/pages/app-protocol.test.ts).
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The renderer is served from app://utter/… (file:// cannot be cross-origin isolated). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'utter';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Options of {@link contentSecurityPolicy}. */
export interface CspOptions {
  /** A per-load nonce for inline scripts and styles; only the dev server uses one. */
  nonce?: string;
  /** For a `<meta>` tag, which cannot carry frame-ancestors (browsers ignore it there). */
  forMeta?: boolean;
}

/**
 * The strict CSP of every window. 'wasm-unsafe-eval' lets the decoders
 * compile WebAssembly; nothing else may run code that is not a file of our own origin.
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const nonce = options.nonce ? ` 'nonce-${options.nonce}'` : '';
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${nonce}`,
    "worker-src 'self'",
    `style-src 'self'${nonce}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(options.forMeta ? [] : ["frame-ancestors 'none'"]),
  ];
  return directives.join('; ');
}

/** The policy sent as a header with every app:// response. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The MIME type of a served file; unknown endings are opaque bytes, never sniffed. */
export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Headers for every file — html, workers, worklet, wasm: cross-origin isolation
 * (SharedArrayBuffer needs COOP + COEP on the document and every worker), CORP so our own
 * files pass require-corp, the CSP, and no sniffing.
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
 * Maps an app://utter/ URL to a file under `root`, or null when the URL is not ours or the
 * path would leave the root: `..` (also percent-encoded, also as `%2f`-joined segments),
 * backslashes, NUL bytes, malformed escapes, another host or scheme. Symlinks are the
 * caller's part: it compares real paths with {@link isInsideRoot}.
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
  if (path.split('/').some((segment) => segment === '..')) return null;
  if (path === '' || path === '/') path = '/index.html';
  const base = resolve(root);
  // Always relative to the root: a leading "//" or "/C:" cannot make it absolute.
  const file = resolve(base, '.' + path);
  return isInsideRoot(base, file) ? file : null;
}

/** True when `file` lies strictly inside `root` (compare real paths to catch symlinks). */
export function isInsideRoot(root: string, file: string): boolean {
  const rel = relative(resolve(root), resolve(file));
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + sep);
}
