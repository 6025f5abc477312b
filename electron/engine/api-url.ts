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
 * A base URL as the openai SDK takes it, with the fetch it asks through. The SDK appends a path
 * to the base URL's text, after any query (`…/v1?api-version=1/audio/speech`), and its own
 * query option keeps one value a key (`?a=1&a=2` would ask `?a=2`): so the query goes apart,
 * and the fetch puts it back, as written, on every request.
 */
export function sdkBaseUrl(baseUrl: string, fetch: typeof globalThis.fetch): { baseURL: string; fetch: typeof globalThis.fetch } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { baseURL: baseUrl, fetch };
  }
  if (!baseUrl.includes('?') && !url.hash) return { baseURL: baseUrl, fetch };
  const query = url.search;
  url.search = '';
  // A fragment never goes to a server (the settings refuse one).
  url.hash = '';
  return { baseURL: url.href.replace(/\/+$/, ''), fetch: query ? withQuery(fetch, query) : fetch };
}

/** `fetch` with `query` (`?a=1&a=2`) put before any query a request has of its own. */
function withQuery(fetch: typeof globalThis.fetch, query: string): typeof globalThis.fetch {
  return (input, init) => {
    if (typeof input !== 'string' && !(input instanceof URL)) return fetch(input, init);
    const url = new URL(input);
    url.search = url.search ? `${query}&${url.search.slice(1)}` : query;
    return fetch(url.href, init);
  };
}
