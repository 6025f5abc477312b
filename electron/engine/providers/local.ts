import { Worker } from 'node:worker_threads';
import { SpeechError, type SpeechErrorKind } from '../errors';
import type { SpeechAudio, SpeechProvider, SpeechRequest, VoiceInfo, WordMark } from '../provider';

/** eSpeak NG's output: 22050 Hz mono 16-bit. */
export const ESPEAK_SAMPLE_RATE = 22050;
/** eSpeak's normal rate in words per minute, at speed 1. */
const NORMAL_WPM = 175;
/** eSpeak's own limits; outside them it silently clamps (so speed is effective in 0.46–2.57). */
const MIN_WPM = 80;
const MAX_WPM = 450;
/**
 * How far synthesis may run ahead of the reader: 3 s of audio (132 kB). eSpeak makes audio
 * 100× faster than real time once warm, so refilling is instant.
 */
const AHEAD_SAMPLES = 3 * ESPEAK_SAMPLE_RATE;
/** How much a request whose reader stalled may make while another waits behind it (spec B4). */
const FLUSH_SAMPLES = 180 * ESPEAK_SAMPLE_RATE;
/** Slots of the shared control block (espeak.worker.mjs explains them). */
const CANCEL = 0;
const ALLOWED = 1;
const FLUSH = 2;
const SEQ = 3;

/** Options of the embedded voice. */
export interface LocalVoiceOptions {
  /** An eSpeak voice: id as voices() lists it ("en-us"), eSpeak identifier, name or language. Default en-us. */
  voice?: string;
  /** 0.25–4, 1 = normal (175 words per minute); eSpeak itself clamps to 80–450 wpm. */
  speed?: number;
  /** Where the worker script is; by default espeak.worker.mjs next to this module (or the bundle). */
  workerUrl?: URL;
}

type Ready = { voices: { id: string; name: string; language?: string }[]; startMs: number };

type WorkerMessage =
  | ({ type: 'ready' } & Ready)
  | { type: 'fatal'; message: string }
  | { type: 'audio'; id: number; samples: Int16Array; words: WordMark[] }
  | { type: 'done'; id: number; cancelled: boolean }
  | { type: 'error'; id: number; kind: SpeechErrorKind; message: string };

type JobMessage = Extract<WorkerMessage, { id: number }>;

/**
 * The embedded offline voice: eSpeak NG (compiled to JS by Emscripten) in a worker thread,
 * handing out 22050 Hz s16le PCM while it synthesizes, with word marks. One worker serves
 * every instance (a settings change makes a new provider; it should not cost a 1 s restart).
 *
 * Memory: synthesis stays at most 3 s of audio (132 kB) ahead of its reader. When another
 * request queues behind one whose reader has stopped, that one may go on to 3 minutes of
 * audio (8 MB) so the queue does not stall: enough to finish any segment of maxInputChars
 * (about 60 s at normal speed), which is what the engine sends.
 */
export class LocalVoiceProvider implements SpeechProvider {
  readonly id = 'local' as const;
  readonly endpoints = ['embedded'];
  /** What the engine's segments stay under; longer text is spoken too. */
  readonly maxInputChars = 1000;
  private host: EspeakHost | null = null;

  constructor(private readonly options: LocalVoiceOptions = {}) {}

  /** Speaks one segment; the body streams as eSpeak produces audio. */
  async open(request: SpeechRequest): Promise<SpeechAudio> {
    const { text, signal } = request;
    if (!text.trim()) throw new SpeechError('input', 'There is no text to speak: it is empty.');
    const speed = this.options.speed ?? 1;
    if (!(speed >= 0.25 && speed <= 4)) throw new SpeechError('config', `speed = ${speed} (must be 0.25–4).`);
    if (signal.aborted) throw new SpeechError('cancelled', 'Cancelled.');

    const control = new Int32Array(new SharedArrayBuffer(16));
    control[ALLOWED] = AHEAD_SAMPLES;
    let enqueued = 0;
    let ended = false;
    let stream!: ReadableStreamDefaultController<Uint8Array>;
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      signal.removeEventListener('abort', onAbort);
      if (error) stream.error(error);
      else stream.close();
    };
    const onAbort = (): void => {
      poke(control, CANCEL, 1);
      end(new SpeechError('cancelled', 'Cancelled.'));
    };
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          stream = controller;
        },
        // Called whenever the queue drops below the mark: let the worker run that far ahead.
        pull: (controller) => poke(control, ALLOWED, enqueued + Math.max(0, controller.desiredSize ?? 0) / 2),
        cancel: () => {
          ended = true;
          signal.removeEventListener('abort', onAbort);
          poke(control, CANCEL, 1);
        },
      },
      { highWaterMark: AHEAD_SAMPLES * 2, size: (chunk) => chunk.byteLength },
    );
    signal.addEventListener('abort', onAbort, { once: true });

    this.use().synthesize({ text, voice: this.options.voice || 'en-us', rate: wordsPerMinute(speed), control }, (message) => {
      if (ended) return;
      if (message.type === 'audio') {
        try {
          for (const word of message.words) request.onWord?.(word);
        } catch (error) {
          poke(control, CANCEL, 1);
          return end(error);
        }
        if (message.samples.length) stream.enqueue(toBytes(message.samples));
        enqueued += message.samples.length;
      } else if (message.type === 'done') {
        end(message.cancelled ? new SpeechError('cancelled', 'Cancelled.') : undefined);
      } else if (message.type === 'error') {
        end(new SpeechError(message.kind, message.message, { endpoint: 'embedded' }));
      }
    });
    return {
      body,
      contentType: `audio/pcm;rate=${ESPEAK_SAMPLE_RATE}`,
      declared: { format: 'pcm', sampleRate: ESPEAK_SAMPLE_RATE, channels: 1 },
    };
  }

  /** eSpeak's voices (about 140 languages and accents). */
  async voices(signal?: AbortSignal): Promise<VoiceInfo[]> {
    const { voices } = await abortable(this.use().start(), signal);
    return voices.map((v) => ({ id: v.id, name: v.name, language: v.language, source: 'builtin' }));
  }

  /** Starts the worker now (loading 24 MB and warming up takes about a second) instead of at the first request. */
  async warm(): Promise<{ startMs: number }> {
    const { startMs } = await this.use().start();
    return { startMs };
  }

  /** Lets go of the worker; the last provider to close terminates it, ending its requests. */
  async close(): Promise<void> {
    const host = this.host;
    this.host = null;
    if (host) await releaseHost(host);
  }

  private use(): EspeakHost {
    // Next to this module in development (vitest, tsx), next to the bundle when built.
    return (this.host ??= acquireHost(this.options.workerUrl ?? new URL('./espeak.worker.mjs', import.meta.url)));
  }
}

