// A local OpenAI-compatible speech server for tests and the benchmark (spec T2, T3):
// real HTTP on 127.0.0.1, paced like a TTS server, with scripted faults, and honest
// backpressure so flow control can be proven against it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AUDIO_FORMATS, isAudioFormat, type AudioFormat } from '../../shared/audio-format';
import { FIXTURES, prng } from './audio-files';

/** Audio the server sends for one request. */
export interface ServedAudio {
  bytes: Uint8Array;
  /** Seconds of audio in `bytes`: realtimeFactor paces against it. */
  seconds: number;
  /** Overrides the format's default content type (CONTENT_TYPES). */
  contentType?: string;
}

/** Audio per request, or one clip per format; no audio for a format answers 400 like a server without it. */
export type AudioSource =
  | ((format: AudioFormat, input: string, voice: string) => ServedAudio | undefined)
  | Partial<Record<AudioFormat, ServedAudio>>;

/** A scripted behaviour for one speech request (spec T3). Fields combine, e.g. a stall then a reset. */
export interface Fault {
  /** Answer with this status and OpenAI's error JSON (200 with `html`: the page as a "success"). */
  status?: number;
  message?: string;
  /** OpenAI error fields; defaults follow the status. */
  type?: string;
  code?: string | null;
  param?: string | null;
  /** Retry-After header, in seconds as sent (`'1'`), and/or retry-after-ms. */
  retryAfter?: string;
  retryAfterMs?: number;
  /** An HTML error page (a proxy's), status 200 unless `status` says otherwise; `true` = a 502 page. */
  html?: boolean | string;
  /** The HTML page's content type: `'audio/mpeg'` makes it lie. */
  contentType?: string;
  /** Destroy the socket after exactly this many audio bytes. */
  resetAfterBytes?: number;
  /** Stop sending after this many audio bytes for stallMs, then continue (or end the body cleanly). */
  stallAfterBytes?: number;
  stallMs?: number;
  afterStall?: 'continue' | 'end';
  /** Never answer: no headers, ever. */
  hangHeaders?: boolean;
  /** A Location header for the error answer (a redirect's, with a 3xx `status`). */
  location?: string;
}

/** How the server behaves; everything can be changed at runtime with `set()`. */
export interface TtsServerOptions {
  /** Default: the `speech.*` fixtures in tests/fixtures/generated. */
  audio?: AudioSource;
  /** Per-format content types, e.g. `{pcm: 'audio/pcm'}` (no rate), `{opus: 'audio/opus'}`. */
  contentTypes?: Partial<Record<AudioFormat, string>>;
  /** Delay before the first byte (and the headers, unless headersFirst). */
  ttfbMs?: number;
  /** Send the headers at once and the first body byte after ttfbMs. */
  headersFirst?: boolean;
  /** Audio sent at this multiple of real time; Infinity = as fast as the client reads. */
  realtimeFactor?: number;
  chunkBytes?: number;
  /**
   * The first write's size, when it differs: a server that writes as it synthesizes sends
   * its encoder's headers and priming with the first audio, so those extra bytes take no
   * time on the schedule (the second write is due one chunk's audio after the first).
   */
  firstChunkBytes?: number;
  /** Each chunk is held up to this much longer (seeded, so runs repeat); at a finite realtimeFactor the schedule does not drift. */
  jitterMs?: number;
  seed?: number;
  /** When set, every route wants `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** GET /v1/audio/voices in Kokoro-FastAPI's shape; false = 404 like OpenAI. */
  voices?: string[] | false;
  models?: string[];
  /** Send Content-Length instead of chunked encoding. */
  contentLength?: boolean;
  /** Where the API is (`/v1` unless set; fixed at the start): `/key/sk-…/v1` for a server that takes its key in the path. */
  base?: string;
}

/** One request as the server saw it; `bytesSent` and the outcome update live. */
export interface RecordedRequest {
  id: number;
  method: string;
  path: string;
  /** What followed the `?` of the request's target ('' for none): a base URL's query, as sent. */
  query: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; `{}` until read, or when it is not JSON. */
  body: Record<string, unknown>;
  /** performance.now() times. */
  receivedAt: number;
  headersAt?: number;
  firstByteAt?: number;
  endedAt?: number;
  status?: number;
  fault?: Fault;
  /** Audio bytes written so far (before SSE framing). */
  bytesSent: number;
  bytesTotal?: number;
  outcome: 'open' | 'finished' | 'client-aborted' | 'reset' | 'server-closed';
}

