import { SpeechError } from '../errors';
import type { SpeechAudio, SpeechProvider, SpeechRequest, VoiceInfo } from '../provider';
import { ALLOWED, CANCEL, CONTROL_SLOTS, ESPEAK_SAMPLE_RATE } from './espeak-control.mjs';
import { acquireHost, poke, releaseHost, type EspeakHost } from './espeak-host';

export { ESPEAK_SAMPLE_RATE };

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

/** Options of the embedded voice. */
export interface LocalVoiceOptions {
  /** An eSpeak voice: id as voices() lists it ("en-us"), eSpeak identifier, name or language. Default en-us. */
  voice?: string;
  /** 0.25–4, 1 = normal (175 words per minute); eSpeak itself clamps to 80–450 wpm. */
  speed?: number;
  /** Where the worker script is; by default espeak.worker.mjs next to this module (or the bundle). */
  workerUrl?: URL;
}

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
  static readonly endpoint = 'embedded';
  readonly endpoints = [LocalVoiceProvider.endpoint];
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

    const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
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
        end(new SpeechError(message.kind, message.message, { endpoint: LocalVoiceProvider.endpoint }));
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

  /**
   * Starts the worker now (loading 24 MB and warming up takes about a second) instead of at
   * the first request, and speaks a word through it end to end, so this side's request path
   * has run once too: the first utterance of a page took 44-60 ms from its request to its
   * first byte, later ones 26-39 ms.
   */
  async warm(): Promise<{ startMs: number }> {
    const { startMs } = await this.use().start();
    const audio = await this.open({ text: 'Ready.', endpointIndex: 0, signal: new AbortController().signal });
    for await (const chunk of audio.body) void chunk;
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
