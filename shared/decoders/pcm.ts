import type { AdpcmLayout } from './adpcm';
import { concatBytes, silence } from './audio';
import type { DecodedAudio, DecoderStats, StreamDecoder } from './types';

/** Interleaved little-endian samples → planar Float32. Shared by the pcm and wav decoders. */
export function deinterleave(
  bytes: Uint8Array,
  channels: number,
  encoding: SampleEncoding,
): { channelData: Float32Array[]; frames: number } {
  const frameBytes = channels * encoding.bytes;
  const frames = Math.floor(bytes.length / frameBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) channelData[c][f] = encoding.read(view, f * frameBytes + c * encoding.bytes);
  }
  return { channelData, frames };
}

/** G.711 μ-law, as ITU-T G.711 expands it (to ±32124 of 32768). */
const MULAW = Float32Array.from({ length: 256 }, (_, byte) => {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return (u & 0x80 ? -magnitude : magnitude) / 32768;
});

/** G.711 A-law, as ITU-T G.711 expands it (to ±32256 of 32768). */
const ALAW = Float32Array.from({ length: 256 }, (_, byte) => {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 7;
  const mantissa = (a & 0x0f) << 4;
  const magnitude = exponent === 0 ? mantissa + 8 : (mantissa + 0x108) << (exponent - 1);
  return (a & 0x80 ? magnitude : -magnitude) / 32768;
});

/** How one sample is stored. */
export interface SampleEncoding {
  bytes: number;
  read(view: DataView, offset: number): number;
}

/** How a WAV's or an AIFF's samples are stored: plain, in an encoding, or in ADPCM blocks. */
export type SampleLayout = { rate: number; channels: number } & ({ encoding: SampleEncoding; adpcm?: undefined } | { adpcm: AdpcmLayout; encoding?: undefined });

/** The sample encodings WAV, AIFF and raw PCM use. */
export const ENCODINGS = {
  u8: { bytes: 1, read: (v: DataView, o: number) => (v.getUint8(o) - 128) / 128 },
  s16: { bytes: 2, read: (v: DataView, o: number) => v.getInt16(o, true) / 32768 },
  s24: {
    bytes: 3,
    read: (v: DataView, o: number) => ((v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16)) / 8388608),
  },
  s32: { bytes: 4, read: (v: DataView, o: number) => v.getInt32(o, true) / 2147483648 },
  f32: { bytes: 4, read: (v: DataView, o: number) => v.getFloat32(o, true) },
  f64: { bytes: 8, read: (v: DataView, o: number) => v.getFloat64(o, true) },
  // G.711 (WAV formats 7 and 6): telephony voices, and ffmpeg's pcm_mulaw / pcm_alaw.
  mulaw: { bytes: 1, read: (v: DataView, o: number) => MULAW[v.getUint8(o)] },
  alaw: { bytes: 1, read: (v: DataView, o: number) => ALAW[v.getUint8(o)] },
  // Big-endian and signed 8-bit: AIFF's.
  s8: { bytes: 1, read: (v: DataView, o: number) => v.getInt8(o) / 128 },
  s16be: { bytes: 2, read: (v: DataView, o: number) => v.getInt16(o, false) / 32768 },
  s24be: {
    bytes: 3,
    read: (v: DataView, o: number) => (((v.getInt8(o) << 16) | (v.getUint8(o + 1) << 8) | v.getUint8(o + 2)) / 8388608),
  },
  s32be: { bytes: 4, read: (v: DataView, o: number) => v.getInt32(o, false) / 2147483648 },
  f32be: { bytes: 4, read: (v: DataView, o: number) => v.getFloat32(o, false) },
  f64be: { bytes: 8, read: (v: DataView, o: number) => v.getFloat64(o, false) },
} satisfies Record<string, SampleEncoding>;

/**
 * Raw interleaved samples with a known layout: whole frames out, a partial frame kept for
 * the next push. Used for `pcm` (s16le) and for the body of a WAV.
 */
export class PcmDecoder implements StreamDecoder {
  readonly format: 'pcm' | 'wav' = 'pcm';
  readonly ready = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private tail: Uint8Array = new Uint8Array(0);
  private freed = false;

  constructor(
    private readonly sampleRate: number,
    private readonly channels: number,
    readonly encoding: SampleEncoding = ENCODINGS.s16,
  ) {}

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    const all = concatBytes(this.tail, bytes);
    const { channelData, frames } = deinterleave(all, this.channels, this.encoding);
    // Copy the partial frame: `all` may be the caller's buffer, which it may reuse.
    this.tail = all.slice(frames * this.channels * this.encoding.bytes);
    this.stats.framesOut += frames;
    return { channelData, samplesDecoded: frames, sampleRate: this.sampleRate };
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    // A partial frame at the end of a stream is not audio.
    this.tail = new Uint8Array(0);
    return silence(this.sampleRate, this.channels);
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.tail = new Uint8Array(0);
  }

  free(): void {
    this.freed = true;
  }

  private assertUsable(): void {
    if (this.freed) throw new Error(`This ${this.format} decoder has been freed.`);
  }
}
