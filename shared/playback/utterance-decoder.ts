import { SincResampler } from '../audio/sinc-resampler';
import { downmixToStereo } from '../audio/downmix';
import { FADE_MS } from './player-core';
import { makeSpare, takeDecoder } from '../decoders/spares';
import { resumeHeader } from '../decoders/resume';
import { audioRuns, concatBytes } from '../decoders/audio';
import type { DecodedAudio, StreamDecoder } from '../decoders/types';
import type { AudioFormat } from '../audio-format';
import type { EngineEventOf as LinkEventOf, ErrorInfo } from '../speech-events';
import type { LinkEvent } from './link-protocol';
import { BodyRate } from './body-rate';

/** How one utterance's bytes become audio: for the ring (the decoder worker) or for a file (the CLI). */
export interface UtteranceDecoderOptions {
  /**
   * The rate every segment is resampled to (the AudioContext's); without one, the first
   * decoded audio's own rate, so a file keeps the stream's rate.
   */
  outputRate?: number;
  /**
   * 'mono' mixes every stream down; 'stereo' plays a stereo stream as it is and mono on both
   * sides (the ring); 'stream' keeps the first segment's channels (a file).
   */
  channels?: 'mono' | 'stereo' | 'stream';
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
  /**
   * A restarted segment brought another rendering: the `frames` it had already handed out
   * are to be taken back (the ring fades them out, a file drops them). It plays again from its start.
   */
  onReplay?: (segmentIndex: number, frames: number) => void;
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
  firstDecodedAt: number;
  /** Damaged frames (or pages, or chunks a decoder threw on) skipped, and how long they were (spec E2). */
  skippedFrames: number;
  skippedMs: number;
  /** Frames decoded at the output rate, all segments. */
  decodedFrames: number;
  /** Segments started again after a failure mid-body. */
  restarts: number;
  /** Of those, segments whose new response was another rendering, played again from the start. */
  replays: number;
  /** Segments that could not stream and were decoded whole (spec F4, E4). */
  fallbacks: number;
}

/** First bytes of a segment kept for a fresh decoder after damage: its header is in them. */
const MAX_HEAD = 64 * 1024;
/** Chunks in a row a decoder may throw on before the stream counts as no longer audio. */
const MAX_DAMAGED_IN_A_ROW = 8;

/** A failure to decode, as the page shows it. */
export class DecodeFailure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

/** A block of frames, one array per channel. */
export type AudioBlock = Float32Array[];

/**
 * The one path from engine events to audio: link events in, blocks of frames at the output
 * rate out, in order. One decoder per segment; a segment at another rate (22050 local voice,
 * 24000 OpenAI, 44100 elsewhere) gets its own windowed-sinc resamplers, flushed at the
 * segment's end so segments join without a gap. A restarted segment skips the frames
 * already handed out, and a skip drops everything until the engine starts the segment asked for.
 */
export class UtteranceDecoder {
  readonly metrics: DecodeMetrics = {
    bytesIn: 0,
    decodeMicros: 0,
    decodeChunks: 0,
    decodeMicrosMax: 0,
    throughput: 0,
    firstByteAt: -1,
    firstDecodedAt: -1,
    skippedFrames: 0,
    skippedMs: 0,
    decodedFrames: 0,
    fallbacks: 0,
    restarts: 0,
    replays: 0,
  };
  private decoder: StreamDecoder | null = null;
  /** True between a segment's start and its end. */
  private active = false;
  /** How the current segment is decoded: as it streams, whole by our decoders (streaming off), or whole by the browser. */
  private mode: 'stream' | 'buffered' | 'browser' = 'stream';
  /** One per channel while the segment's rate differs from the output rate. */
  private resamplers: SincResampler[] = [];
  /** The output rate and channel count, fixed by the options or by the first audio. */
  private rate: number | undefined;
  private channelCount: number | undefined;
  private segmentIndex = -1;
  /** Frames already handed out per segment: a restart skips that many. */
  private readonly framesBySegment = new Map<number, number>();
  private skipFrames = 0;
  /** Frames of a replayed segment still to fade in, and the fade's length. */
  private fadeLeft = 0;
  private fadeFrames = 0;
  /** Whole-segment bytes in buffered mode. */
  private held: Uint8Array[] = [];
  private discardBelow = -1;
  private readonly bodyRate = new BodyRate();
  private readonly now: () => number;
  /** The current segment: its format, bytes, frames out, and first bytes (up to its first sound). */
  private segment = { format: 'pcm' as AudioFormat, sampleRate: undefined as number | undefined, channels: undefined as number | undefined, bigEndian: false, bytes: 0, frames: 0, head: [] as Uint8Array[], headBytes: 0, damagedInARow: 0, skipped: 0, skipBase: { frames: 0, ms: 0 } };
  /** The current decoder's skip counts already added to the metrics; `absorb` adds none until it has made a sound. */
  private skipSeen = { frames: 0, samples: 0, absorb: false };
  /** The rate of the audio the current decoder gives, for its skipped samples. */
  private sourceRate = 0;
  /** The rate and channels of the current segment's latest decoded audio, as the server sent it. */
  private heardAs: { codec: string; rate: number; channels: number } | null = null;

