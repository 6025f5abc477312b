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
  for (const secret of [...known].sort((a, b) => b.length - a.length)) shown = shown.split(secret).join(HIDDEN);
  return shown;
}
