import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AudioFormat } from '../../shared/audio-format';
import { fixture } from './audio-files';

/** What the server sends for one request. */
export interface ServedAudio {
  bytes: Uint8Array;
  /** Seconds of audio in `bytes`, for pacing. */
  seconds: number;
  contentType: string;
}

/** A scripted misbehaviour for one request (issue 2 §5). */
export type Fault =
  | { status: number; message?: string; retryAfter?: string; retryAfterMs?: number }
  | { html: true; contentType?: string }
  | { resetAfterBytes: number }
  | { stallAfterBytes: number; stallMs: number }
  | { hangHeaders: true };

/** How the server behaves. */
export interface TtsServerOptions {
  /** Bytes for a request; default: the fixture of the requested format. */
  audio?: (format: AudioFormat, input: string) => ServedAudio;
  /** Delay before the headers and first byte. */
  ttfbMs?: number;
  /** Audio seconds sent per wall-clock second; Infinity = as fast as possible. */
  realtimeFactor?: number;
  chunkBytes?: number;
  apiKey?: string;
  /** Serve GET /v1/audio/voices like Kokoro-FastAPI. */
  voices?: string[];
}

/** One request as the server saw it. */
export interface RecordedRequest {
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  fault?: Fault;
  bytesSent: number;
  outcome: 'open' | 'finished' | 'client-aborted' | 'reset';
}