/** A running test server. */
export interface TtsServer {
  /** `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  /** Every request, in arrival order (speech, voices, models, errors). */
  requests: RecordedRequest[];
  speechRequests(): RecordedRequest[];
  /** Faults for the next speech requests, one each, first in first out. */
  enqueue(...faults: Fault[]): void;
  /** The fault for speech requests when the queue is empty; undefined = behave. */
  setDefault(fault?: Fault): void;
  set(options: Partial<TtsServerOptions>): void;
  /** Requests whose response has neither finished nor been closed. */
  openRequests(): number;
  /** Closes the server and destroys every socket; resolves when fully closed. */
  close(): Promise<void>;
}

/** The content types servers send by default, per format. */
export const CONTENT_TYPES: Record<AudioFormat, string> = {
  pcm: 'audio/pcm;rate=24000',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  aac: 'audio/aac',
};
const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];
const HTML_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>';
const MAX_BODY = 1 << 20;
const MAX_INPUT = 4096;

/** POSTs a speech request to a `/v1` base URL, as an OpenAI client would. */
export function speechRequest(url: string, body: Record<string, unknown>, init: { apiKey?: string; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`;
  return fetch(`${url}/audio/speech`, { method: 'POST', headers, body: JSON.stringify(body), signal: init.signal });
}

/** A sine tone as 16-bit mono PCM or WAV: test audio that needs no fixture files. */
export function toneAudio(seconds: number, format: 'pcm' | 'wav' = 'pcm', sampleRate = 24000, hz = 440): ServedAudio {
  const frames = Math.round(seconds * sampleRate);
  const head = format === 'wav' ? 44 : 0;
  const bytes = new Uint8Array(head + frames * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < frames; i++) view.setInt16(head + i * 2, Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * 12000), true);
  if (format === 'wav') {
    const ascii = (at: number, text: string): void => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
    ascii(0, 'RIFF');
    view.setUint32(4, 36 + frames * 2, true);
    ascii(8, 'WAVEfmt ');
    [16, 1, 1].forEach((v, i) => (i ? view.setUint16(16 + i * 2, v, true) : view.setUint32(16, v, true)));
    view.setUint32(24, sampleRate, true);
    view.setUint32(28, sampleRate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    ascii(36, 'data');
    view.setUint32(40, frames * 2, true);
  }
  return { bytes, seconds: frames / sampleRate, contentType: format === 'pcm' ? `audio/pcm;rate=${sampleRate}` : 'audio/wav' };
}

const folders = new Map<string, Partial<Record<AudioFormat, ServedAudio>>>();

/**
 * Loads the clips `NAME-24k.pcm`, `NAME-24k.wav`, `NAME.mp3|opus|flac|aac` that exist in a
 * folder (cached). Their length comes from the PCM or WAV clip, all being the same speech.
 */
export function audioFromFolder(dir: string = FIXTURES, name = 'speech'): Partial<Record<AudioFormat, ServedAudio>> {
  const key = join(dir, name);
  const cached = folders.get(key);
  if (cached) return cached;
  const read = (format: AudioFormat): Uint8Array | undefined => {
    const path = join(dir, format === 'pcm' || format === 'wav' ? `${name}-24k.${format}` : `${name}.${format}`);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
  };
  const pcm = read('pcm');
  const wav = read('wav');
  // 24 kHz 16-bit mono: 48000 bytes a second; a WAV's data follows a 44-byte header.
  const seconds = pcm ? pcm.length / 48000 : wav ? (wav.length - 44) / 48000 : NaN;
  if (!Number.isFinite(seconds)) throw new Error(`audioFromFolder: no ${name}-24k.pcm or .wav in ${dir} (run npm run fixtures)`);
  const clips: Partial<Record<AudioFormat, ServedAudio>> = {};
  for (const format of AUDIO_FORMATS) {
    const bytes = format === 'pcm' ? pcm : format === 'wav' ? wav : read(format);
    if (bytes) clips[format] = { bytes, seconds, contentType: CONTENT_TYPES[format] };
  }
  folders.set(key, clips);
  return clips;
}

/** One fixture clip: `speech` (default) or `long`. */
export function fixtureAudio(format: AudioFormat, name = 'speech'): ServedAudio {
  const clip = audioFromFolder(FIXTURES, name)[format];
  if (!clip) throw new Error(`fixtureAudio: no ${name} clip for ${format} in ${FIXTURES}`);
  return clip;
}

/** Starts the server on a random port of 127.0.0.1. */
export async function startTtsServer(initial: TtsServerOptions = {}): Promise<TtsServer> {
  let options: TtsServerOptions = { ...initial };
  const base = initial.base ?? '/v1';
  const faults: Fault[] = [];
  let defaultFault: Fault | undefined;
  const requests: RecordedRequest[] = [];
  const sleepers = new Set<() => void>();
  let closing = false;

  /** A timer that close() (and the response closing) cuts short, so no handler outlives the server. */
  const sleep = (ms: number, res?: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        res?.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
      res?.once('close', done);
    });

  const server = createServer((req, res) => {
    const record: RecordedRequest = {
      id: requests.length,
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0],
      query: (req.url ?? '').split('?').slice(1).join('?'),
      headers: req.headers,
      body: {},
      receivedAt: performance.now(),
      bytesSent: 0,
      outcome: 'open',
    };
    requests.push(record);
    const settle = (outcome: RecordedRequest['outcome']): void => {
      if (record.outcome !== 'open') return;
      record.outcome = outcome;
      record.endedAt = performance.now();
    };
    res.on('finish', () => settle('finished'));
    res.on('close', () => settle(res.writableFinished ? 'finished' : closing ? 'server-closed' : 'client-aborted'));
    const gone = (): boolean => closing || record.outcome !== 'open';
    handle(req, res, record, gone, () => settle('reset')).catch((error: unknown) => {
      // A bug here must fail loudly, not leave the client hanging.
      console.error('tts-server:', error);
      if (!res.headersSent) openAiError(res, 500, `Test server error: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, gone: () => boolean, markReset: () => void): Promise<void> {
    res.on('close', () => (record.status ??= res.headersSent ? res.statusCode : undefined));
    if (req.method === 'OPTIONS') return void cors(res).writeHead(204).end();
    const text = await readBody(req);
    if (gone()) return;
    if (text === null) return openAiError(res, 413, 'Request body too large.');
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Stays undefined: answered below like OpenAI answers bad JSON.
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) record.body = parsed as Record<string, unknown>;
    const auth = req.headers.authorization;
    if (options.apiKey && auth !== `Bearer ${options.apiKey}`) {
      return auth
        ? openAiError(res, 401, `Incorrect API key provided: ${auth.replace(/^Bearer\s*/, '').slice(0, 4)}***.`, { code: 'invalid_api_key' })
        : openAiError(res, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    }
    if (req.method === 'GET' && record.path === `${base}/models`) {
      return json(res, 200, { object: 'list', data: (options.models ?? ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'utter-tests' })) });
    }
    if (req.method === 'GET' && record.path === `${base}/audio/voices` && options.voices !== false) {
      return json(res, 200, { voices: options.voices ?? OPENAI_VOICES });
    }
    if (req.method !== 'POST' || record.path !== `${base}/audio/speech`) return openAiError(res, 404, `Invalid URL (${req.method} ${record.path})`);
    if (parsed === undefined || parsed !== record.body) {
      return openAiError(res, 400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)');
    }
    const problem = validate(record.body);
    if (problem) return openAiError(res, 400, problem.message, { param: problem.param });
    const body = record.body;
    const format = (body.response_format ?? 'mp3') as AudioFormat;
    const source = options.audio ?? audioFromFolder();
    const audio = typeof source === 'function' ? source(format, String(body.input), String(body.voice)) : source[format];
    if (!audio) return openAiError(res, 400, `This server does not offer response_format '${format}'.`, { param: 'response_format' });

    const fault = faults.shift() ?? defaultFault;
    record.fault = fault;
    if (fault?.hangHeaders) return; // The client must time out on its own.
    const sse = body.stream_format === 'sse';
    const headers: Record<string, string | number> = { 'content-type': sse ? 'text/event-stream' : (options.contentTypes?.[format] ?? audio.contentType ?? CONTENT_TYPES[format]) };
    if (options.contentLength && !sse) headers['content-length'] = audio.bytes.length;
    const early = options.headersFirst && !fault?.html && !(fault?.status && fault.status !== 200);
    if (early) {
      cors(res).writeHead(200, headers).flushHeaders();
      record.headersAt = performance.now();
    }
    await sleep(options.ttfbMs ?? 0, res);
    if (gone()) return;
    if (fault?.html) {
      const page = typeof fault.html === 'string' ? fault.html : HTML_PAGE;
      cors(res).writeHead(fault.status ?? 200, { 'content-type': fault.contentType ?? 'text/html; charset=utf-8' }).end(page);
      return;
    }
    if (fault?.status && fault.status !== 200) return openAiError(res, fault.status, fault.message, fault);
    if (!early) {
      cors(res).writeHead(200, headers);
      record.headersAt = performance.now();
    }
    record.bytesTotal = audio.bytes.length;
    await sendAudio(res, record, audio, fault ?? {}, sse, gone, markReset);
  }

  /** Writes the audio paced, faulted, and never faster than the client reads. */
  async function sendAudio(res: ServerResponse, record: RecordedRequest, audio: ServedAudio, fault: Fault, sse: boolean, gone: () => boolean, markReset: () => void): Promise<void> {
    const { bytes } = audio;
    const chunk = Math.max(1, Math.floor(options.chunkBytes ?? 4096));
    const bytesPerMs = (bytes.length / Math.max(audio.seconds, 1e-6) / 1000) * (options.realtimeFactor ?? Infinity);
    const random = prng((options.seed ?? 1) * 1000003 + record.id);
    const { stallAfterBytes: stallAt, resetAfterBytes: resetAt } = fault;
    const first = Math.max(1, Math.floor(options.firstChunkBytes ?? chunk));
    // The first write's bytes past one chunk cost no time: the schedule starts that much earlier.
    let origin = performance.now() - (Number.isFinite(bytesPerMs) ? Math.max(0, first - chunk) / bytesPerMs : 0);
    let stalled = false;
    let lastWrite: Promise<unknown> = Promise.resolve();
    // Bounded: pos grows by at least one byte a turn.
    for (let pos = 0, turn = 0; pos < bytes.length; turn++) {
      if (stallAt !== undefined && !stalled && pos >= stallAt) {
        stalled = true;
        const from = performance.now();
        await sleep(fault.stallMs ?? 0, res);
        origin += performance.now() - from; // a stall delays the schedule; it does not cause a burst after
        if (gone()) return;
        if (fault.afterStall === 'end') break;
      }
      if (resetAt !== undefined && pos >= resetAt) {
        // The bytes before the reset must reach the client: wait until they left, then cut.
        await Promise.race([lastWrite, sleep(1000, res)]);
        markReset();
        res.socket?.destroy();
        return;
      }
      let end = Math.min(bytes.length, pos + (pos === 0 ? first : chunk));
      if (stallAt !== undefined && !stalled && stallAt > pos) end = Math.min(end, stallAt);
      if (resetAt !== undefined) end = Math.min(end, resetAt);
      const jitter = options.jitterMs ? random() * options.jitterMs : 0;
      const due = Number.isFinite(bytesPerMs) ? origin + pos / bytesPerMs + jitter : performance.now() + jitter;
      if (due - performance.now() >= 1) await sleep(due - performance.now(), res);
      else if (turn % 32 === 31) await new Promise((resolve) => setImmediate(resolve)); // let the client's side of this process run
      if (gone()) return;
      const piece = bytes.subarray(pos, end);
      const data = sse ? `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from(piece).toString('base64') })}\n\n` : piece;
      let wrote = (): void => {};
      lastWrite = new Promise<void>((resolve) => (wrote = resolve));
      const ok = res.write(data, () => wrote());
      record.firstByteAt ??= performance.now();
      record.bytesSent = pos = end;
      // Honest backpressure: a client that stops reading stops the server here.
      if (!ok) await drained(res);
      if (gone()) return;
    }
    if (sse) res.write(`data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } })}\n\n`);
    res.end();
  }

  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    port,
    requests,
    speechRequests: () => requests.filter((r) => r.path === `${base}/audio/speech` && r.method === 'POST'),
    enqueue: (...more) => void faults.push(...more),
    setDefault: (fault) => void (defaultFault = fault),
    set: (more) => void (options = { ...options, ...more }),
    openRequests: () => requests.filter((r) => r.outcome === 'open').length,
    close: async () => {
      closing = true;
      for (const wake of [...sleepers]) wake();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Resolves when the client has read enough for writing to go on, or has gone. */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function validate(body: Record<string, unknown>): { message: string; param: string } | null {
  const missing = (param: string): { message: string; param: string } => ({ message: `Missing required parameter: '${param}'.`, param });
  if (typeof body.model !== 'string' || !body.model) return missing('model');
  if (typeof body.input !== 'string' || !body.input) return missing('input');
  if (body.input.length > MAX_INPUT) {
    return { message: `Invalid 'input': string too long. Expected a string with maximum length ${MAX_INPUT}, but got a string with length ${body.input.length} instead.`, param: 'input' };
  }
  if (typeof body.voice !== 'string' || !body.voice) return missing('voice');
  if (body.response_format !== undefined && !isAudioFormat(String(body.response_format))) {
    return { message: `Invalid value: '${String(body.response_format)}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`, param: 'response_format' };
  }
  if (body.speed !== undefined && !(typeof body.speed === 'number' && body.speed >= 0.25 && body.speed <= 4)) {
    return { message: `Invalid 'speed': expected a number from 0.25 to 4.0, got ${JSON.stringify(body.speed)}.`, param: 'speed' };
  }
  if (body.instructions !== undefined && typeof body.instructions !== 'string') return { message: "Invalid type for 'instructions': expected a string.", param: 'instructions' };
  if (body.stream_format !== undefined && body.stream_format !== 'audio' && body.stream_format !== 'sse') {
    return { message: `Invalid value: '${String(body.stream_format)}'. Supported values are: 'sse' and 'audio'.`, param: 'stream_format' };
  }
  return null;
}

/** The body as text, or null past MAX_BODY; a client that goes away mid-body gives ''. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of req) {
      size += (part as Buffer).length;
      if (size > MAX_BODY) return null;
      parts.push(part as Buffer);
    }
  } catch {
    return '';
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Lets a browser page at another origin call the server (browser tests). */
function cors(res: ServerResponse): ServerResponse {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  res.setHeader('access-control-expose-headers', '*');
  return res;
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  cors(res).writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

const DEFAULT_ERRORS: Record<number, [message: string, type: string, code: string | null]> = {
  400: ['Invalid request.', 'invalid_request_error', null],
  401: ['Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'],
  429: ['Rate limit reached for requests.', 'requests', 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
  502: ['Bad gateway.', 'server_error', null],
  503: ['The engine is currently overloaded, please try again later.', 'server_error', null],
};

/** OpenAI's error shape: `{"error":{"message","type","param","code"}}`. */
function openAiError(res: ServerResponse, status: number, message?: string, extra: Partial<Fault> = {}): void {
  const [text, type, code] = DEFAULT_ERRORS[status] ?? [`Scripted ${status}.`, status >= 500 ? 'server_error' : 'invalid_request_error', null];
  const headers: Record<string, string> = {};
  if (extra.retryAfter !== undefined) headers['retry-after'] = extra.retryAfter;
  if (extra.retryAfterMs !== undefined) headers['retry-after-ms'] = String(extra.retryAfterMs);
  if (extra.location !== undefined) headers.location = extra.location;
  const error = { message: message ?? text, type: extra.type ?? type, param: extra.param ?? null, code: extra.code === undefined ? code : extra.code };
  json(res, status, { error }, headers);
}
