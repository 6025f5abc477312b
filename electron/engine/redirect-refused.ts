import { displayEndpoint } from '../../shared/endpoint-display';
import { apiUrl } from './api-url';
import { oneLine } from './bounded-answers';
import { SpeechError } from './errors';

/** A Location past this is cut: it is read in a terminal line or a notice. */
const MOST_LOCATION_CHARS = 200;

/**
 * A redirect answered to a request for `path` (`/audio/speech`) under `url`, as the failure it
 * is: requests are not redirected (fetch would turn a 301's or 302's POST into a GET, and
 * carry the key wherever the server points), so the user is told where it points instead.
 * Asking again gets the same answer; another server in the failover list may do better.
 */
export function redirectRefused(status: number, location: string | null | undefined, url: string, path: string): SpeechError {
  const endpoint = displayEndpoint(url);
  // The Location often keeps the query asked, key and all: it is shown as a base URL is.
  const fail = (message: string): SpeechError => new SpeechError('network', message, { endpoint, status, lasting: true });
  if (!location?.trim()) return fail(`${endpoint} answered with a redirect (${status}) without saying where to.`);
  const asked = apiUrl(url, path);
  let target: URL;
  try {
    target = new URL(location, asked);
  } catch {
    return fail(`${endpoint} answered with a redirect to "${oneLine(displayEndpoint(location), MOST_LOCATION_CHARS)}", which is not a web address.`);
  }
  if (target.href === asked.href) return fail(`${endpoint} answered with a redirect to the same address, a loop.`);
  const where = oneLine(displayEndpoint(target.href), MOST_LOCATION_CHARS);
  // A target that keeps the API path names the base URL to set.
  const base = target.pathname.endsWith(path) ? oneLine(displayEndpoint(`${target.origin}${target.pathname.slice(0, -path.length)}${target.search}`), MOST_LOCATION_CHARS) : 'where it points';
  return fail(`${endpoint} answered with a redirect to ${where}: set the base URL to ${base}.`);
}
