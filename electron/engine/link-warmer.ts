import type { Settings } from '../../shared/config/schema';
import { apiUrl } from './api-url';
import { speechFetch } from './connection-pool';

/** At most one warming request per server in this long: an idle connection lives 25 s, 3 s when a server says it keeps one 5 s. */
export const WARM_AGAIN_AFTER_MS = 3000;
/** A server slower than this to answer is left alone: the request itself will connect. */
const WARM_TIMEOUT_MS = 5000;
/** More than any model list: a server that answers every path with an endless stream is left at this. */
const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * Opens a connection to the speech server when the user may speak soon (a page came, the tray
 * was opened, the server changed), so that the first request does not pay for it. A first
 * utterance of a fresh `utter web` spent 1-6 ms connecting over loopback; to a server on the
 * internet, DNS, TCP and TLS cost tens to hundreds of ms. The connection waits for the
 * request that follows in the pool the openai SDK's requests use (connection-pool.ts). The
 * request is a GET of the model list, without the key and without any text, never
 * redirected. Its answer is read to the end (a cancelled body closes the connection, and so
 * does Node's own server after a HEAD, which is why it is not one), up to MAX_ANSWER_BYTES.
 */
export class LinkWarmer {
  private readonly warmedAt = new Map<string, number>();

  constructor(private readonly options: { fetch?: typeof fetch; now?: () => number } = {}) {}

  /** Resolves once the server answered or could not be reached; never throws. */
  async warm(settings: Pick<Settings, 'provider' | 'baseUrls'>): Promise<void> {
    if (settings.provider !== 'openai' || !settings.baseUrls[0]) return;
    let url: URL;
    try {
      url = apiUrl(settings.baseUrls[0], '/models');
    } catch {
      return; // The settings say what is wrong with the URL; the first request says it too.
    }
    const now = this.options.now?.() ?? performance.now();
    if (now - (this.warmedAt.get(url.origin) ?? -Infinity) < WARM_AGAIN_AFTER_MS) return;
    this.warmedAt.set(url.origin, now);
    try {
      const response = await (this.options.fetch ?? speechFetch)(url.href, { redirect: 'manual', signal: AbortSignal.timeout(WARM_TIMEOUT_MS) });
      await drain(response.body);
    } catch {
      // Unreachable or slow: only the head start is lost, and the request reports the cause.
      this.warmedAt.delete(url.origin);
    }
  }
}

/** Reads a body to its end, or cancels it past MAX_ANSWER_BYTES. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  let bytes = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    bytes += read.value.length;
    if (bytes > MAX_ANSWER_BYTES) return void (await reader.cancel());
  }
}
