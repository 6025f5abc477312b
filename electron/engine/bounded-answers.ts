import { Headers, Response } from 'undici';
import { hideSecrets } from './known-secrets';

/** Enough of an error answer for any server's message; an endless one is not read further. */
const ERROR_BYTES = 64 * 1024;
/** Enough for a voice list of thousands. */
const LIST_BYTES = 4 * 1024 * 1024;
/** An answer still arriving after this is cut where it is. */
const MOST_MS = 5000;
/** A server's message past this is cut: it is read in a terminal line or a notice. */
const MESSAGE_CHARS = 300;

/** A list that did not come whole (too large, too slow, broken off): not read as if it had. */
export class AnswerCut extends Error {
  override readonly name = 'AnswerCut';
}

/**
 * What a server answered, read whole only when it is audio: an error's body (read by the SDK
 * whole, so one that never ended filled the memory) becomes its message alone, clean and
 * short, and a list (GET) stops at 4 MB or 5 s, and rejects with AnswerCut if it did.
 */
export async function boundAnswer(response: Response, method: string): Promise<Response> {
  // undici passes any three digits; an answer can be rebuilt, and named, only within HTTP's.
  if (response.status > 599) {
    response.body?.cancel().catch(() => {});
    throw Object.assign(new Error(`Response does not match the HTTP/1.1 protocol (status ${response.status}, which HTTP does not have)`), { code: 'HPE_INVALID_STATUS' });
  }
  const isList = method === 'GET' && response.ok;
  if (!isList && (response.ok || !response.body)) return response;
  const { bytes: body, cut } = await readHead(response.body, isList ? LIST_BYTES : ERROR_BYTES, MOST_MS);
  const headers = new Headers(response.headers);
  for (const name of ['content-length', 'content-encoding', 'transfer-encoding']) headers.delete(name);
  if (isList) {
    if (cut) throw new AnswerCut(cut);
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  }
  headers.set('content-type', 'application/json');
  const message = serverMessage(new TextDecoder().decode(body));
  return new Response(JSON.stringify({ error: { message } }), { status: response.status, statusText: response.statusText, headers });
}

/**
 * The first `most` bytes of a body, or what came in `ms`; the rest is not read. `cut` says
 * why it is not the whole body, when it is not.
 */
async function readHead(body: ReadableStream<Uint8Array> | null, most: number, ms: number): Promise<{ bytes: Uint8Array; cut?: string }> {
  if (!body) return { bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let cut: string | undefined;
  const timer = setTimeout(() => {
    cut = `it did not end within ${ms / 1000} s`;
    void reader.cancel().catch(() => {});
  }, ms);
  try {
    for (;;) {
      if (size >= most) {
        cut = `it is over ${most / 2 ** 20} MB`;
        break;
      }
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } catch (error) {
    // Aborted (the request's own timeout), or broken: what came is all there is.
    cut ??= (error as Error)?.name === 'AbortError' ? 'it did not end in time' : 'it broke off';
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => {});
  }
  return { bytes: Buffer.concat(parts).subarray(0, most), cut };
}

/** A terminal's escape sequences (colours, clearing, a window title), whole: not just their ESC. */
// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g;

/**
 * A server's own words from its error body: OpenAI's `{error: {message}}`, FastAPI's
 * `{detail}` (Kokoro), `{message}`, a web page's title, or its text; control characters
 * (a terminal's escapes) out, and at most 300 characters. Secrets it repeats are hidden before
 * the cut, which could leave the start of one that no longer matches.
 */
export function serverMessage(text: string): string {
  const words = fromJson(text) ?? /<title>([^<]*)<\/title>/i.exec(text)?.[1] ?? text.replace(/<[^>]*>/g, ' ');
  return oneLine(hideSecrets(words)) || 'no message';
}

/**
 * Text a server chose (its message, a header), fit for a terminal line or a notice: control
 * characters (a terminal's escapes) and bidi overrides out, at most `most` characters.
 */
export function oneLine(text: string, most = MESSAGE_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(TERMINAL_ESCAPES, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > most ? `${clean.slice(0, most - 1).trimEnd()}…` : clean;
}

function fromJson(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const pick = (value: unknown): string | null => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return pick(value[0]);
    if (value && typeof value === 'object') {
      const fields = value as Record<string, unknown>;
      return pick(fields.message) ?? pick(fields.msg) ?? pick(fields.detail) ?? pick(fields.error) ?? pick(fields.title) ?? pick(fields.errors);
    }
    return null;
  };
  return pick(body) ?? (typeof body === 'object' ? null : String(body));
}
