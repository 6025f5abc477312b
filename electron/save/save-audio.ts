// "Save audio…": a text spoken through the app's own path (Utterance → UtteranceDecoder, as
// speakToFile writes it) into a file, as WAV, MP3 or Ogg Opus. The file appears whole or not
// at all: everything is written beside it under a hidden temporary name, then renamed.
import type { Pronunciations } from '../engine/pronunciation';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Settings } from '../../shared/config/schema';
import { saveFormatOf, saveFormatRefusal, type SaveFormat, type SaveProgress } from '../../shared/save';
import { SpeechError } from '../engine/errors';
import type { SpeechProvider } from '../engine/provider';
import { duration, type RetryPolicy } from '../engine/retry';
import { speakToFile, type SpeakReport } from '../cli/speak-to-file';
import { Mp3FileEncoder, OggOpusFileEncoder, type AudioEncoder } from './encoders';
import { SaveError, describeWriteError } from './save-error';
import { hasWebCodecs } from '../../shared/decoders/aac';

/** Seconds of audio encoded between two turns of the event loop: a few ms of work each, even cold. */
const SLICE_SECONDS = 0.1;
/** A retry's wait from this long on is said where progress is not shown (off a terminal): backoff's own are under it. */
const SAID_WAIT_MS = 2000;
/** Bytes of the float WAV header WavWriter writes (RIFF, fmt, fact, data). */
const WAV_HEADER_BYTES = 58;

export interface SaveAudioOptions {
  settings: Settings;
  /** The speech the app speaks with (a caching one answers from its cache and fetches the rest). */
  provider: SpeechProvider;
  out: string;
  /** Default: the one `out`'s extension names. */
  format?: SaveFormat;
  /** Replace an existing file (the user confirmed, or --force); otherwise one is refused. */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?(progress: SaveProgress): void;
  /** Lines for a terminal: retries, failovers, notices. */
  onNote?(line: string): void;
  /** The engine's notices alone (a server late to answer, audio cut): for output that shows no progress. */
  onNotice?(message: string): void;
  retryPolicy?: Partial<RetryPolicy>;
  /** The user's pronunciation rules, as the session speaks with them. */
  pronunciations?: Pronunciations;
}

/** What was written. */
export interface SaveReport {
  out: string;
  format: SaveFormat;
  seconds: number;
  bytes: number;
  speech: SpeakReport;
}

/**
 * The settings to ask with where the speech is decoded in Node (no WebCodecs): AAC, which
 * only a page decodes, is asked for in mp3, which every server offers. The file is made from
 * decoded audio either way.
 */
export function decodableHere(settings: Settings, say?: (line: string) => void): Settings {
  if (settings.format !== 'aac' || hasWebCodecs()) return settings;
  say?.('AAC cannot be decoded here (outside a page there is no WebCodecs): the speech is asked for in mp3 instead.');
  return { ...settings, format: 'mp3' };
}

/**
 * Speaks `text` into `options.out`. Fails with a SpeechError (the provider, the audio, a
 * cancel) or a SaveError (the file); either way no partial file is left and an existing
 * file is untouched.
 */
