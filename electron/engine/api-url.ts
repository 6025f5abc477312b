/**
 * The address of `path` (`/audio/speech`) under a base URL: the path goes after the base's
 * own path and before its query (`…/v1?api-version=1` asks `…/v1/audio/speech?api-version=1`).
 * Throws a TypeError when the base URL is not a web address.
 */
export function apiUrl(baseUrl: string, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  return url;
}
