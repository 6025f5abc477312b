import type { Settings } from '../../shared/config/schema';
import { SincResampler } from '../../shared/audio/sinc-resampler';
import { createDecoder } from '../../shared/decoders';
import type { DecodedAudio, StreamDecoder } from '../../shared/decoders/types';
import { SpeechError } from '../engine/errors';
import type { EngineEvent, ErrorInfo } from '../../shared/speech-events';
import type { SpeechProvider } from '../engine/provider';
import type { RetryPolicy } from '../engine/retry';
import { Utterance } from '../engine/utterance';
import { WavWriter } from './wav-writer';

/** What `utter speak --json` prints. */
export interface SpeakReport {
  ttfbMs: number;
  /** Request → first decoded sample. */
  firstAudioMs: number;
  totalMs: number;
  audioSeconds: number;
  sampleRate: number;
  channels: number;
  format: string;
  segments: number;
  bytes: number;
  retries: number;
  failovers: number;
  restarts: number;
  skippedFrames: number;
  out: string;
}

/** Progress lines for a terminal. */
export type ProgressListener = (line: string) => void;

/**
 * Runs the engine and the same decoders as the app, and writes exactly the decoded audio
 * to a WAV file at the stream's own rate and channel count. A segment that restarts
 * replaces its partial audio, so the file holds each segment once.
 */
export async function speakToFile(
  text: string,
  options: {
    settings: Settings;
    provider: SpeechProvider;
    out: string;
    onProgress?: ProgressListener;
    signal?: AbortSignal;
    retryPolicy?: Partial<RetryPolicy>;
    /** Sees every engine event too (tests, progress). */
    onEvent?: (event: EngineEvent) => void;
  },
): Promise<SpeakReport> {
  const started = performance.now();
  // A decoding failure stops the engine too, or it would wait for credit forever.
  const sink = new DecodingSink(options.out, () => utterance.stop());
  let failure: ErrorInfo | undefined;
  let endMetrics: Extract<EngineEvent, { type: 'end' }>['metrics'] | undefined;
  const { provider, settings, retryPolicy } = options;
  const utterance = new Utterance(text, { provider, settings, retryPolicy }, (event) => {
    options.onEvent?.(event);
    if (event.type === 'error') failure = event.error;
    if (event.type === 'end') endMetrics = event.metrics;
    if (event.type === 'retry') options.onProgress?.(`retrying segment ${event.segmentIndex + 1} in ${event.delayMs} ms: ${event.error.message}`);
    if (event.type === 'failover') options.onProgress?.(`failing over from ${event.from} to ${event.to}: ${event.error.message}`);
    if (event.type === 'segment-start') options.onProgress?.(`segment ${event.segment.index + 1}: ${event.format}${event.restart ? ' (restarted)' : ''}`);
    sink.accept(event, () => utterance.credit({ consumedBytes: sink.consumedBytes, bufferedMs: 0 }));
  });
  const onAbort = (): void => utterance.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await utterance.done;
    await sink.finished();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    sink.close();
  }
  if (sink.failure) throw sink.failure;
  if (failure) throw new SpeechError(failure.kind, failure.message, { status: failure.status, endpoint: failure.endpoint });
  const metrics = endMetrics!;
  if (!sink.frames) throw new SpeechError('bad-audio', 'The server sent audio that decodes to no samples.');
  return {
    ttfbMs: metrics.ttfbMs,
    firstAudioMs: sink.firstAudioAt < 0 ? -1 : Math.round(sink.firstAudioAt - started),
    totalMs: Math.round(performance.now() - started),
    audioSeconds: sink.frames / sink.sampleRate,
    sampleRate: sink.sampleRate,
    channels: sink.channels,
    format: [...sink.formats].join(','),
    segments: metrics.segments,
    bytes: metrics.bytes,
    retries: metrics.retries,
    failovers: metrics.failovers,
    restarts: sink.restarts,
    skippedFrames: sink.skippedFrames,
    out: options.out,
  };
}

