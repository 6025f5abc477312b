import { describe, expect, it } from 'vitest';
import { SincResampler } from '../../shared/audio/sinc-resampler';

const sine = (hz: number, rate: number, n: number, from = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * (i + from)) / rate));

function resampleInBlocks(r: SincResampler, input: Float32Array, block: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += block) parts.push(r.process(input.subarray(i, i + block)));
  parts.push(r.flush());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function snrAgainstSine(out: Float32Array, hz: number, rate: number, from: number, to: number): number {
  let s = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const ref = Math.sin((2 * Math.PI * hz * i) / rate);
    s += ref * ref;
    n += (out[i] - ref) ** 2;
  }
  return 10 * Math.log10(s / n);
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

describe('SincResampler', () => {
  it.each([
    [22050, 48000],
    [24000, 48000],
    [44100, 48000],
    [48000, 44100],
  ])('%i → %i Hz keeps a 1 kHz tone clean, whatever the block size', (from, to) => {
    const input = sine(1000, from, from);
    for (const block of [1, 128, 1000, 4096]) {
      const out = resampleInBlocks(new SincResampler(from, to), input, block);
      expect(Math.abs(out.length - to)).toBeLessThanOrEqual(2);
      expect(snrAgainstSine(out, 1000, to, 100, to - 100)).toBeGreaterThan(60);
    }
  });

  it('removes what would alias when downsampling', () => {
    // 23 kHz at 48 kHz has no place at 24 kHz: it must vanish, not fold to 1 kHz.
    const out = resampleInBlocks(new SincResampler(48000, 24000), sine(23000, 48000, 48000), 512);
    expect(rms(out, 200, out.length - 200)).toBeLessThan(0.01);
  });

  it('passes speech frequencies at unity gain', () => {
    const out = resampleInBlocks(new SincResampler(24000, 48000), sine(3000, 24000, 24000), 333);
    expect(rms(out, 200, out.length - 200)).toBeCloseTo(Math.SQRT1_2, 2);
  });
});
