import { beforeAll, describe, expect, it } from 'vitest';
import { loadSonic, rateProblem, TimeStretcher, type SonicModule } from '../../shared/audio/time-stretch';
import { fixture, readWav } from '../support/audio-files';
import { medianPitch } from '../support/pitch';

/** Real speech (espeak-ng), 24 kHz mono: voiced, with pauses between sentences. */
let speech: Float32Array;
let sonic: SonicModule;
const RATE = 24000;
beforeAll(async () => {
  sonic = await loadSonic();
  speech = readWav(fixture('speech-24k.wav')).channels[0];
});

/** Stretches `input` in blocks of `block` frames, flushing at the end; returns all output. */
function stretch(input: Float32Array, rate: number, block = 480, channels = 1): Float32Array {
  const stretcher = new TimeStretcher(sonic, RATE, channels);
  stretcher.setRate(rate);
  const parts: Float32Array[] = [];
  for (let at = 0; at < input.length; at += block * channels) parts.push(stretcher.process(input.subarray(at, at + block * channels)));
  parts.push(stretcher.flush());
  stretcher.free();
  return concat(parts);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('TimeStretcher (Sonic)', () => {
  it('passes audio through untouched at rate 1: the same samples, none held back', () => {
    const stretcher = new TimeStretcher(sonic, RATE, 1);
    const block = speech.subarray(0, 4800);
    expect(stretcher.process(block)).toBe(block);
    expect(stretcher.heldFrames).toBe(0);
    expect(stretcher.flush().length).toBe(0);
  });

  // At 3× a 40 ms analysis frame spans 120 ms of speech, whose pitch moves: 8% there.
  it.each([
    [0.5, 0.05],
    [1.5, 0.05],
    [2, 0.05],
    [3, 0.08],
  ])('at %s× lasts 1/rate as long (within 1 percent) and keeps the pitch (F0 within a fraction %s)', (rate, pitchTolerance) => {
    const out = stretch(speech, rate);
    expect(out.length / (speech.length / rate)).toBeGreaterThan(0.99);
    expect(out.length / (speech.length / rate)).toBeLessThan(1.01);
    const before = medianPitch(speech, RATE);
    expect(Math.abs(medianPitch(out, RATE) / before - 1)).toBeLessThan(pitchTolerance);
  });

  it('stretches interleaved stereo as frames', () => {
    const stereo = new Float32Array(speech.length * 2);
    for (let i = 0; i < speech.length; i++) stereo[2 * i] = stereo[2 * i + 1] = speech[i];
    const out = stretch(stereo, 2, 480, 2);
    expect(out.length % 2).toBe(0);
    expect(out.length / 2 / (speech.length / 2)).toBeCloseTo(1, 1);
    for (let i = 0; i < out.length; i += 2) expect(out[i]).toBe(out[i + 1]);
  });

  it('loses and repeats nothing across flushes: sentence by sentence adds up to the whole', () => {
    const sentences = [speech.subarray(0, 30000), speech.subarray(30000, 61000), speech.subarray(61000)];
    const stretcher = new TimeStretcher(sonic, RATE, 1);
    stretcher.setRate(2);
    let total = 0;
    for (const sentence of sentences) {
      const out = concat([stretcher.process(sentence), stretcher.flush()]);
      // Each sentence comes out whole at its end: nothing of it is held for the next.
      expect(Math.abs(out.length - sentence.length / 2)).toBeLessThan(RATE * 0.01);
      expect(stretcher.heldFrames).toBe(0);
      total += out.length;
    }
    expect(Math.abs(total - speech.length / 2)).toBeLessThan(RATE * 0.02);
    // A second flush has nothing left to give.
    expect(stretcher.flush().length).toBe(0);
  });

  it('going back to 1 gives back what was held, then passes through bit-exact', () => {
    const stretcher = new TimeStretcher(sonic, RATE, 1);
    stretcher.setRate(2);
    const first = stretcher.process(speech.subarray(0, 12000));
    const held = stretcher.heldFrames;
    expect(held).toBeGreaterThan(0);
    const tail = stretcher.setRate(1);
    expect(Math.abs(first.length + tail.length - 6000)).toBeLessThan(RATE * 0.01);
    const next = speech.subarray(12000, 16800);
    expect(stretcher.process(next)).toBe(next);
  });

  it('changes rate mid-stream without a gap: the output is as long as each part at its own rate', () => {
    const stretcher = new TimeStretcher(sonic, RATE, 1);
    stretcher.setRate(1.5);
    const a = stretcher.process(speech.subarray(0, 24000));
    stretcher.setRate(3);
    const b = concat([stretcher.process(speech.subarray(24000, 48000)), stretcher.flush()]);
    const expected = 24000 / 1.5 + 24000 / 3;
    expect(Math.abs(a.length + b.length - expected) / expected).toBeLessThan(0.03);
  });

  it.each([0.49, 3.01, 0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses rate %s with a message', (rate) => {
    const stretcher = new TimeStretcher(sonic, RATE, 1);
    expect(() => stretcher.setRate(rate)).toThrow(/playback rate must be/);
    expect(stretcher.rate).toBe(1);
  });

  it('says why a rate is refused, and accepts the range', () => {
    expect(rateProblem(0.5)).toBeNull();
    expect(rateProblem(3)).toBeNull();
    expect(rateProblem(4)).toBe('The playback rate must be from 0.5× to 3×, not 4×.');
    expect(rateProblem('2')).toMatch(/must be a number/);
  });
});
