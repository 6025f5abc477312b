import { SincResampler } from '../audio/sinc-resampler';
import { createDecoder } from '../decoders';
import { concatBytes } from '../decoders/audio';
import type { DecodedAudio, StreamDecoder } from '../decoders/types';
import type { EngineEventOf as LinkEventOf, ErrorInfo } from '../speech-events';
import type { LinkEvent } from './link-protocol';

/** How the decoder worker turns one utterance's bytes into frames for the ring. */
export interface UtteranceDecoderOptions {
  /** The AudioContext's rate: every segment is resampled to it. */
  outputRate: number;
  /** spec C1: false downloads each segment whole, decodes it, then plays it. */
  streaming: boolean;
  /** Raw PCM's rate when the server does not say it. */
  pcmSampleRate?: number;
  /**
   * Decodes a whole file the streaming decoders refuse (the browser's decodeAudioData, by way
   * of the page). Without it such a stream is an 'unsupported' error.
   */
  decodeWhole?: (bytes: Uint8Array) => Promise<DecodedAudio>;
  /** Clock for the metrics, in ms (performance.now in the worker). */
  now?: () => number;
}

/** What the decoder measured so far (spec M1, M4, M5). */
export interface DecodeMetrics {
  bytesIn: number;
  decodeMicros: number;
  decodeChunks: number;
  decodeMicrosMax: number;
  /** Bytes per second while bodies were arriving. */
  throughput: number;
  /** now() at the utterance's first byte and first decoded frame; -1 before them. */
  firstByteAt: number;
  firstAudioAt: number;
  skippedFrames: number;
  /** Frames decoded at the output rate, all segments. */
  decodedFrames: number;
  /** Segments that could not stream and were decoded whole (spec F4, E4). */
  fallbacks: number;
}

/** A failure to decode, as the page shows it. */
export class DecodeFailure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

/**
 * Link events in, mono frames at the output rate out, in order. One decoder per segment;
 * a segment at another rate (22050 local voice, 24000 OpenAI, 44100 elsewhere) gets its own
 * windowed-sinc resampler, flushed at the segment's end so segments join without a gap.
 * A restarted segment skips the frames already played, and a skip drops everything until
 * the engine starts the segment asked for.
 */
export class UtteranceDecoder {
  readonly metrics: DecodeMetrics = {
    bytesIn: 0,
    decodeMicros: 0,
    decodeChunks: 0,
    decodeMicrosMax: 0,
    throughput: 0,
    firstByteAt: -1,
    firstAudioAt: -1,
    skippedFrames: 0,
    decodedFrames: 0,
    fallbacks: 0,
  };
  private decoder: StreamDecoder | null = null;
  /** True between a segment's start and its end. */
  private active = false;
  /** How the current segment is decoded: as it streams, whole by our decoders (streaming off), or whole by the browser. */
  private mode: 'stream' | 'buffered' | 'browser' = 'stream';
  private resampler: SincResampler | null = null;
  private segmentIndex = -1;
  /** Frames already handed out per segment: a restart skips that many. */
  private readonly framesBySegment = new Map<number, number>();
  private skipFrames = 0;
  /** Whole-segment bytes in buffered mode. */
  private held: Uint8Array[] = [];
  private discardBelow = -1;
  private bodyMs = 0;
  private bodyStart = -1;
  private readonly now: () => number;

