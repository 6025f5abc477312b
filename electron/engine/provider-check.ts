// Whether the configured provider can speak now, found with the cheapest request an
// OpenAI-compatible server answers (its model list), so the settings can say so before
// the user presses Speak.
import type { Settings } from '../../shared/config/schema';
import { displayEndpoint } from '../../shared/endpoint-display';
import type { ProviderStatus } from '../../shared/renderer-api';
import { apiUrl } from './api-url';
import { keyFor } from './key-binding';
import { hideSecrets } from './known-secrets';
import { endpointName } from './providers/openai';
import { redirectRefused } from './redirect-refused';
import { errorCode, whyUnreachable } from './unreachable';

/** How long the server may take to answer the check. */
export const PROVIDER_CHECK_TIMEOUT_MS = 2000;

/** fetch, or a stand-in. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * One GET of `{first base URL}/models`, with the key when the key may go there. Never throws:
 * a server that cannot be reached, or fails, is an answer too.
 */
export async function providerStatus(
  settings: Pick<Settings, 'provider' | 'baseUrls' | 'apiKey' | 'apiKeyOrigins'>,
  options: { timeoutMs?: number; fetch?: Fetch } = {},
): Promise<ProviderStatus> {
  if (settings.provider === 'local') return { status: 'offline-voice', detail: 'The embedded voice needs no server: it is always ready.' };
  const baseUrl = endpointName(settings.baseUrls[0] ?? '');
  let url: URL;
  try {
    url = apiUrl(baseUrl, '/models');
  } catch {
    return { status: 'unreachable', detail: `The base URL "${displayEndpoint(baseUrl)}" is not a web address.` };
  }
  const where = url.host;
  const timeoutMs = options.timeoutMs ?? PROVIDER_CHECK_TIMEOUT_MS;
  // The same rule as every speech request: a key goes only where it was entered for, encrypted.
  const { key, withheld } = keyFor(baseUrl, settings.apiKey, settings.apiKeyOrigins);
  let status: number;
  let location: string | null;
  let webPage = false;
  try {
    const response = await (options.fetch ?? fetch)(url.href, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect could carry the request, and its key, to another host.
      redirect: 'manual',
    });
    status = response.status;
    location = response.headers.get('location');
    webPage = status >= 200 && status < 300 && (await isWebPage(response));
    await response.body?.cancel().catch(() => {});
  } catch (error) {
    return { status: 'unreachable', detail: describeFailure(error, url, timeoutMs) };
  }
  // A captive portal, a proxy's sign-in or a web app answers 200 to every path: no speech comes of it.
  if (webPage) {
    return { status: 'unreachable', httpStatus: status, detail: `${where} answers with a web page, not the API's list of models: a sign-in page (a Wi-Fi portal or a proxy), or a base URL that misses the API's path (…/v1).` };
  }
  if (status === 401 || status === 403) {
    const detail = withheld ?? (key ? `${where} refused the API key (HTTP ${status}).` : `${where} wants an API key (HTTP ${status}): enter one in the settings.`);
    return { status: 'key-refused', httpStatus: status, detail };
  }
  // Speech requests follow no redirect either: said as speaking would say it, not "answers".
  if (status >= 300 && status < 400) return { status: 'unreachable', httpStatus: status, detail: redirectRefused(status, location, baseUrl, '/models').message };
  if (status >= 500) return { status: 'unreachable', httpStatus: status, detail: `${where} answers, but fails (HTTP ${status}): its own logs say why.` };
  if (status >= 200 && status < 300) return { status: 'reachable', httpStatus: status, detail: key ? `${where} answers and accepts the API key.` : `${where} answers.` };
  // Many speech servers have no model list: the server is up all the same.
  if (status === 404 || status === 405) return { status: 'reachable', httpStatus: status, detail: `${where} answers (it has no model list to check the key against).` };
  return { status: 'reachable', httpStatus: status, detail: `${where} answers, with HTTP ${status} to ${displayEndpoint(url.pathname)}.` };
}

/**
 * An HTML page where the API's JSON belongs, told by its type or, untyped, by its first
 * bytes (only the first chunk is read: a model list can be large).
 */
async function isWebPage(response: Response): Promise<boolean> {
  const type = response.headers.get('content-type')?.toLowerCase() ?? '';
  if (type.includes('json')) return false;
  if (type.includes('html')) return true;
  const reader = response.body?.getReader();
  if (!reader) return false;
  try {
    const { value } = await reader.read();
    const start = value ? new TextDecoder().decode(value.subarray(0, 512)).trimStart().toLowerCase() : '';
    return start.startsWith('<!doctype html') || start.startsWith('<html');
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** A failed request in plain words. */
function describeFailure(error: unknown, url: URL, timeoutMs: number): string {
  const where = url.host;
  if ((error as Error)?.name === 'TimeoutError') return `${where} did not answer within ${timeoutMs / 1000} s.`;
  return whyUnreachable(error, where, url) ?? `Cannot reach ${where}: ${errorCode(error) ?? hideSecrets((error as Error)?.message ?? String(error))}.`;
}
