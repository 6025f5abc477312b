import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixtures folder made by tests/fixtures/make.sh. */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'generated');

/** Reads a fixture's bytes. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** Planar float audio. */
export interface Pcm {
  channels: Float32Array[];
  sampleRate: number;
}

/**
 * Reads a WAV file independently of the decoders under test (16/24/32-bit int, 32-bit
 * float, extensible), so references are not checked against themselves.
 */
export function readWav(bytes: Uint8Array): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const id = String.fromCharCode(...bytes.subarray(pos, pos + 4));
    let size = view.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      format = view.getUint16(pos + 8, true);
      channels = view.getUint16(pos + 10, true);
      sampleRate = view.getUint32(pos + 12, true);
      bits = view.getUint16(pos + 22, true);
      if (format === 0xfffe) format = view.getUint16(pos + 32, true);
    } else if (id === 'data') {
      if (size === 0xffffffff || pos + 8 + size > bytes.length) size = bytes.length - pos - 8;
      const step = bits / 8;
      const frames = Math.floor(size / (step * channels));
      const out = Array.from({ length: channels }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let c = 0; c < channels; c++) {
          const o = pos + 8 + (f * channels + c) * step;
          out[c][f] =
            format === 3
              ? view.getFloat32(o, true)
              : bits === 16
                ? view.getInt16(o, true) / 32768
                : bits === 24
                  ? (view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608
                  : view.getInt32(o, true) / 2147483648;
        }
      }
      return { channels: out, sampleRate };
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** Reads raw s16le mono PCM. */
export function readPcm16(bytes: Uint8Array, sampleRate: number): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return { channels: [out], sampleRate };
}

/**
 * Signal-to-noise ratio in dB of `signal` against `reference`, at the best lag within
 * ±maxLag samples (decoders may differ by a fixed delay), over the overlapping part.
 */
export function snrDb(signal: Float32Array, reference: Float32Array, maxLag = 0): { snr: number; lag: number } {
  let best = { snr: -Infinity, lag: 0 };
  for (let lag = maxLag ? -maxLag : 0; lag <= maxLag; lag++) {
    let s = 0;
    let n = 0;
    const from = Math.max(0, lag);
    const to = Math.min(signal.length, reference.length + lag);
    for (let i = from; i < to; i++) {
      const r = reference[i - lag];
      const d = signal[i] - r;
      s += r * r;
      n += d * d;
    }
    const snr = n === 0 ? Infinity : 10 * Math.log10(s / n);
    if (snr > best.snr) best = { snr, lag };
  }
  return best;
}

/** A seeded PRNG (mulberry32), so chunkings are random but repeatable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes into random chunks of 1..maxChunk bytes. */
export function randomChunks(bytes: Uint8Array, seed: number, maxChunk: number): Uint8Array[] {
  const random = prng(seed);
  const chunks: Uint8Array[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    // Mostly small chunks, down to 1 byte, with occasional large ones.
    const size = 1 + Math.floor(random() ** 3 * maxChunk);
    chunks.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}
