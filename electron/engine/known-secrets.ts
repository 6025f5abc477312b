// The secrets this process sends: the API key, and what a base URL carries (`?key=…`,
// `user:pass@`, a key in its path). A server may repeat one in its words with no URL around
// it ("Incorrect API key provided: sk-…", "Invalid URL (POST /key/sk-…/v1/audio/speech)"),
// so every message hides them wherever they stand, not only inside a URL.
import { hideUrlSecrets, urlSecrets } from '../../shared/endpoint-display';

const HIDDEN = '***';
/** Shorter values are not looked for: hiding every "1" or "mp3" would garble messages, and no key is that short. */
const SHORTEST_SECRET = 8;
/** The latest secrets learned are kept: a key replaced long ago may still come back in a late answer. */
const MOST_KEPT = 32;

/** Oldest first; a secret learned again moves to the end. */
const known = new Set<string>();

/**
 * Remembers what requests to `baseUrls` carry, so that no message shows it. Every request that
 * may carry a secret decides its key in keyFor, which calls this: one place learns them all.
 */
export function learnSecrets(apiKey: string | undefined, baseUrls: readonly string[]): void {
  const secrets = [apiKey?.trim() ?? '', ...baseUrls.flatMap(urlSecrets)];
  for (const secret of secrets) {
    if (secret.length < SHORTEST_SECRET) continue;
    known.delete(secret);
    known.add(secret);
  }
  for (const oldest of known) {
    if (known.size <= MOST_KEPT) break;
    known.delete(oldest);
  }
}

/**
 * `text` as it may be shown: every URL in it as displayEndpoint shows it, and every secret
 * learned here hidden wherever it stands. SpeechError applies it to every message it carries.
 */
export function hideSecrets(text: string): string {
  let shown = hideUrlSecrets(text);
  // The longest first: a secret that holds another is hidden whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) shown = hideEnds(shown.split(secret).join(HIDDEN), secret);
  return shown;
}

/**
 * A server may echo part of a key, cut at either end ("sk-live-Ab1Cd2Ef3G…", "…f3Gh4Ij5Kl6"):
 * a run of a secret's first or last characters this long is hidden too. OpenAI's own echo
 * ("sk-proj-****…abcd": 8 and 4) shows less, and stays as it is.
 */
const SHORTEST_PART = 12;

function hideEnds(text: string, secret: string): string {
  if (secret.length <= SHORTEST_PART) return text;
  // Runs of its start, followed forward.
  const head = secret.slice(0, SHORTEST_PART);
  let shown = '';
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, from)) {
    let end = at + SHORTEST_PART;
    while (end < text.length && end - at < secret.length && text[end] === secret[end - at]) end++;
    shown += text.slice(from, at) + HIDDEN;
    from = end;
  }
  shown += text.slice(from);
  // Runs of its end, followed backward.
  const tail = secret.slice(-SHORTEST_PART);
  const parts: string[] = [];
  let to = shown.length;
  for (let at = lastStart(shown, tail, to); at >= 0; at = lastStart(shown, tail, to)) {
    const end = at + SHORTEST_PART;
    let start = at;
    while (start > 0 && end - start < secret.length && shown[start - 1] === secret[secret.length - (end - start) - 1]) start--;
    parts.push(shown.slice(end, to), HIDDEN);
    to = start;
  }
  parts.push(shown.slice(0, to));
  return parts.reverse().join('');
}

/** Where the last `part` that ends by `to` starts, or -1. */
function lastStart(text: string, part: string, to: number): number {
  return to < part.length ? -1 : text.lastIndexOf(part, to - part.length);
}
