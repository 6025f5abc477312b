// How a base URL is shown to a person: some servers take their key in the URL (`?key=…`,
// `user:pass@`), and a message, a notice or a diagnose report is read, pasted and shared.
// Requests use the URL as written; only what is shown goes through here.

/** What a hidden value is shown as. */
const HIDDEN = '***';

/**
 * Query names whose values are shown. Every other value is hidden: names for a secret vary too
 * much from server to server (`key`, `api_key`, `token`, `sig`, `code`, `x-goog-api-key`…) for a
 * list of secret names to be safe, and hiding a harmless value costs only a little detail.
 */
const SHOWN_QUERY_NAMES = new Set(['api-version', 'version', 'model', 'deployment', 'format', 'lang', 'language', 'locale', 'voice', 'region']);

/**
 * A URL with a scheme, within text; its last character is not a sentence's punctuation. The
 * scheme's length is bounded: unbounded, a megabyte of letters was tried from each of its
 * letters in turn (minutes for one message).
 */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]{0,31}:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)\]]/gi;

/**
 * A base URL as shown: a password in it as `user:***@` (a user name alone, which may be a token,
 * as `***@`), and each query value as `name=***` unless its name is known to be harmless
 * (`api-version=2024-06-01` stays). Works on text that is not a valid URL too, and on its own
 * output (hiding twice changes nothing).
 */
export function displayEndpoint(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/i, (_, scheme: string, userinfo: string) => `${scheme}${hiddenUserinfo(userinfo)}@`)
    .replace(/\?([^#\s]*)/, (_, query: string) => `?${hiddenQuery(query)}`);
}

/** `text` (an error's message, a redirect's Location) with every URL in it shown as `displayEndpoint` shows it. */
export function hideUrlSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, displayEndpoint);
}

function hiddenUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  return colon < 0 ? HIDDEN : `${userinfo.slice(0, colon)}:${HIDDEN}`;
}

function hiddenQuery(query: string): string {
  return query
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      // A bare value (`?sk-abc123`) may be a key as well as a flag.
      if (equals < 0) return part && !SHOWN_QUERY_NAMES.has(queryName(part)) ? HIDDEN : part;
      const value = part.slice(equals + 1);
      return value && !SHOWN_QUERY_NAMES.has(queryName(part.slice(0, equals))) ? `${part.slice(0, equals)}=${HIDDEN}` : part;
    })
    .join('&');
}

/** A query name as compared: decoded, lower case, `api_version` as `api-version`. */
function queryName(name: string): string {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A stray % is compared as written.
  }
  return decoded.toLowerCase().replace(/_/g, '-');
}
