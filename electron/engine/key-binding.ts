// Where the API key may go. A key is sent only to the origins it was entered for, and never
// unencrypted to another machine: whoever can change the base URLs (a page, a program that
// edits settings.json) must not be able to collect it with the next request.
import { displayEndpoint } from '../../shared/endpoint-display';
import { learnSecrets } from './known-secrets';

/** scheme://host[:port] of a URL, lower-cased; null when it is not a URL. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return null;
  }
}

/** True for this computer: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The origins a key is bound to: those of the base URLs in use when it was entered or confirmed. */
export function originsOf(baseUrls: readonly string[]): string[] {
  return [...new Set(baseUrls.map(originOf).filter((origin): origin is string => origin !== null))];
}

/**
 * Whether the key may go to `baseUrl`. `boundTo` undefined: the key is bound to no origin
 * in particular (given on this run's command line or in UTTER_API_KEY), and only the
 * encryption rule applies.
 */
export function keyMayGoTo(baseUrl: string, boundTo: readonly string[] | undefined): { ok: true } | { ok: false; why: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { ok: false, why: `The API key is not sent to ${displayEndpoint(baseUrl)}: it is not a URL.` };
  }
  const origin = url.origin.toLowerCase();
  if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
    return { ok: false, why: `The API key is not sent to ${origin}: the connection is not encrypted. Use an https:// address in the Base URLs setting, or a server on this computer.` };
  }
  if (boundTo && !boundTo.includes(origin)) {
    const entered = boundTo.length ? boundTo.join(', ') : 'no server';
    return { ok: false, why: `The API key is not sent to ${origin}: it was entered for ${entered}. Enter the key again, or confirm it for this server, in the settings (API key).` };
  }
  return { ok: true };
}

/**
 * The key a request to `baseUrl` carries, or why it carries none: every request that may
 * carry the key (speech, voices, the provider check) takes it from here, so here the key and
 * the base URL's own secrets are learned, for no message to show them (known-secrets.ts).
 */
export function keyFor(baseUrl: string, apiKey: string | undefined, boundTo: readonly string[] | undefined): { key?: string; withheld?: string } {
  learnSecrets(apiKey, [baseUrl]);
  if (!apiKey) return {};
  const decision = keyMayGoTo(baseUrl, boundTo);
  return decision.ok ? { key: apiKey } : { withheld: decision.why };
}