/** A running test server. */
export interface TtsServer {
  /** Base URL, `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Faults for the next requests, one each, in order. */
  enqueue(...faults: Fault[]): void;
  set(options: Partial<TtsServerOptions>): void;
  /** Requests whose response has neither finished nor been closed. */
  openRequests(): number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<AudioFormat, string> = {
  pcm: 'audio/pcm;rate=24000',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  aac: 'audio/aac',
};
const FIXTURE_FILES: Record<AudioFormat, string> = {
  pcm: 'speech-24k.pcm',
  wav: 'speech-24k.wav',
  mp3: 'speech.mp3',
  opus: 'speech.opus',
  flac: 'speech.flac',
  aac: 'speech.aac',
};
/** Seconds of speech in the `speech.*` fixtures (190472 samples at 24 kHz). */
const FIXTURE_SECONDS = 190472 / 24000;

/** The fixture of a format, as the default audio. */
export function fixtureAudio(format: AudioFormat, prefix = 'speech'): ServedAudio {
  const file = prefix === 'speech' ? FIXTURE_FILES[format] : FIXTURE_FILES[format].replace('speech', prefix);
  const bytes = fixture(file);
  const seconds = format === 'pcm' ? bytes.length / 48000 : prefix === 'speech' ? FIXTURE_SECONDS : fixture(`${prefix}-24k.pcm`).length / 48000;
  return { bytes, seconds, contentType: CONTENT_TYPES[format] };
}

const FORMATS = new Set(Object.keys(CONTENT_TYPES));
const HTML_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

/**
 * A local OpenAI-compatible speech server on 127.0.0.1 that streams real encoded audio,
 * paced like a TTS server, with scripted faults. It writes with respect to backpressure,
 * so a client that stops reading really stops it.
 */
export async function startTtsServer(initial: TtsServerOptions = {}): Promise<TtsServer> {
  let options: TtsServerOptions = { ttfbMs: 0, realtimeFactor: Infinity, chunkBytes: 4096, ...initial };
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closing = false;

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the test server must fail loudly, not hang the client.
      console.error('tts-server:', error);
      res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/v1/audio/voices' && options.voices) return json(res, 200, { voices: options.voices });
    if (req.method === 'GET' && req.url === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'tts-1', object: 'model' }] });
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') return openAiError(res, 404, `Unknown route ${req.method} ${req.url}`);
    const body = await readJson(req);
    const record: RecordedRequest = { body: body ?? {}, headers: req.headers, bytesSent: 0, outcome: 'open' };
    requests.push(record);
    res.on('close', () => {
      if (record.outcome === 'open') record.outcome = res.writableFinished ? 'finished' : 'client-aborted';
    });
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return openAiError(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
    }
    const problem = validate(body);
    if (problem) return openAiError(res, 400, problem);
    const fault = faults.shift();
    record.fault = fault;
    if (fault && 'hangHeaders' in fault) return; // never answers; the client must time out
    await wait(options.ttfbMs ?? 0);
    if (closing || res.destroyed) return;
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = {};
      if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
      if (fault.retryAfterMs) headers['retry-after-ms'] = String(fault.retryAfterMs);
      return openAiError(res, fault.status, fault.message ?? `Scripted ${fault.status}`, null, headers);
    }
    if (fault && 'html' in fault) {
      res.writeHead(200, { 'content-type': fault.contentType ?? 'text/html' });
      res.end(HTML_PAGE);
      return;
    }
    const format = ((body!.response_format as string) ?? 'mp3') as AudioFormat;
    const audio = options.audio ? options.audio(format, String(body!.input)) : fixtureAudio(format);
    res.writeHead(200, { 'content-type': audio.contentType, 'transfer-encoding': 'chunked' });
    await stream(res, audio, fault, record);
  }

  async function stream(res: ServerResponse, audio: ServedAudio, fault: Fault | undefined, record: RecordedRequest): Promise<void> {
    const chunk = options.chunkBytes ?? 4096;
    const bytesPerSecond = (audio.bytes.length / audio.seconds) * (options.realtimeFactor ?? Infinity);
    const started = performance.now();
    let stalled = false;
    for (let pos = 0; pos < audio.bytes.length; ) {
      if (closing || res.destroyed) return;
      if (fault && 'resetAfterBytes' in fault && pos >= fault.resetAfterBytes) {
        record.outcome = 'reset';
        res.socket?.destroy();
        return;
      }
      if (fault && 'stallAfterBytes' in fault && !stalled && pos >= fault.stallAfterBytes) {
        stalled = true;
        await wait(fault.stallMs);
        if (closing || res.destroyed) return;
      }
      const end = Math.min(audio.bytes.length, pos + chunk);
      const ok = res.write(audio.bytes.subarray(pos, end));
      record.bytesSent = end;
      pos = end;
      // Honest backpressure: wait for the client to read before writing more.
      if (!ok) await drained(res);
      if (Number.isFinite(bytesPerSecond)) {
        const due = (pos / bytesPerSecond) * 1000 - (performance.now() - started);
        if (due > 0) await wait(due);
      } else if (pos % (chunk * 16) === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    if (!res.destroyed) res.end();
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue: (...more) => faults.push(...more),
    set: (more) => (options = { ...options, ...more }),
    openRequests: () => requests.filter((r) => r.outcome === 'open').length,
    close: async () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves when the client has read enough for writing to go on (or has gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function validate(body: Record<string, unknown> | null): string | null {
  if (!body) return 'The request body is not valid JSON.';
  if (typeof body.input !== 'string' || !body.input) return "Missing required parameter: 'input'.";
  if (body.input.length > 4096) return "Invalid 'input': string too long. Expected a string with maximum length 4096.";
  if (typeof body.voice !== 'string' || !body.voice) return "Missing required parameter: 'voice'.";
  if (typeof body.model !== 'string' || !body.model) return "Missing required parameter: 'model'.";
  if (body.response_format !== undefined && !FORMATS.has(String(body.response_format))) {
    return `Invalid value: '${String(body.response_format)}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`;
  }
  return null;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** OpenAI's error shape. */
function openAiError(res: ServerResponse, status: number, message: string, code: string | null = null, headers: Record<string, string> = {}): void {
  json(res, status, { error: { message, type: status === 429 ? 'rate_limit_error' : 'invalid_request_error', param: null, code } }, headers);
}