  constructor(private readonly options: UtteranceDecoderOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Handles one event in order; returns the frames it completed (possibly none). */
  async accept(event: LinkEvent): Promise<Float32Array[]> {
    switch (event.type) {
      case 'segment-start':
        return this.startSegment(event);
      case 'chunk':
        return this.chunk(event);
      case 'segment-end':
        if (event.skipped && event.segmentIndex === this.segmentIndex) this.closeDecoder();
        return this.endSegment(event.segmentIndex);
      default:
        return [];
    }
  }

  /** After a skip: audio of segments below `index` is dropped, including what is in flight. */
  discardUntil(index: number): void {
    this.discardBelow = index;
    this.closeDecoder();
  }

  /** Bytes taken in for the engine's credit (decoded, held or dropped alike). */
  get consumedBytes(): number {
    return this.metrics.bytesIn;
  }

  close(): void {
    this.closeDecoder();
  }

  private async startSegment(event: LinkEventOf<'segment-start'>): Promise<Float32Array[]> {
    this.closeDecoder();
    if (event.segment.index < this.discardBelow) return [];
    this.segmentIndex = event.segment.index;
    this.skipFrames = event.restart ? (this.framesBySegment.get(this.segmentIndex) ?? 0) : 0;
    if (!event.restart) this.framesBySegment.set(this.segmentIndex, 0);
    this.bodyStart = -1;
    this.active = true;
    if (event.wholeFile) return this.fallBack(`${event.format} in a container that cannot stream`);
    this.mode = this.options.streaming ? 'stream' : 'buffered';
    const decoder = createDecoder(event.format, {
      pcmSampleRate: event.sampleRate ?? this.options.pcmSampleRate,
      pcmChannels: event.channels,
    });
    this.decoder = decoder;
    await decoder.ready;
    return [];
  }

  private async chunk(event: LinkEventOf<'chunk'>): Promise<Float32Array[]> {
    const now = this.now();
    this.metrics.bytesIn += event.bytes.length;
    if (this.metrics.firstByteAt < 0) this.metrics.firstByteAt = now;
    if (this.bodyStart < 0) this.bodyStart = now;
    // Live, while the body arrives (spec M4).
    const bodyMs = this.bodyMs + (now - this.bodyStart);
    if (bodyMs > 0) this.metrics.throughput = Math.round(this.metrics.bytesIn / (bodyMs / 1000));
    if (!this.active || event.segmentIndex !== this.segmentIndex) return [];
    if (this.mode !== 'stream') {
      this.held.push(event.bytes);
      return [];
    }
    // Until the segment has made a sound, its bytes are kept: if the streaming decoder
    // refuses them, the browser gets the whole segment instead (spec F4, E4).
    const silentSoFar = !this.framesBySegment.get(this.segmentIndex);
    if (silentSoFar && this.options.decodeWhole) this.held.push(event.bytes);
    try {
      const out = await this.decode(() => this.decoder!.push(event.bytes));
      if (out.length) this.held = [];
      return out;
    } catch (error) {
      if (!(error instanceof DecodeFailure) || !silentSoFar || !this.options.decodeWhole) throw error;
      return this.fallBack(error.message);
    }
  }

  /** From now on this segment is collected whole and decoded by the browser. */
  private fallBack(reason: string): Float32Array[] {
    if (!this.options.decodeWhole) {
      throw new DecodeFailure({ kind: 'unsupported', message: `This audio cannot be played as it streams (${reason}), and nothing here can decode it whole.` });
    }
    this.decoder?.free();
    this.decoder = null;
    this.mode = 'browser';
    this.metrics.fallbacks++;
    return [];
  }

  private async endSegment(index: number): Promise<Float32Array[]> {
    if (!this.active || index !== this.segmentIndex) return [];
    if (this.bodyStart >= 0) this.bodyMs += this.now() - this.bodyStart;
    this.metrics.throughput = this.bodyMs > 0 ? Math.round(this.metrics.bytesIn / (this.bodyMs / 1000)) : 0;
    const out: Float32Array[] = [];
    const whole = concatBytes(...this.held);
    this.held = [];
    if (this.mode === 'browser') {
      out.push(...(await this.decode(() => this.options.decodeWhole!(whole))));
    } else {
      if (this.mode === 'buffered') out.push(...(await this.decode(() => this.decoder!.push(whole))));
      out.push(...(await this.decode(() => this.decoder!.flush())));
    }
    const tail = this.resampler?.flush();
    if (tail?.length) out.push(...this.take(tail));
    this.metrics.skippedFrames += this.decoder?.stats.skippedFrames ?? 0;
    this.closeDecoder();
    return out;
  }

  private async decode(step: () => Promise<DecodedAudio>): Promise<Float32Array[]> {
    const started = this.now();
    let audio: DecodedAudio;
    try {
      audio = await step();
    } catch (error) {
      const unsupported = (error as Error).name === 'UnsupportedFormatError';
      throw new DecodeFailure({
        kind: unsupported ? 'unsupported' : 'bad-audio',
        message: `The audio could not be decoded: ${(error as Error).message}`,
      });
    }
    const micros = Math.round((this.now() - started) * 1000);
    this.metrics.decodeMicros += micros;
    this.metrics.decodeChunks++;
    this.metrics.decodeMicrosMax = Math.max(this.metrics.decodeMicrosMax, micros);
    if (!audio.samplesDecoded) return [];
    this.metrics.decodedFrames += Math.round((audio.samplesDecoded * this.options.outputRate) / audio.sampleRate);
    if (this.metrics.firstAudioAt < 0) this.metrics.firstAudioAt = this.now();
    let mono = downmix(audio);
    if (audio.sampleRate !== this.options.outputRate) {
      if (this.resampler?.fromRate !== audio.sampleRate) this.resampler = new SincResampler(audio.sampleRate, this.options.outputRate);
      mono = this.resampler.process(mono);
    }
    return this.take(mono);
  }

  /** Counts frames per segment and drops the part a restarted segment already played. */
  private take(frames: Float32Array): Float32Array[] {
    let block = frames;
    if (this.skipFrames > 0) {
      const drop = Math.min(this.skipFrames, block.length);
      this.skipFrames -= drop;
      block = block.subarray(drop);
    }
    if (!block.length) return [];
    this.framesBySegment.set(this.segmentIndex, (this.framesBySegment.get(this.segmentIndex) ?? 0) + block.length);
    return [block];
  }

  private closeDecoder(): void {
    this.decoder?.free();
    this.decoder = null;
    this.active = false;
    this.resampler = null;
    this.held = [];
  }
}

/** Speech is mono; a stereo stream is averaged rather than losing a side. */
function downmix(audio: DecodedAudio): Float32Array {
  const channels = audio.channelData;
  if (channels.length === 1) return channels[0].subarray(0, audio.samplesDecoded);
  const out = new Float32Array(audio.samplesDecoded);
  for (const data of channels) for (let i = 0; i < out.length; i++) out[i] += data[i] / channels.length;
  return out;
}