/** speed 1 = 175 wpm, clamped to what eSpeak accepts. */
function wordsPerMinute(speed: number): number {
  return Math.round(Math.min(MAX_WPM, Math.max(MIN_WPM, NORMAL_WPM * speed)));
}

/** Writes a control slot and wakes the worker if it sleeps in Atomics.wait. */
function poke(control: Int32Array, slot: number, value: number): void {
  Atomics.store(control, slot, value);
  Atomics.add(control, SEQ, 1);
  Atomics.notify(control, SEQ);
}

/** Int16 samples as little-endian bytes (every platform Utter runs on is little-endian). */
function toBytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new SpeechError('cancelled', 'Cancelled.'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new SpeechError('cancelled', 'Cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const hosts = new Map<string, EspeakHost>();

function acquireHost(url: URL): EspeakHost {
  const where = unpacked(url);
  let host = hosts.get(where.href);
  if (!host) hosts.set(where.href, (host = new EspeakHost(where)));
  host.users++;
  return host;
}

async function releaseHost(host: EspeakHost): Promise<void> {
  if (--host.users > 0) return;
  hosts.delete(host.url.href);
  await host.stop();
}

/**
 * Packaged, the bundle runs from app.asar, but worker_threads needs a real file:
 * electron-builder unpacks the worker (asarUnpack) to app.asar.unpacked beside it.
 */
function unpacked(url: URL): URL {
  return url.protocol === 'file:' ? new URL(url.href.replace(/\/app\.asar\//, '/app.asar.unpacked/')) : url;
}

/** The one worker thread: started lazily, its requests run in order of arrival. */
class EspeakHost {
  users = 0;
  private worker: Worker | null = null;
  private ready: Promise<Ready> | null = null;
  private readonly jobs = new Map<number, { control: Int32Array; listener: (message: JobMessage) => void }>();
  private nextId = 1;

  constructor(readonly url: URL) {}

  /** Resolves when eSpeak is loaded and warm; rejects with a SpeechError if it cannot start. */
  start(): Promise<Ready> {
    if (this.ready) return this.ready;
    const worker = new Worker(this.url, { name: 'utter-espeak' });
    this.worker = worker;
    let started = false;
    const ready = new Promise<Ready>((resolve, reject) => {
      // Before 'ready' nothing will fix itself (a missing file): not worth a retry. After, a
      // crash is, on a fresh worker.
      const fail = (why: string): void => {
        const error = started
          ? new SpeechError('server', `The embedded voice stopped (${why}); it restarts on the next request.`, { endpoint: 'embedded' })
          : new SpeechError('unsupported', `The embedded voice cannot start: ${why}`, { endpoint: 'embedded' });
        reject(error);
        this.crashed(worker, error);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          started = true;
          resolve(message);
          this.idleCheck();
        } else if (message.type === 'fatal') {
          fail(message.message);
        } else {
          const job = this.jobs.get(message.id);
          if (message.type === 'done' || message.type === 'error') this.finish(message.id);
          job?.listener(message);
        }
      });
      worker.on('error', (error) => fail(error.message));
      worker.on('exit', (code) => fail(`exit ${code}`));
    });
    // The caller may not be waiting; failures also reach every job.
    ready.catch(() => {});
    this.ready = ready;
    return ready;
  }

  /** Queues one synthesis; the listener gets its audio, then 'done' or 'error'. */
  synthesize(job: { text: string; voice: string; rate: number; control: Int32Array }, listener: (message: JobMessage) => void): void {
    void this.start();
    // A request queued behind one whose reader paused would wait forever: let that one finish.
    for (const { control } of this.jobs.values()) poke(control, FLUSH, FLUSH_SAMPLES);
    const id = this.nextId++;
    this.jobs.set(id, { control: job.control, listener });
    this.worker!.ref();
    this.worker!.postMessage({ type: 'synthesize', id, text: job.text, voice: job.voice, rate: job.rate, control: job.control.buffer });
  }

  /** Terminates the worker; open requests end with 'cancelled'. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.crashed(worker, new SpeechError('cancelled', 'The embedded voice was closed.'));
    await worker.terminate();
  }

  private finish(id: number): void {
    this.jobs.delete(id);
    this.idleCheck();
  }

  /** An idle worker must not keep the process (the CLI, a test run) alive. */
  private idleCheck(): void {
    if (this.jobs.size === 0) this.worker?.unref();
  }

  private crashed(worker: Worker, error: SpeechError): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = null;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const { control, listener } of jobs) {
      poke(control, CANCEL, 1);
      listener({ type: 'error', id: 0, kind: error.kind, message: error.message });
    }
    worker.removeAllListeners('exit');
    void worker.terminate();
  }
}
