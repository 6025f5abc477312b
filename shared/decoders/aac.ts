import type { AudioFormat } from '../audio-format';
import { chainAudio, concatBytes, silence } from './audio';
import { adtsHeader, id3Length, looksLikeText, type AdtsHeader } from './frame-headers';
import { BadAudioError, type DecodedAudio, type DecoderStats, type StreamDecoder } from './types';
import { audioDataToPlanar, webCodecs, type WcAudioData, type WcAudioDecoder, type WebCodecs } from './webcodecs';

/** A format this runtime cannot decode (spec E4): AAC where there is no WebCodecs (Node). */
export class UnsupportedFormatError extends Error {
  override readonly name = 'UnsupportedFormatError';
  constructor(
    readonly format: AudioFormat,
    message: string,
  ) {
    super(message);
  }
}

/** True where WebCodecs can decode AAC (the app's renderer), false in Node. */
export function hasWebCodecs(): boolean {
  return webCodecs() !== null;
}

/**
 * The AudioSpecificConfig that an ADTS header implies (ISO 14496-3, 1.6.2.1): object
 * type (5 bits), sampling frequency index (4), channel configuration (4), then a
 * GASpecificConfig of three zero bits (1024-sample frames, no core coder, no extension).
 */
export function audioSpecificConfig(header: Pick<AdtsHeader, 'profile' | 'rateIndex' | 'channels'>): Uint8Array {
  const objectType = header.profile + 1;
  return new Uint8Array([(objectType << 3) | (header.rateIndex >> 1), ((header.rateIndex & 1) << 7) | (header.channels << 3)]);
}

/** ADTS profiles (the MPEG-4 audio object type minus one) by name: browsers decode LC (and HE-AAC, which ADTS calls LC). */
const AAC_PROFILES = ['AAC Main', 'AAC-LC', 'AAC SSR', 'AAC LTP'];

/** Bytes with no ADTS frame in them that prove the stream is not AAC. */
const MAX_JUNK = 4096;
/** Decoder errors in a row, with no audio between, after which the stream is given up. */
const MAX_FAILURES = 3;
/**
 * How long a push waits for the audio of the frames it handed over. Chromium's first
 * output takes ~40 ms (decoder start), later ones ~1 ms (measured); a decoder that holds
 * frames back makes one push wait this long, and is not waited for again.
 */
const OUTPUT_WAIT_MS = 100;

/**
 * AAC in ADTS through WebCodecs. Frames are cut here (a header is trusted once the next
 * one follows it), their ADTS headers stripped, and the raw frames decoded with the
 * AudioSpecificConfig as `description` (the codec registration's "aac" bitstream, which
 * every WebCodecs engine takes). Output arrives asynchronously, on later tasks, so a push
 * waits (briefly, see OUTPUT_WAIT_MS) for the audio of its frames: without that the first
 * audio would wait for the next network chunk. flush() drains the rest. A decoder error
 * closes a WebCodecs decoder and drops its queue: those frames are counted as skipped, and
 * a new decoder goes on (spec E2).
 */
export class AacDecoder implements StreamDecoder {
  readonly format = 'aac' as const;
  readonly ready = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private readonly codecs: WebCodecs;
  private decoder: WcAudioDecoder | null = null;
  private configKey = '';
  private readonly supported = new Set<string>();
  private pending: Uint8Array = new Uint8Array(0);
  private started = false;
  private inSync = false;
  private junk = 0;
  private samplesIn = 0;
  /** Where the next frame starts, in µs: files joined in one body may change the rate. */
  private timeUs = 0;
  /** Bytes of an ID3v2 tag still to pass over. */
  private tagLeft = 0;
  private output: DecodedAudio[] = [];
  private lastError: Error | null = null;
  private failures = 0;
  /** Frames handed to the current decoder, and AudioData it gave back (one per frame for AAC). */
  private sent = 0;
  private received = 0;
  private caughtUp: (() => void) | null = null;
  /** The header's rate of each frame handed over and not yet given back: HE-AAC's SBR doubles it in the output. */
  private headerRates: number[] = [];
  /**
   * The last output showed SBR (HE-AAC): a frame then makes 2048 samples at the output's
   * rate, not 1024. ADTS cannot say so (SBR is signalled inside the frames only).
   */
  private sbr = false;
  private outputWaitMs = OUTPUT_WAIT_MS;
  private freed = false;