/** Decodes engine events in order and writes the audio; reports credit as it goes. */
class DecodingSink {
  consumedBytes = 0;
  firstAudioAt = -1;
  restarts = 0;
  skippedFrames = 0;
  failure: SpeechError | undefined;
  readonly formats = new Set<string>();
  private work: Promise<void> = Promise.resolve();
  private decoder: StreamDecoder | null = null;
  private writer: WavWriter | null = null;
  /** Per channel, while a segment's rate differs from the file's (a failover to another server). */
  private resamplers: SincResampler[] = [];
  /** First frame of each segment in the file, to rewind to on a restart. */
  private segmentStartFrame = new Map<number, number>();

  constructor(
    private readonly path: string,
    private readonly onFailure: () => void,
  ) {}

  get frames(): number {
    return this.writer?.frameCount ?? 0;
  }
  get sampleRate(): number {
    return this.writer?.sampleRate ?? 0;
  }
  get channels(): number {
    return this.writer?.channels ?? 0;
  }

  /** Queues one event; decoding is async, events are handled strictly in order. */
  accept(event: EngineEvent, afterChunk: () => void): void {
    this.work = this.work.then(async () => {
      if (this.failure) return;
      try {
        await this.handle(event);
      } catch (error) {
        this.failure =
          error instanceof SpeechError
            ? error
            : new SpeechError(
                (error as Error).name === 'UnsupportedFormatError' ? 'unsupported' : 'bad-audio',
                `The audio could not be decoded: ${(error as Error).message}`,
              );
        this.onFailure();
      }
      if (event.type === 'chunk') afterChunk();
    });
  }

  finished(): Promise<void> {
    return this.work;
  }

  close(): void {
    this.decoder?.free();
    this.writer?.close();
  }

  private async handle(event: EngineEvent): Promise<void> {
    switch (event.type) {
      case 'segment-start': {
        if (event.restart) {
          this.restarts++;
          this.writer?.truncate(this.segmentStartFrame.get(event.segment.index) ?? 0);
        }
        this.segmentStartFrame.set(event.segment.index, this.frames);
        this.formats.add(event.format);
        await this.finishDecoder(false);
        const decoder = createDecoder(event.format, { pcmSampleRate: event.sampleRate, pcmChannels: event.channels });
        this.decoder = decoder;
        await decoder.ready;
        return;
      }
      case 'chunk':
        this.consumedBytes += event.bytes.length;
        if (this.decoder) this.write(await this.decoder.push(event.bytes));
        return;
      case 'segment-end':
        await this.finishDecoder(true);
        return;
    }
  }

  private async finishDecoder(flush: boolean): Promise<void> {
    const decoder = this.decoder;
    if (!decoder) return;
    this.decoder = null;
    try {
      if (flush) this.write(await decoder.flush());
      // The resampler holds a few samples back: they end the segment too.
      if (flush && this.resamplers.length) this.writer!.write(this.resamplers.map((r) => r.flush()));
      this.skippedFrames += decoder.stats.skippedFrames;
    } finally {
      decoder.free();
      this.resamplers = [];
    }
  }

  private write(audio: DecodedAudio): void {
    if (!audio.samplesDecoded) return;
    if (this.firstAudioAt < 0) this.firstAudioAt = performance.now();
    if (!this.writer) this.writer = new WavWriter(this.path, audio.sampleRate, audio.channelData.length);
    let channels = audio.channelData;
    if (audio.sampleRate !== this.writer.sampleRate) {
      // A failover to a server with another rate: the file keeps its first rate.
      if (this.resamplers[0]?.fromRate !== audio.sampleRate) {
        this.resamplers = channels.map(() => new SincResampler(audio.sampleRate, this.writer!.sampleRate));
      }
      channels = channels.map((data, c) => this.resamplers[c].process(data));
    }
    this.writer.write(channels);
  }
}
