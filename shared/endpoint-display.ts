// How a base URL is shown to a person: some servers take their key in the URL (`?key=…`,
// `user:pass@`, `/key/sk-…/v1`), and a message, a notice or a diagnose report is read, pasted
// and shared. Requests use the URL as written; only what is shown goes through here.

/** What a hidden value is shown as. */
const HIDDEN = '***';

/**
 * Query names whose values are shown. Every other value is hidden: names for a secret vary too
 * much from server to server (`key`, `api_key`, `token`, `sig`, `code`, `x-goog-api-key`…) for a
 * list of secret names to be safe, and hiding a harmless value costs only a little detail.
 */
const SHOWN_QUERY_NAMES = new Set(['api-version', 'version', 'model', 'deployment', 'format', 'lang', 'language', 'locale', 'voice', 'region']);

/**
 * A path segment that is a key, not a name. Paths are named in words joined by `-` or `_`
 * (`v1`, `audio`, `deployments`, `my-tts-2024`), so a segment is hidden only when it starts as
 * keys do (`sk-`, `key_`, `Bearer `…) with a run of eight letters and digits, a digit among them,
 * after it; or when it holds a run of 20 letters and digits mixing both, as random tokens do and
 * words do not (a UUID's runs are 12 at most, and it stays shown).
 */
const KEY_PREFIXED = /^(?:sk|pk|rk|key|token|secret|bearer|api-?key|access-?token)[-_ :=]+(?=.*(?=[a-z0-9]{0,7}\d)[a-z0-9]{8})/i;
const RANDOM_RUN = /(?=[a-z]{0,19}\d)(?=\d{0,19}[a-z])[a-z0-9]{20}/i;

/**
 * A URL with a scheme, within text; its last character is not a sentence's punctuation. The
 * scheme's length is bounded: unbounded, a megabyte of letters was tried from each of its
 * letters in turn (minutes for one message).
 */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]{0,31}:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)\]]/gi;

/**
 * A base URL as shown: a password in it as `user:***@` (a user name alone, which may be a token,
 * as `***@`), a path segment that is a key as `***`, and each query value as `name=***` unless
 * its name is known to be harmless (`api-version=2024-06-01` stays). Works on text that is not a
 * valid URL too (a path alone), and on its own output (hiding twice changes nothing).
 */
export function displayEndpoint(url: string): string {
  return shownUrl(url);
}

/** `text` (an error's message, a redirect's Location) with every URL in it shown as `displayEndpoint` shows it. */
export function hideUrlSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, displayEndpoint);
}

/** What `displayEndpoint` hides of `url`, as written and as decoded: what a server may repeat without the URL around it. */
export function urlSecrets(url: string): string[] {
  const found: string[] = [];
  shownUrl(url, found);
  return [...new Set(found.flatMap((secret) => [secret, decoded(secret), decoded(secret, false)]))];
}

/** The URL as shown; each part hidden is added to `found`. */
function shownUrl(url: string, found: string[] = []): string {
  const hide = (secret: string): string => {
    found.push(secret);
    return HIDDEN;
  };
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/i, (_, scheme: string, userinfo: string) => `${scheme}${hiddenUserinfo(userinfo, hide)}@`)
    .replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*)([^?#\s]*)/i, (_, start: string, path: string) => start + hiddenPath(path, hide))
    .replace(/\?([^#\s]*)/, (_, query: string) => `?${hiddenQuery(query, hide)}`);
}

type Hide = (secret: string) => string;

function hiddenUserinfo(userinfo: string, hide: Hide): string {
  const colon = userinfo.indexOf(':');
  if (colon < 0) return userinfo === HIDDEN ? userinfo : hide(userinfo);
  const password = userinfo.slice(colon + 1);
  return `${userinfo.slice(0, colon)}:${password === HIDDEN ? password : hide(password)}`;
}

function hiddenPath(path: string, hide: Hide): string {
  return path
    .split('/')
    .map((segment) => {
      const words = decoded(segment, false);
      return KEY_PREFIXED.test(words) || RANDOM_RUN.test(words) ? hide(segment) : segment;
    })
    .join('/');
}

function hiddenQuery(query: string, hide: Hide): string {
  return query
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      // A bare value (`?sk-abc123`) may be a key as well as a flag.
      if (equals < 0) return part && part !== HIDDEN && !SHOWN_QUERY_NAMES.has(queryName(part)) ? hide(part) : part;
      const value = part.slice(equals + 1);
      return value && value !== HIDDEN && !SHOWN_QUERY_NAMES.has(queryName(part.slice(0, equals))) ? `${part.slice(0, equals)}=${hide(value)}` : part;
    })
    .join('&');
}

/** A query name as compared: decoded, lower case, `api_version` as `api-version`. */
function queryName(name: string): string {
  return decoded(name).toLowerCase().replace(/_/g, '-');
}

/** A part of a URL decoded (in a query, `+` as a space); as written when a stray % keeps it from decoding. */
function decoded(part: string, plusIsSpace = true): string {
  try {
    return decodeURIComponent(plusIsSpace ? part.replace(/\+/g, ' ') : part);
  } catch {
    return part;
  }
}
