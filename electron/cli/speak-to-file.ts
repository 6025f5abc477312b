import type { LinkEstimates } from '../engine/link-estimate';
import type { Pronunciations } from '../engine/pronunciation';
import type { Settings } from '../../shared/config/schema';
import { DecodeFailure, UtteranceDecoder } from '../../shared/playback/utterance-decoder';
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
  /** What the server's audio turned out to be, each kind once in order ("Ogg Vorbis, 24 kHz, mono"). */
  received: string;
  segments: number;
  bytes: number;
  retries: number;
  failovers: number;
  restarts: number;
  /** Restarts that brought another rendering, so the segment was written again from its start. */
  replays: number;
  /** Damaged audio skipped (spec E2): frames, and how long they were. */
  skippedFrames: number;
  skippedMs: number;
  out: string;
}

/** Progress lines for a terminal. */
export type ProgressListener = (line: string) => void;

/**
 * Runs the engine and the app's own path from engine events to audio (UtteranceDecoder),
 * and writes exactly the decoded audio to a WAV file at the stream's own rate and channel
 * count. A segment that restarts skips what it already gave, so the file holds each once;
 * one that comes back as another rendering replaces what it gave.
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
    /** Learns each endpoint's link (spec B2). */
    links?: LinkEstimates;
    /** The user's pronunciation dictionary. */
    pronunciations?: Pronunciations;
  },
): Promise<SpeakReport> {
  const started = performance.now();
  const { provider, settings, retryPolicy } = options;
  // Opened at the first audio, when the rate and channels are known.
  let writer = null as WavWriter | null;
  const decoder = new UtteranceDecoder({
    channels: 'stream',
    streaming: true,
    pcmSampleRate: settings.pcmSampleRate,
    // The segment being replaced is the last one written.
    onReplay: (_segment, frames) => writer?.rewind(frames),
  });
  let failure: ErrorInfo | undefined;
  let decodeError: SpeechError | undefined;
  let writeError: Error | undefined;
  let endMetrics: Extract<EngineEvent, { type: 'end' }>['metrics'] | undefined;
  const formats = new Set<string>();
  const received = new Set<string>();
  // Decoding is async: events are handled strictly in order, one after the other.
  let work = Promise.resolve();
  const utterance = new Utterance(text, { provider, settings, retryPolicy, links: options.links, pronunciations: options.pronunciations }, (event) => {
    options.onEvent?.(event);
    if (event.type === 'error') failure = event.error;
    if (event.type === 'end') endMetrics = event.metrics;
    if (event.type === 'retry') options.onProgress?.(`retrying segment ${event.segmentIndex + 1} in ${event.delayMs} ms: ${event.error.message}`);
    if (event.type === 'failover') options.onProgress?.(`failing over from ${event.from} to ${event.to}: ${event.error.message}`);
    if (event.type === 'notice') options.onProgress?.(event.message);
    if (event.type === 'segment-start') {
      formats.add(event.format);
      const restarted = event.replay ? ' (restarted: another rendering, written again from its start)' : event.restart ? ' (restarted)' : '';
      options.onProgress?.(`segment ${event.segment.index + 1}: ${event.format}${restarted}`);
    }
    work = work.then(async () => {
      if (decodeError) return;
      try {
        for (const block of await decoder.accept(event)) {
          writer ??= new WavWriter(options.out, decoder.format!.sampleRate, decoder.format!.channels);
          writer.write(block);
        }
        if (decoder.received) received.add(decoder.received);
      } catch (error) {
        // The file could not be written (a full disk, no permission): that, not the audio, failed.
        if ((error as NodeJS.ErrnoException).code) writeError ??= error as Error;
        const info = error instanceof DecodeFailure ? error.info : { kind: 'bad-audio' as const, message: `The audio could not be decoded: ${(error as Error).message}` };
        decodeError = new SpeechError(info.kind, info.message);
        // The engine would wait for credit forever.
        utterance.stop();
      }
      // How much audio the bytes made: the engine learns the link's pace from it (spec B2).
      const format = decoder.format;
      const decodedMs = format ? (decoder.metrics.decodedFrames / format.sampleRate) * 1000 : 0;
      if (event.type === 'chunk') utterance.credit({ consumedBytes: decoder.consumedBytes, bufferedMs: 0, decodedMs });
    });
  });
  const onAbort = (): void => utterance.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const restoreLogs = quietDecoderLogs();
  try {
    await utterance.done;
    await work;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    restoreLogs();
    decoder.close();
    writer?.close();
  }
  if (writeError) throw writeError;
  if (decodeError) throw decodeError;
  if (failure) throw new SpeechError(failure.kind, failure.message, { status: failure.status, endpoint: failure.endpoint, tooLongToWait: failure.tooLongToWait });
  const metrics = endMetrics!;
  if (!writer?.frameCount) throw new SpeechError('bad-audio', 'The server sent audio that decodes to no samples.');
  const { firstDecodedAt, restarts, replays, skippedFrames, skippedMs } = decoder.metrics;
  return {
    ttfbMs: metrics.ttfbMs,
    firstAudioMs: firstDecodedAt < 0 ? -1 : Math.round(firstDecodedAt - started),
    totalMs: Math.round(performance.now() - started),
    audioSeconds: writer.frameCount / writer.sampleRate,
    sampleRate: writer.sampleRate,
    channels: writer.channels,
    format: [...formats].join(','),
    received: [...received].join('; '),
    segments: metrics.segments,
    bytes: metrics.bytes,
    retries: metrics.retries,
    failovers: metrics.failovers,
    restarts,
    replays,
    skippedFrames,
    skippedMs: Math.round(skippedMs),
    out: options.out,
  };
}

/** The WASM decoders' own lines, printed for every damaged frame. */
const DECODER_LOG = /^(@wasm-audio-decoders\/|mpg123-decoder:|libopus -)/;

/**
 * Keeps the decoders' per-frame complaints off a terminal: the damage is counted and said
 * once (the report's skippedMs and its warning). Returns what puts console.error back.
 */
function quietDecoderLogs(): () => void {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && DECODER_LOG.test(args[0])) return;
    original(...args);
  };
  return () => {
    console.error = original;
  };
}
