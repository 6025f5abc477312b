import { Worker } from 'node:worker_threads';
import { SpeechError, type SpeechErrorKind } from '../errors';
import type { SpeechAudio, SpeechProvider, SpeechRequest, VoiceInfo, WordMark } from '../provider';

/** eSpeak NG's output: 22050 Hz mono 16-bit. */
export const ESPEAK_SAMPLE_RATE = 22050;
/** eSpeak's normal rate in words per minute, at speed 1. */
const NORMAL_WPM = 175;

/** Options of the embedded voice. */
export interface LocalVoiceOptions {
  /** An eSpeak voice id, language ("en-us") or name; default en-us. */
  voice?: string;
  /** 0.25–4, 1 = normal. */
  speed?: number;
  /** Where the worker script is; the packaged app passes the copy next to its bundle. */
  workerUrl?: URL;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'voices'; id: number; voices: { id: string; name: string; language?: string }[] }
  | { type: 'audio'; id: number; samples: Int16Array; words: WordMark[] }
  | { type: 'done'; id: number; cancelled: boolean }
  | { type: 'error'; id: number; kind: SpeechErrorKind; message: string };

/**
 * The embedded offline voice: eSpeak NG compiled to WASM, synthesizing in a worker thread
 * and handing out audio as it goes, with word timings. Utter speaks out of the box with it.
 * Requests run one at a time in the worker; a segment is at most maxInputChars, which
 * bounds what one request can buffer (about a minute of audio, 2.6 MB).
 */
export class LocalVoiceProvider implements SpeechProvider {
  readonly id = 'local' as const;
  readonly endpoints = ['embedded'];
  readonly maxInputChars = 1000;
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly listeners = new Map<number, (message: WorkerMessage) => void>();

  constructor(private readonly options: LocalVoiceOptions = {}) {}

  async open(request: SpeechRequest): Promise<SpeechAudio> {
    if (!request.text.trim()) throw new SpeechError('input', 'There is no text to speak: it is empty.');
    if (request.signal.aborted) throw new SpeechError('cancelled', 'Cancelled.');
    const worker = this.start();
    const id = this.nextId++;
    const abort = new SharedArrayBuffer(4);
    const cancel = (): void => {
      Atomics.store(new Int32Array(abort), 0, 1);
    };
    let ended = false;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const finish = (): void => {
          ended = true;
          this.listeners.delete(id);
          request.signal.removeEventListener('abort', onAbort);
        };
        const onAbort = (): void => {
          cancel();
          if (ended) return;
          finish();
          controller.error(new SpeechError('cancelled', 'Cancelled.'));
        };
        request.signal.addEventListener('abort', onAbort, { once: true });
        this.listeners.set(id, (message) => {
          if (message.type === 'audio') {
            for (const word of message.words) request.onWord?.(word);
            if (message.samples.length) controller.enqueue(toBytes(message.samples));
          } else if (message.type === 'done') {
            finish();
            controller.close();
          } else if (message.type === 'error') {
            finish();
            controller.error(new SpeechError(message.kind, message.message));
          }
        });
      },
      cancel: () => cancel(),
    });
    worker.postMessage({
      type: 'synthesize',
      id,
      text: request.text,
      voice: this.options.voice || 'en-us',
      rate: Math.round(Math.min(450, Math.max(80, NORMAL_WPM * (this.options.speed ?? 1)))),
      abort,
    });
    return {
      body,
      contentType: `audio/pcm;rate=${ESPEAK_SAMPLE_RATE}`,
      declared: { format: 'pcm', sampleRate: ESPEAK_SAMPLE_RATE, channels: 1 },
    };
  }

  async voices(): Promise<VoiceInfo[]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.listeners.set(id, (message) => {
        if (message.type !== 'voices') return;
        this.listeners.delete(id);
        resolve(message.voices.map((v) => ({ id: v.language ?? v.id, name: v.name, language: v.language, source: 'builtin' })));
      });
      worker.postMessage({ type: 'voices', id });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** Starts the worker on first use; it loads the 24 MB voice data once. */
  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerUrl ?? new URL('./espeak.worker.mjs', import.meta.url));
    worker.on('message', (message: WorkerMessage) => {
      if ('id' in message) this.listeners.get(message.id)?.(message);
    });
    worker.on('error', (error) => this.failAll(`The embedded voice failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.failAll(`The embedded voice stopped (exit ${code}).`);
      if (this.worker === worker) this.worker = null;
    });
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    for (const [id, listener] of this.listeners) listener({ type: 'error', id, kind: 'bad-audio', message });
    this.listeners.clear();
  }
}

/** Int16 samples as little-endian bytes (every platform Utter runs on is little-endian). */
function toBytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