  constructor() {
    const codecs = webCodecs();
    if (!codecs) {
      throw new UnsupportedFormatError(
        'aac',
        'AAC needs WebCodecs (AudioDecoder), which this runtime lacks: the app decodes AAC in its window, Node cannot. Choose mp3, opus, flac, wav or pcm here.',
      );
    }
    this.codecs = codecs;
  }

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    // A copy: what is held back must survive the caller reusing its buffer.
    this.pending = this.pending.length ? concatBytes(this.pending, bytes) : bytes.slice();
    await this.cutFrames(false);
    await this.awaitOutput();
    return this.take();
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    await this.cutFrames(true);
    this.pending = new Uint8Array(0);
    const decoder = this.decoder;
    if (decoder && decoder.state === 'configured') {
      // Rejects when the decoder fails on a queued frame; that frame is counted by the error callback.
      await decoder.flush().catch(() => undefined);
    }
    this.checkFailure();
    return this.take();
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.closeDecoder();
    this.pending = new Uint8Array(0);
    this.started = this.inSync = false;
    this.junk = this.samplesIn = this.timeUs = this.tagLeft = this.failures = 0;
    this.sbr = false;
    this.output = [];
    this.lastError = null;
  }

  /** HE-AAC once its output shows SBR (twice the header's rate); AAC until then. */
  codecName(): string {
    return this.sbr ? 'HE-AAC' : 'AAC';
  }

  free(): void {
    // Frames handed to WebCodecs and not given back are lost with it.
    if (!this.freed && this.sent > this.received) this.skip(this.sent - this.received);
    this.freed = true;
    this.closeDecoder();
  }

  /** Waits until every frame handed over has come out (or failed), or the wait is up. */
  private async awaitOutput(): Promise<void> {
    if (this.sent <= this.received || this.outputWaitMs === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => (this.caughtUp = () => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.outputWaitMs))),
    ]);
    clearTimeout(timer);
    this.caughtUp = null;
    if (!done) this.outputWaitMs = 0; // this decoder holds frames back: stop waiting for it
  }

  /** Decodes every whole, trusted ADTS frame at the front of `pending`. */
  private async cutFrames(atEnd: boolean): Promise<void> {
    const b = this.pending;
    let pos = 0;
    if (!this.started) {
      if (b.length < 10 && !atEnd) return;
      if (looksLikeText(b)) throw new BadAudioError('This is not an AAC stream: it starts like text (a web page or a JSON error?).');
      this.started = true;
    }
    while (pos < b.length) {
      if (this.tagLeft) {
        const n = Math.min(this.tagLeft, b.length - pos);
        this.tagLeft -= n;
        pos += n;
        continue;
      }
      if (pos + 7 > b.length) break;
      // An ID3v2 tag before the audio, or before each file of a body that joins several: not damage.
      if (b[pos] === 0x49 && b[pos + 1] === 0x44 && b[pos + 2] === 0x33) {
        if (pos + 10 > b.length && !atEnd) break;
        this.tagLeft = id3Length(b, pos);
        if (this.tagLeft) continue;
      }
      const header = adtsHeader(b, pos);
      if (!header || header.channels === 0 || header.blocks !== 1) {
        // Lost sync, or a frame layout raw WebCodecs input cannot carry: skip to the next sync word.
        if (this.inSync) this.skip(1);
        this.inSync = false;
        pos = this.skipTo(b, pos + 1);
        continue;
      }
      const end = pos + header.frameLength;
      if (end > b.length) break;
      if (!this.inSync) {
        // After a loss (and at the start) a header is believed only when the next one follows it.
        const next = end + 7 <= b.length ? adtsHeader(b, end) : null;
        const confirmed = next ? next.rateIndex === header.rateIndex && next.channels === header.channels : atEnd && end === b.length;
        if (!confirmed && (next || atEnd)) {
          pos = this.skipTo(b, pos + 1);
          continue;
        }
        if (!confirmed) break;
      }
      this.inSync = true;
      await this.decodeFrame(b.subarray(pos + header.headerLength, end), header);
      pos = end;
    }
    this.pending = b.slice(Math.min(pos, b.length));
    if (this.samplesIn === 0 && this.junk > MAX_JUNK) throw new BadAudioError('This is not an AAC stream: no ADTS frame in its first 4 KB.');
  }

  private skipTo(b: Uint8Array, from: number): number {
    let i = from;
    while (i + 1 < b.length && !(b[i] === 0xff && (b[i + 1] & 0xf6) === 0xf0)) i++;
    // i is a sync word, or the last byte (kept: it may begin one).
    if (this.samplesIn === 0) this.junk += i - from + 1;
    return i;
  }

  private async decodeFrame(raw: Uint8Array, header: AdtsHeader): Promise<void> {
    this.checkFailure();
    const config = {
      codec: `mp4a.40.${header.profile + 1}`,
      sampleRate: header.sampleRate,
      numberOfChannels: header.channels,
      description: audioSpecificConfig(header),
    };
    const key = `${config.codec}/${config.sampleRate}/${config.numberOfChannels}`;
    if (!this.supported.has(key)) {
      const support = await this.codecs.AudioDecoder.isConfigSupported(config);
      if (!support.supported) {
        const profile = AAC_PROFILES[header.profile] ?? 'AAC';
        throw new UnsupportedFormatError('aac', `This browser cannot decode ${profile} (${config.codec}) at ${config.sampleRate} Hz, ${config.numberOfChannels} channel(s). Ask the server for AAC-LC, or pick another format in Settings.`);
      }
      this.supported.add(key);
    }
    if (!this.decoder || this.decoder.state === 'closed') {
      const decoder: WcAudioDecoder = new this.codecs.AudioDecoder({
        output: (data) => this.collect(data),
        error: (error) => this.fail(decoder, error),
      });
      this.decoder = decoder;
      this.configKey = '';
      this.sent = this.received = 0;
      this.headerRates = [];
    }
    if (key !== this.configKey) {
      this.decoder.configure(config);
      this.configKey = key;
    }
    this.headerRates.push(header.sampleRate);
    // A frame lasts 1024 samples at the header's rate, with SBR or without.
    const duration = (1024 * 1e6) / header.sampleRate;
    this.decoder.decode(new this.codecs.EncodedAudioChunk({ type: 'key', timestamp: Math.round(this.timeUs), duration: Math.round(duration), data: raw.slice() }));
    this.sent++;
    this.samplesIn += 1024;
    this.timeUs += duration;
  }

  private collect(data: WcAudioData): void {
    const headerRate = this.headerRates.shift() ?? data.sampleRate;
    try {
      const channelData = audioDataToPlanar(data);
      this.output.push({ channelData, samplesDecoded: data.numberOfFrames, sampleRate: data.sampleRate });
      this.sbr = data.sampleRate > headerRate;
      this.stats.framesOut += data.numberOfFrames;
      this.failures = 0;
    } catch (error) {
      // An AudioData that cannot be copied out: lost like a frame the decoder failed on.
      this.skip(1);
      this.failures++;
      this.lastError = error instanceof Error ? error : new Error(String(error));
    } finally {
      data.close();
      // Given back either way: a frame lost here is not counted again when the decoder is freed.
      this.received++;
      if (this.received >= this.sent) this.caughtUp?.();
    }
  }

  /**
   * WebCodecs closes a decoder on any error and drops the frames queued behind the bad one
   * (spec "close AudioDecoder"): count them all; a new decoder takes the next frame.
   */
  private fail(decoder: WcAudioDecoder, error: Error): void {
    if (decoder !== this.decoder) return;
    this.skip(Math.max(1, this.sent - this.received));
    this.sent = this.received = 0;
    this.headerRates = [];
    this.failures++;
    this.lastError = error;
    this.caughtUp?.();
  }

  /** Counted at the output's rate, which the skipped time is reckoned in. */
  private skip(frames: number): void {
    this.stats.skippedFrames += frames;
    this.stats.skippedSamples += frames * (this.sbr ? 2048 : 1024);
  }

  private checkFailure(): void {
    if (this.failures >= MAX_FAILURES) {
      throw new BadAudioError(`The AAC stream could not be decoded: ${this.lastError?.message ?? 'decoder error'}.`);
    }
  }

  private closeDecoder(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
    this.configKey = '';
  }

  private take(): DecodedAudio {
    const blocks = this.output;
    this.output = [];
    // Files joined in one body may change rate or channels: each layout comes out as its own run.
    return blocks.length ? chainAudio(blocks) : silence();
  }

  private assertUsable(): void {
    if (this.freed) throw new Error('This aac decoder has been freed.');
  }
}
