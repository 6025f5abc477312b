import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { AudioFormat } from '../../../shared/audio-format';
import { displayEndpoint, hideUrlSecrets } from '../../../shared/endpoint-display';
import { sdkBaseUrl } from '../api-url';
import { AnswerCut } from '../bounded-answers';
import { speechFetch } from '../connection-pool';
import { SpeechError } from '../errors';
import { keyFor } from '../key-binding';
import type { SpeechAudio, SpeechProvider, SpeechRequest, VoiceInfo } from '../provider';
import { readsPhonemes, sayPhonemeWords } from '../pronunciation';
import { redirectRefused } from '../redirect-refused';
import { errorCode, unreachableFromHere, whyUnreachable } from '../unreachable';

/** OpenAI's documented limit for one speech request. */
export const OPENAI_MAX_INPUT = 4096;

/** OpenAI's built-in voices; servers may offer more through /v1/audio/voices. */
export const OPENAI_VOICES = [
  'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar',
];

/** Models known not to take `instructions`; any other model gets them. */
const NO_INSTRUCTIONS = /^tts-1(-hd)?($|-)/;

/** The SDK's own wait for an answer's headers, kept unless the user allows a longer silence. */
export const HEADERS_TIMEOUT_MS = 30_000;

/** Settings of the OpenAI-compatible provider. */
export interface OpenAiProviderOptions {
  baseUrls: string[];
  apiKey?: string;
  /** The origins the key was entered for; undefined: any (a key from this run's command line). */
  apiKeyOrigins?: string[];
  model: string;
  voice: string;
  format: AudioFormat;
  speed: number;
  instructions?: string;
  /** Wait for response headers at most this long (default HEADERS_TIMEOUT_MS). */
  headersTimeoutMs?: number;
  /** fetch, or a stand-in; by default the pool that keeps idle connections 25 s. */
  fetch?: typeof fetch;
}

/**
 * Any OpenAI-compatible `/v1/audio/speech`, through the `openai` SDK with its own retries off:
 * the engine applies one retry and failover policy for all providers.
 */
export class OpenAiProvider implements SpeechProvider {
  readonly id = 'openai' as const;
  readonly maxInputChars = OPENAI_MAX_INPUT;
  /** Each endpoint as shown (displayEndpoint): what messages, events and link estimates name. */
  readonly endpoints: readonly string[];
  /** Each endpoint as asked (endpointName), secrets and all: requests only, never a message. */
  private readonly urls: readonly string[];
  private readonly clients: OpenAI[];
  /** Per endpoint, why the key is kept from it (undefined: it gets the key, if there is one). */
  private readonly withheld: (string | undefined)[];
  /** How long a server may take to start its answer (it may synthesise the whole part first). */
  readonly headersTimeoutMs: number;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.headersTimeoutMs = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
    this.urls = options.baseUrls.map(endpointName);
    this.endpoints = this.urls.map(displayEndpoint);
    const keys = this.urls.map((url) => keyFor(url, options.apiKey, options.apiKeyOrigins));
    this.withheld = keys.map(({ withheld }) => withheld);
    this.clients = this.urls.map(
      (url, i) =>
        new OpenAI({
          ...sdkBaseUrl(url, options.fetch ?? speechFetch),
          // Local servers (Kokoro-FastAPI…) need no key; OpenAI itself answers 401 with its own message.
          apiKey: keys[i].key || 'no-key',
          maxRetries: 0,
          timeout: this.headersTimeoutMs,
        }),
    );
  }

  /** The voice actually sent: the user's choice, or the provider default. */
  get voice(): string {
    return this.options.voice || 'alloy';
  }

  async open(request: SpeechRequest): Promise<SpeechAudio> {
    const client = this.clients[request.endpointIndex];
    const { model, format, speed, instructions } = this.options;
    try {
      const response = await client.audio.speech.create(
        {
          model,
          input: readsPhonemes(this.urls[request.endpointIndex]) ? request.text : sayPhonemeWords(request.text),
          voice: this.voice,
          response_format: request.format ?? format,
          speed,
          ...(instructions && !NO_INSTRUCTIONS.test(model) ? { instructions } : {}),
        },
        { signal: request.signal },
      );
      // The SDK gives null for a 204 (No Content): there is no body to read.
      if (!response?.body) throw new SpeechError('bad-audio', `${this.endpoints[request.endpointIndex]} answered ${response?.status ?? 204} with no audio.`);
      return { body: response.body, contentType: response.headers.get('content-type'), keepAlive: response };
    } catch (error) {
      const failure = toSpeechError(error, this.urls[request.endpointIndex]);
      // The server wants a key that was kept from it: say why, not just "refused".
      const withheld = this.withheld[request.endpointIndex];
      if (failure.kind === 'auth' && withheld) throw new SpeechError('auth', withheld, { endpoint: this.endpoints[request.endpointIndex], status: failure.details.status });
      throw failure;
    }
  }

  /**
   * The built-in voices and each server's own list. A server with no list (404, 405: OpenAI
   * itself) adds none; one whose list could not be read adds none either, and is told to
   * `onUnread`, so that "no voices of its own" and "its voices could not be read" differ.
   */
  async voices(signal?: AbortSignal, onUnread?: (problem: SpeechError) => void): Promise<VoiceInfo[]> {
    const builtin: VoiceInfo[] = OPENAI_VOICES.map((id) => ({ id, source: 'builtin' }));
    const known = new Set(OPENAI_VOICES);
    for (const [index, client] of this.clients.entries()) {
      const url = this.urls[index];
      const endpoint = this.endpoints[index];
      let answer: unknown;
      try {
        // Kokoro-FastAPI and others list their voices here; OpenAI itself does not.
        answer = await client.get<unknown>('/audio/voices', { signal, timeout: 5000 });
      } catch (error) {
        if (signal?.aborted) throw toSpeechError(error, url, '/audio/voices');
        const problem = unreadList(error, url);
        if (problem) onUnread?.(problem);
        continue;
      }
      const ids = voiceIds(answer);
      if (!ids) {
        onUnread?.(new SpeechError('server', `Could not read the voices of ${endpoint}: its answer is not a list of voices.`, { endpoint }));
        continue;
      }
      for (const id of ids) {
        if (!known.has(id)) builtin.push({ id, source: 'server' });
        known.add(id);
      }
    }
    return builtin;
  }

  async close(): Promise<void> {}
}

