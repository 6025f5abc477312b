import { concatBytes, silence } from './audio';
import { ENCODINGS, PcmDecoder } from './pcm';
import type { DecodedAudio, DecoderStats, StreamDecoder } from './types';

/** Frames enough to judge the byte order by. */
const JUDGE_FRAMES = 64;
/** The smoother reading must be this much smoother than the other to be believed. */
const CLEAR_RATIO = 0.6;
/** Held at most this long (in audio) waiting for samples that tell; then the label is believed. */
const MOST_HELD_MS = 250;

/**
 * Which byte order 16-bit samples are in, judged by how smooth each reading is: speech read
 * in its own order moves little from one sample to the next, read in the other its low
 * bytes become high ones and it is noise. Null while the samples cannot tell (silence, or
 * audio so quiet that both readings are the same shape).
 */
export function judgeByteOrder(bytes: Uint8Array, channels: number): 'little' | 'big' | null {
  const frames = Math.floor(bytes.length / (2 * channels));
  if (frames < JUDGE_FRAMES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, frames * 2 * channels);
  const roughness = (little: boolean): number => {
    let level = 0;
    let change = 0;
    for (let c = 0; c < channels; c++) {
      let last = view.getInt16(c * 2, little);
      for (let f = 1; f < frames; f++) {
        const sample = view.getInt16((f * channels + c) * 2, little);
        level += Math.abs(sample);
        change += Math.abs(sample - last);
        last = sample;
      }
    }
    return level === 0 ? NaN : change / level;
  };
  const little = roughness(true);
  const big = roughness(false);
  if (!(little >= 0 && big >= 0)) return null;
  if (little < big * CLEAR_RATIO) return 'little';
  if (big < little * CLEAR_RATIO) return 'big';
  return null;
}

/**
 * Raw PCM labelled `audio/L16`: big-endian by RFC 2586, but some servers label their
 * little-endian samples so. Its first bytes are held until they show which order they are
 * in (at most 250 ms of audio; then the label is believed), and all are read in that order.
 */
export class L16Decoder implements StreamDecoder {
  readonly format = 'pcm' as const;
  readonly ready = Promise.resolve();
  private held: Uint8Array = new Uint8Array(0);
  private decoder: PcmDecoder | null = null;
  private freed = false;
  private readonly heldStats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };

  constructor(
    private readonly sampleRate: number,
    private readonly channels: number,
  ) {}

  get stats(): DecoderStats {
    return this.decoder?.stats ?? this.heldStats;
  }

  /** The order the samples were read in, once decided. */
  get byteOrder(): 'little' | 'big' | null {
    return this.decoder ? (this.decoder.encoding === ENCODINGS.s16 ? 'little' : 'big') : null;
  }

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    if (this.freed) throw new Error('This pcm decoder has been freed.');
    if (this.decoder) return this.decoder.push(bytes);
    this.held = concatBytes(this.held, bytes);
    this.heldStats.bytesIn = this.held.length;
    const order = judgeByteOrder(this.held, this.channels);
    const mostBytes = ((this.sampleRate * MOST_HELD_MS) / 1000) * 2 * this.channels;
    if (order === null && this.held.length < mostBytes) return silence(this.sampleRate, this.channels);
    return this.decide(order ?? 'big');
  }

  async flush(): Promise<DecodedAudio> {
    // A body too short or too quiet to tell: the label's order.
    return this.decoder ? this.decoder.flush() : this.decide('big');
  }

  async reset(): Promise<void> {
    this.held = new Uint8Array(0);
    this.heldStats.bytesIn = 0;
    this.decoder = null;
  }

  free(): void {
    this.freed = true;
    this.decoder?.free();
  }

  private decide(order: 'little' | 'big'): Promise<DecodedAudio> {
    this.decoder = new PcmDecoder(this.sampleRate, this.channels, order === 'little' ? ENCODINGS.s16 : ENCODINGS.s16be);
    const held = this.held;
    this.held = new Uint8Array(0);
    return this.decoder.push(held);
  }
}