  constructor(private readonly options: UtteranceDecoderOptions) {
    this.now = options.now ?? (() => performance.now());
    this.rate = options.outputRate;
    const channels = options.channels ?? 'mono';
    if (channels !== 'stream') this.channelCount = channels === 'mono' ? 1 : 2;
  }

  /** The output's rate and channels, once known (at once with outputRate and a fixed channel count). */
  get format(): { sampleRate: number; channels: number } | undefined {
    return this.rate && this.channelCount ? { sampleRate: this.rate, channels: this.channelCount } : undefined;
  }

  /**
   * What the server's audio turned out to be, as the player shows it ("Ogg Vorbis, 24 kHz,
   * mono"): the format asked for names only what was hoped for. Null until the segment has
   * decoded.
   */
  get received(): string | null {
    if (!this.heardAs) return null;
    const { codec, rate, channels } = this.heardAs;
    const layout = channels === 1 ? 'mono' : channels === 2 ? 'stereo' : channels === 6 ? '5.1' : channels === 8 ? '7.1' : `${channels} channels`;
    return `${codec}, ${rate / 1000} kHz, ${layout}`;
  }

  /** Handles one event in order; returns the blocks it completed (possibly none). */
  async accept(event: LinkEvent): Promise<AudioBlock[]> {
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

  private async startSegment(event: LinkEventOf<'segment-start'>): Promise<AudioBlock[]> {
    this.closeDecoder();
    if (event.segment.index < this.discardBelow) return [];
    if (event.restart) this.metrics.restarts++;
    this.segmentIndex = event.segment.index;
    const given = this.framesBySegment.get(this.segmentIndex) ?? 0;
    const replay = event.restart && event.replay === true;
    this.skipFrames = event.restart && !replay ? given : 0;
    this.fadeLeft = 0;
    if (replay) {
      this.metrics.replays++;
      if (given > 0) {
        this.fadeFrames = Math.max(1, Math.round(((this.rate ?? 48000) * FADE_MS) / 1000));
        this.fadeLeft = this.fadeFrames;
        this.options.onReplay?.(this.segmentIndex, given);
      }
    }
    if (!event.restart || replay) this.framesBySegment.set(this.segmentIndex, 0);
    this.bodyRate.endBody();
    this.active = true;
    // Only MP4/M4A is whole-file, whatever codec it holds (AAC, ALAC, MP3, Opus).
    if (event.wholeFile) return this.fallBack('an MP4/M4A file, whose index may come after its audio');
    this.mode = this.options.streaming ? 'stream' : 'buffered';
    const skipBase = { frames: this.metrics.skippedFrames, ms: this.metrics.skippedMs };
    this.segment = { format: event.format, sampleRate: event.sampleRate, channels: event.channels, bigEndian: event.bigEndian === true, bytes: 0, frames: 0, head: [], headBytes: 0, damagedInARow: 0, skipped: 0, skipBase };
    this.heardAs = null;
    await this.openDecoder();
    return [];
  }

  private async openDecoder(): Promise<void> {
    const { format, sampleRate, channels, bigEndian } = this.segment;
    try {
      const decoder = takeDecoder(format, { pcmSampleRate: sampleRate ?? this.options.pcmSampleRate, pcmChannels: channels, pcmBigEndian: bigEndian });
      this.decoder = decoder;
      this.skipSeen = { frames: 0, samples: 0, absorb: false };
      await decoder.ready;
    } catch (error) {
      throw decodeFailure(error);
    }
  }

  private async chunk(event: LinkEventOf<'chunk'>): Promise<AudioBlock[]> {
    const now = this.now();
    this.metrics.bytesIn += event.bytes.length;
    if (this.metrics.firstByteAt < 0) this.metrics.firstByteAt = now;
    // Live, while the body arrives (spec M4).
    this.bodyRate.arrived(now, event.bytes.length);
    this.metrics.throughput = this.bodyRate.bytesPerSecond;
    if (!this.active || event.segmentIndex !== this.segmentIndex) return [];
    if (this.mode !== 'stream') {
      this.held.push(event.bytes);
      return [];
    }
    // Until the segment has made a sound, its bytes are kept: if the streaming decoder
    // refuses them, the browser gets the whole segment instead (spec F4, E4).
    const silentSoFar = !this.framesBySegment.get(this.segmentIndex);
    if (silentSoFar && this.options.decodeWhole) this.held.push(event.bytes);
    if (!this.segment.frames && this.segment.headBytes < MAX_HEAD) {
      this.segment.head.push(event.bytes.slice());
      this.segment.headBytes += event.bytes.length;
    }
    this.segment.bytes += event.bytes.length;
    try {
      const out = await this.decode(() => this.decoder!.push(event.bytes));
      if (out.length) this.held = [];
      this.segment.damagedInARow = 0;
      return out;
    } catch (error) {
      if (!(error instanceof DecodeFailure)) throw error;
      if (this.segment.frames > 0 && error.info.kind === 'bad-audio') return this.skipDamagedChunk(event.bytes.length, error);
      if (!silentSoFar || !this.options.decodeWhole) throw error;
      return this.fallBack(error.message);
    }
  }

  /**
   * The decoder threw on a chunk of a segment that has already made a sound (spec E2): the
   * chunk is lost, counted as long as its bytes last at the segment's bitrate so far, and a
   * fresh decoder (given the stream's header again) takes up the stream at its next sync
   * point. pcm and wav have no sync point; a run of damaged chunks means the stream is
   * not audio any more: both end the utterance as before.
   */
  private async skipDamagedChunk(bytes: number, error: DecodeFailure): Promise<AudioBlock[]> {
    const header = resumeHeader(this.segment.format, concatBytes(...this.segment.head));
    if (!header || ++this.segment.damagedInARow > MAX_DAMAGED_IN_A_ROW) throw error;
    // What the decoder counted before it gave up (and what it held when freed) is part of
    // the chunk's loss, not more of it.
    const countedBefore = this.metrics.skippedMs;
    this.decoder?.free();
    this.countSkips();
    this.decoder = null;
    const counted = this.metrics.skippedMs - countedBefore;
    const bytesBefore = this.segment.bytes - bytes;
    const msPerByte = bytesBefore > 0 ? ((this.segment.frames / (this.rate ?? 48000)) * 1000) / bytesBefore : 0;
    this.metrics.skippedFrames++;
    this.metrics.skippedMs += Math.max(0, bytes * msPerByte - counted);
    // The resamplers stay: the audio goes on at the same rate, past a jump.
    await this.openDecoder();
    if (header.length) {
      // The fresh decoder counts the jump from the header to here as lost frames: not lost now.
      this.skipSeen.absorb = true;
      await this.decoder!.push(header).catch(() => undefined);
    }
    return [];
  }

  /** From now on this segment is collected whole and decoded by the browser. */
  private fallBack(reason: string): AudioBlock[] {
    if (!this.options.decodeWhole) {
      throw new DecodeFailure({ kind: 'unsupported', message: `This audio cannot be played as it streams (${reason}), and nothing here can decode it whole.` });
    }
    this.decoder?.free();
    this.decoder = null;
    this.mode = 'browser';
    this.metrics.fallbacks++;
    return [];
  }

  private async endSegment(index: number): Promise<AudioBlock[]> {
    if (!this.active || index !== this.segmentIndex) return [];
    this.bodyRate.endBody();
    this.metrics.throughput = this.bodyRate.bytesPerSecond;
    const out: AudioBlock[] = [];
    const whole = concatBytes(...this.held);
    this.held = [];
    if (this.mode === 'browser') {
      out.push(...(await this.decode(() => this.options.decodeWhole!(whole))));
    } else {
      if (this.mode === 'buffered') out.push(...(await this.decode(() => this.decoder!.push(whole))));
      out.push(...(await this.decode(() => this.decoder!.flush())));
    }
    // The resamplers hold a few frames back: they end the segment too.
    out.push(...this.flushResamplers());
    this.countSkips();
    // A segment that was all damage to the decoder is not a silent sentence (spec E2, E4).
    if (this.mode !== 'browser' && !this.segment.frames && this.segment.skipped > 0) out.push(...(await this.noSound(whole)));
    this.closeDecoder();
    return out;
  }

  /**
   * The decoder skipped all of a segment's bytes: the browser's decoder, which may read what
   * ours refuses (ffmpeg follows FLAC frames, not a wrong STREAMINFO), gets them whole; where
   * there is none, or it makes no sound either, the segment fails, saying why.
   */
  private async noSound(whole: Uint8Array): Promise<AudioBlock[]> {
    const reason = this.decoder?.silenceReason?.() ?? 'every part of it was damaged';
    let browserToo = '';
    if (this.options.decodeWhole && whole.length) {
      this.metrics.fallbacks++;
      try {
        const blocks = await this.decode(() => this.options.decodeWhole!(whole));
        if (this.segment.frames) {
          // Played after all: what our decoder skipped was not lost.
          this.metrics.skippedFrames = this.segment.skipBase.frames;
          this.metrics.skippedMs = this.segment.skipBase.ms;
          return blocks;
        }
      } catch {
        // Said below, with what our decoder found.
      }
      browserToo = ' (the browser could not decode it either)';
    }
    const name = this.codecName();
    throw new DecodeFailure({ kind: 'bad-audio', message: `The server's ${name} audio decoded to no sound: ${reason}${browserToo}.` });
  }

  private async decode(step: () => Promise<DecodedAudio>): Promise<AudioBlock[]> {
    const started = this.now();
    let audio: DecodedAudio;
    try {
      audio = await step();
    } catch (error) {
      throw decodeFailure(error);
    }
    const micros = Math.round((this.now() - started) * 1000);
    this.metrics.decodeMicros += micros;
    this.metrics.decodeChunks++;
    this.metrics.decodeMicrosMax = Math.max(this.metrics.decodeMicrosMax, micros);
    // Skips are timed at the rate the call began with.
    if (audio.sampleRate) this.sourceRate = audio.sampleRate;
    this.countSkips();
    return audioRuns(audio).flatMap((run) => this.toOutput(run));
  }

  /** One run of decoded audio (one rate and channel count) as frames at the output's rate and channels. */
  private toOutput(audio: DecodedAudio): AudioBlock[] {
    if (audio.sampleRate) this.sourceRate = audio.sampleRate;
    // A fresh decoder's first sound ends the absorbing: what it skips from now on is new damage.
    if (audio.samplesDecoded) this.skipSeen.absorb = false;
    if (!audio.samplesDecoded) return [];
    // Named while the decoder that read it is here: a segment's end closes it.
    this.heardAs = { codec: this.codecName(), rate: audio.sampleRate, channels: audio.channelData.length };
    const rate = (this.rate ??= audio.sampleRate);
    const channelCount = (this.channelCount ??= audio.channelData.length);
    const frames = Math.round((audio.samplesDecoded * rate) / audio.sampleRate);
    this.metrics.decodedFrames += frames;
    this.segment.frames += frames;
    if (this.metrics.firstDecodedAt < 0) this.metrics.firstDecodedAt = this.now();
    // Resampled on as few channels as will differ: a mixdown first, mono before it is put on both sides.
    let block = conform(audio, Math.min(channelCount, audio.channelData.length));
    const out: AudioBlock[] = [];
    if (this.resamplers.length && (this.resamplers[0].fromRate !== audio.sampleRate || this.resamplers.length !== block.length)) {
      // The stream changed layout mid-segment (files joined in one body): what the old resamplers hold back comes first.
      out.push(...this.flushResamplers());
    }
    if (audio.sampleRate !== rate) {
      if (!this.resamplers.length) this.resamplers = block.map(() => new SincResampler(audio.sampleRate, rate));
      block = block.map((data, c) => this.resamplers[c].process(data));
    }
    out.push(...this.take(widen(block, channelCount)));
    return out;
  }

  /** The codec as a listener knows it: the decoder's word where one decoder reads several ("Ogg Vorbis"). */
  private codecName(): string {
    return this.decoder?.codecName?.() ?? { pcm: 'PCM', wav: 'WAV', mp3: 'MP3', opus: 'Opus', flac: 'FLAC', aac: 'AAC' }[this.segment.format];
  }

  /** The frames the resamplers hold back, as output; the resamplers are gone afterwards. */
  private flushResamplers(): AudioBlock[] {
    const tail = this.resamplers.map((resampler) => resampler.flush());
    this.resamplers = [];
    return tail[0]?.length ? this.take(widen(tail, this.channelCount ?? tail.length)) : [];
  }

  /** Adds what the decoder skipped since the last look to the metrics (or, while absorbing, only notes it). */
  private countSkips(): void {
    const stats = this.decoder?.stats;
    if (!stats) return;
    const frames = stats.skippedFrames - this.skipSeen.frames;
    const samples = stats.skippedSamples - this.skipSeen.samples;
    this.skipSeen.frames = stats.skippedFrames;
    this.skipSeen.samples = stats.skippedSamples;
    if (this.skipSeen.absorb) return;
    this.segment.skipped += frames;
    this.metrics.skippedFrames += frames;
    if (this.sourceRate > 0) this.metrics.skippedMs += (samples / this.sourceRate) * 1000;
  }

  /** Counts frames per segment and drops the part a restarted segment already handed out. */
  private take(block: AudioBlock): AudioBlock[] {
    let out = block;
    if (this.skipFrames > 0) {
      const drop = Math.min(this.skipFrames, out[0].length);
      this.skipFrames -= drop;
      out = out.map((data) => data.subarray(drop));
    }
    if (!out[0].length) return [];
    if (this.fadeLeft > 0) out = this.fadeIn(out);
    this.framesBySegment.set(this.segmentIndex, (this.framesBySegment.get(this.segmentIndex) ?? 0) + out[0].length);
    return [out];
  }

  /** Ramps up the first frames of a replayed segment (copies: a decoder may own its arrays). */
  private fadeIn(block: AudioBlock): AudioBlock {
    const count = Math.min(this.fadeLeft, block[0].length);
    const done = this.fadeFrames - this.fadeLeft;
    const out = block.map((data) => {
      const copy = data.slice();
      for (let i = 0; i < count; i++) copy[i] *= (done + i) / this.fadeFrames;
      return copy;
    });
    this.fadeLeft -= count;
    return out;
  }

  private closeDecoder(): void {
    const closed = this.decoder;
    closed?.free();
    this.decoder = null;
    // The next segment's decoder, made now (while the buffer plays, or after a stop), not when
    // its bytes come: a libopus instance is ready 0.3–0.6 ms after it is made, warm, in Node,
    // and the first chunk of an utterance after a stop waited for that (traced in the page:
    // Opus reached the worker's handler 1.5 ms later than pcm).
    if (closed && this.mode === 'stream') makeSpare(this.segment.format);
    this.active = false;
    this.resamplers = [];
    this.held = [];
  }
}

/**
 * The decoded channels as `count` channels: speech mixed down to mono averages the sides
 * rather than losing one; mono into a stereo file plays on both.
 */
function conform(audio: DecodedAudio, count: number): AudioBlock {
  let channels = audio.channelData.map((data) => data.subarray(0, audio.samplesDecoded));
  if (channels.length === count) return channels;
  // Surround: the centre and the rear speakers are heard on the two sides, not dropped.
  if (channels.length > 2) channels = downmixToStereo(channels);
  if (channels.length === count) return channels;
  if (count === 1) {
    const out = new Float32Array(audio.samplesDecoded);
    for (const data of channels) for (let i = 0; i < out.length; i++) out[i] += data[i] / channels.length;
    return [out];
  }
  return widen(channels, count);
}

/** Mono on both sides: the last channel repeated up to `count` (the same array; nothing writes to it). */
function widen(block: AudioBlock, count: number): AudioBlock {
  return block.length >= count ? block : Array.from({ length: count }, (_, c) => block[Math.min(c, block.length - 1)]);
}

/** A decoder's exception as the failure the page or the CLI reports. */
function decodeFailure(error: unknown): DecodeFailure {
  if (error instanceof DecodeFailure) return error;
  const unsupported = (error as Error).name === 'UnsupportedFormatError';
  return new DecodeFailure({ kind: unsupported ? 'unsupported' : 'bad-audio', message: `The audio could not be decoded: ${(error as Error).message}` });
}