export async function saveAudio(text: string, options: SaveAudioOptions): Promise<SaveReport> {
  cancelled(options.signal);
  const out = options.out;
  const format = options.format ?? saveFormatOf(out);
  if (!format) throw new SaveError('format', saveFormatRefusal(out)!);
  if (!options.overwrite && existsSync(out)) throw new SaveError('exists', `${out} already exists: choose another name, or agree to replace it.`);
  // Beside the file, so the rename is atomic (same file system), and hidden while it is written.
  const stem = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}`);
  const decoded = format === 'wav' ? `${stem}.part` : `${stem}.pcm.part`;
  const encoded = `${stem}.part`;
  const segmentEnds = new Map<number, number>();
  try {
    const speech = await speakToFile(text, {
      settings: decodableHere(options.settings, options.onNotice ?? options.onNote),
      provider: options.provider,
      out: decoded,
      signal: options.signal,
      retryPolicy: options.retryPolicy,
      pronunciations: options.pronunciations,
      onProgress: options.onNote,
      onEvent: (event) => {
        if (event.type === 'notice') options.onNotice?.(event.message);
        // A wait a server asks for (Retry-After) can be a minute: said off a terminal too, not left to look like a hang.
        if (event.type === 'retry' && event.delayMs >= SAID_WAIT_MS) options.onNotice?.(`${event.error.message.replace(/\.?$/, '')}: trying again in ${duration(event.delayMs)}.`);
        if (event.type === 'segment-start') segmentEnds.set(event.segment.index, event.segment.end);
        if (event.type === 'segment-end') options.onProgress?.({ phase: 'speaking', done: segmentEnds.get(event.segmentIndex) ?? 0, total: text.length });
      },
    }).catch((error: unknown) => {
      throw describeWriteError(error, out);
    });
    cancelled(options.signal);
    if (format !== 'wav') await encodeFile(decoded, encoded, format, speech, options);
    const handle = await open(encoded, 'r+');
    const bytes = (await handle.stat()).size;
    // On disk before it takes the name: a crash never leaves a named, empty file.
    await handle.sync().finally(() => handle.close());
    cancelled(options.signal);
    await rename(encoded, out).catch((error: unknown) => {
      throw describeWriteError(error, out);
    });
    return { out, format, seconds: speech.audioSeconds, bytes, speech };
  } finally {
    await rm(decoded, { force: true });
    await rm(encoded, { force: true });
  }
}

/** Reads the decoded float WAV in slices and encodes each, yielding between them. */
async function encodeFile(from: string, to: string, format: SaveFormat, speech: SpeakReport, options: SaveAudioOptions): Promise<void> {
  const { sampleRate, channels } = speech;
  const encoder: AudioEncoder = format === 'mp3' ? new Mp3FileEncoder(sampleRate, channels) : new OggOpusFileEncoder(sampleRate, channels);
  const frameBytes = channels * 4;
  const sliceFrames = Math.max(1, Math.round(SLICE_SECONDS * sampleRate));
  const totalFrames = Math.round(speech.audioSeconds * sampleRate);
  let input: FileHandle | undefined;
  let output: FileHandle | undefined;
  try {
    input = await open(from, 'r');
    output = await open(to, 'w');
    await write(output, encoder.start(), options.out);
    const buffer = new Uint8Array(sliceFrames * frameBytes);
    for (let frame = 0; frame < totalFrames; ) {
      cancelled(options.signal);
      const want = Math.min(sliceFrames, totalFrames - frame);
      const { bytesRead } = await input.read(buffer, 0, want * frameBytes, WAV_HEADER_BYTES + frame * frameBytes);
      const got = Math.floor(bytesRead / frameBytes);
      if (got === 0) break;
      await write(output, encoder.encode(planar(buffer, got, channels)), options.out);
      frame += got;
      options.onProgress?.({ phase: 'encoding', done: frame / sampleRate, total: totalFrames / sampleRate });
      // The reads and writes already wait on the disk; this keeps a fast disk from starving the loop too.
      await yieldToLoop();
    }
    await write(output, encoder.finish(), options.out);
    // MP3's Info frame counts the whole stream, so it is written last, over the room left for it.
    const finalStart = encoder.finalStart?.();
    if (finalStart) await write(output, finalStart, options.out, 0);
  } finally {
    if (encoder instanceof OggOpusFileEncoder) encoder.release();
    await input?.close();
    await output?.close();
  }
}

/** Writes `bytes` where the file stands, or at `position`. */
async function write(handle: FileHandle, bytes: Uint8Array, out: string, position?: number): Promise<void> {
  if (!bytes.length) return;
  await handle.write(bytes, 0, bytes.length, position).catch((error: unknown) => {
    throw describeWriteError(error, out);
  });
}

/** Interleaved float32 bytes → one Float32Array per channel. */
function planar(bytes: Uint8Array, frames: number, channels: number): Float32Array[] {
  const interleaved = new Float32Array(bytes.buffer, bytes.byteOffset, frames * channels);
  return Array.from({ length: channels }, (_, c) => {
    const samples = new Float32Array(frames);
    for (let i = 0; i < frames; i++) samples[i] = interleaved[i * channels + c];
    return samples;
  });
}

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SpeechError('cancelled', 'The save was cancelled.');
}
