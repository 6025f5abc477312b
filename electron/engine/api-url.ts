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

/**
 * A base URL as the openai SDK takes it: the SDK appends a path to the base URL's text, after
 * any query (`…/v1?api-version=1/audio/speech`), so the query goes apart, sent with every request.
 */
export function sdkBaseUrl(baseUrl: string): { baseURL: string; defaultQuery?: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { baseURL: baseUrl };
  }
  if (!url.search && !url.hash) return { baseURL: baseUrl };
  const defaultQuery = url.search ? Object.fromEntries(url.searchParams) : undefined;
  url.search = '';
  // A fragment never goes to a server (the settings refuse one).
  url.hash = '';
  return { baseURL: url.href.replace(/\/+$/, ''), defaultQuery };
}