/** Kokoro answers `{voices: ["af_bella", …]}`; others `{voices: [{id}]}` or `{data: [...]}`; undefined: no list. */
function voiceIds(answer: unknown): string[] | undefined {
  if (!answer || typeof answer !== 'object') return undefined;
  const list = (answer as { voices?: unknown; data?: unknown }).voices ?? (answer as { data?: unknown }).data;
  if (!Array.isArray(list)) return undefined;
  return list
    .map((v) => (typeof v === 'string' ? v : v && typeof v === 'object' ? (v as { id?: unknown; name?: unknown }).id ?? (v as { name?: unknown }).name : undefined))
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Why the voice list under `url` could not be read; undefined when it has none (404, 405). */
function unreadList(error: unknown, url: string): SpeechError | undefined {
  const endpoint = displayEndpoint(url);
  if (error instanceof APIError && (error.status === 404 || error.status === 405)) return undefined;
  const cut = error instanceof APIConnectionError && error.cause instanceof AnswerCut ? error.cause.message : undefined;
  // The SDK parses a JSON answer itself: a SyntaxError is one that is not JSON.
  const why = cut ?? (error instanceof SyntaxError ? 'its answer is not JSON' : undefined);
  if (why) return new SpeechError('server', `Could not read the voices of ${endpoint}: ${why}.`, { endpoint });
  const failure = toSpeechError(error, url, '/audio/voices');
  return new SpeechError(failure.kind, `Could not read the voices of ${endpoint}: ${failure.message}`, failure.details);
}

/**
 * A base URL as an endpoint's identity: without the slashes that end its path, before its query
 * as at the end (`http://host:8880/v1/?x=1` is `http://host:8880/v1?x=1`), nor an empty query's `?`.
 * Requests are built from it, and it may hold a key (`?key=…`): never show it. What is shown, and
 * what the provider's `endpoints`, its errors and events name, is `displayEndpoint(endpointName(…))`.
 */
export function endpointName(baseUrl: string): string {
  const at = baseUrl.indexOf('?');
  const path = at < 0 ? baseUrl : baseUrl.slice(0, at);
  const query = at < 0 || at === baseUrl.length - 1 ? '' : baseUrl.slice(at);
  return path.replace(/\/+$/, '') + query;
}

/**
 * Maps the SDK's errors onto the engine's kinds, keeping the server's own message; `path` is what
 * was asked under `url` (an endpointName), which the message names as displayEndpoint shows it.
 */
export function toSpeechError(error: unknown, url: string, path = '/audio/speech'): SpeechError {
  const endpoint = displayEndpoint(url);
  if (error instanceof SpeechError) return error;
  if (error instanceof APIUserAbortError) return new SpeechError('cancelled', 'Cancelled.', { endpoint });
  if (error instanceof APIConnectionTimeoutError) {
    return new SpeechError('network', `${endpoint} did not answer in time.`, { endpoint, cause: error });
  }
  if (error instanceof APIConnectionError) {
    const code = errorCode(error.cause);
    const why = whyUnreachable(error.cause, endpoint, urlOf(url)) ?? `Cannot reach ${endpoint}${code ? ` (${code})` : ''}: is the server running?`;
    return new SpeechError('network', why, { endpoint, cause: code ?? error, lasting: unreachableFromHere(error.cause) });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    // A server may quote the URL it was asked, key and all.
    const serverMessage = hideUrlSecrets(serverText(error));
    if (status >= 300 && status < 400) return redirectRefused(status, error.headers?.get('location'), url, path);
    const details = { status, endpoint, retryAfterMs: retryAfterMs(error.headers) };
    if (status === 401 || status === 403) {
      return new SpeechError('auth', `${endpoint} refused the API key (${status}): ${serverMessage}`, details);
    }
    if (status === 429) return new SpeechError('rate-limit', `${endpoint} is rate limiting (429): ${serverMessage}`, details);
    if (status >= 500) return new SpeechError('server', `${endpoint} failed (${status}): ${serverMessage}`, details);
    // The server gave up waiting for the request: a timeout like the network's, which another try may pass.
    if (status === 408) return new SpeechError('server', `${endpoint} timed out waiting for the request (408): ${serverMessage}`, details);
    return new SpeechError('request', `${endpoint} refused the request (${status}): ${serverMessage}`, details);
  }
  if (error instanceof Error && error.name === 'AbortError') return new SpeechError('cancelled', 'Cancelled.', { endpoint });
  // fetch's own errors may quote the URL asked, key and all.
  return new SpeechError('network', `Request to ${endpoint} failed: ${hideUrlSecrets((error as Error)?.message ?? String(error))}`, {
    endpoint,
    cause: error,
  });
}

function serverText(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s*/, '') || 'no message';
}

/** An endpoint as a URL (the SDK reached the point of connecting, so it parses). */
function urlOf(endpoint: string): URL {
  try {
    return new URL(endpoint);
  } catch {
    return new URL('http://unknown');
  }
}

/** Retry-After in seconds or as an HTTP date, or retry-after-ms. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
