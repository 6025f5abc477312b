import { describe, expect, it } from 'vitest';
import { prng } from '../decoders/helpers';
import { alignAndCompare, findHoles, findOnset, findSlips, resample, withoutSlips } from '../support/recording';

const RATE = 48000;

/** Seeded noise shaped like speech's loudness: bursts of 80–300 ms, never silent. */
function speechLike(length: number, seed: number): Float32Array {
  const random = prng(seed);
  const out = new Float32Array(length);
  let gain = 0.3;
  for (let i = 0; i < length; i++) {
    if (i % 4800 === 0) gain = 0.05 + random() * 0.4;
    out[i] = gain * (random() * 2 - 1);
  }
  return out;
}

describe('findOnset', () => {
  it('finds a loud signal at its first sample, and nothing in silence or below the threshold', () => {
    const x = new Float32Array(RATE);
    x.fill(0.5, 12345);
    expect(findOnset(x, RATE)).toBe(12345);
    expect(findOnset(new Float32Array(RATE), RATE)).toBe(-1);
    expect(findOnset(new Float32Array(RATE).fill(0.001), RATE)).toBe(-1); // −60 dBFS
    // 10 dB above the threshold: found once a tenth of the 2 ms window is filled.
    expect(findOnset(new Float32Array(RATE).fill(0.001), RATE, { threshold: -70 })).toBe(9);
  });
});

describe('findHoles', () => {
  it('finds a planted 30 ms gap and ignores 10 ms ones and the ends outside the range', () => {
    const x = speechLike(RATE * 2, 1);
    x.fill(0, 30000, 30000 + 0.03 * RATE);
    x.fill(0, 60000, 60000 + 0.01 * RATE);
    x.fill(0, 0, 5000);
    const holes = findHoles(x, RATE, { from: 5000, to: x.length, minMs: 20 });
    expect(holes).toEqual([{ start: 30000, lengthMs: 30 }]);
    expect(findHoles(x, RATE, { minMs: 20 })).toHaveLength(2);
  });

  it('reports a hole that runs to the end of the range', () => {
    const x = speechLike(RATE, 2);
    x.fill(0, RATE - 0.05 * RATE);
    expect(findHoles(x, RATE, { minMs: 20 })).toEqual([{ start: RATE - 0.05 * RATE, lengthMs: 50 }]);
  });
});

describe('resample', () => {
  it('keeps a tone below the new Nyquist frequency, at its phase', () => {
    const tone = Float32Array.from({ length: 24000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 24000));
    const up = resample(tone, 24000, 48000);
    expect(up.length).toBe(48000);
    let worst = 0;
    for (let i = 100; i < up.length - 100; i++) worst = Math.max(worst, Math.abs(up[i] - Math.sin((2 * Math.PI * 1000 * i) / 48000)));
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('alignAndCompare', () => {
  it('finds a shifted, scaled copy at the exact lag with correlation ≈ 1', () => {
    const reference = speechLike(RATE * 3, 3);
    const recording = new Float32Array(RATE * 10);
    recording.set(reference.map((v) => v * 0.2), 123457);
    const found = alignAndCompare(recording, reference, RATE, RATE);
    expect(found.lag).toBe(123457);
    expect(found.correlation).toBeCloseTo(1, 6);
  });

  it('finds a 24 kHz reference in a 48 kHz recording of it', () => {
    const reference = speechLike(24000 * 2, 4).map((v, i) => v * Math.sin(i / 5)); // band-limited below 12 kHz
    const recording = new Float32Array(RATE * 5);
    recording.set(resample(reference, 24000, RATE).map((v) => v * 3), 50001);
    const found = alignAndCompare(recording, reference, RATE, 24000);
    expect(found.lag).toBe(50001);
    expect(found.correlation).toBeGreaterThan(0.999);
  });

  it('finds a reference that starts before the recording does, counting the missing part as silence', () => {
    const reference = speechLike(RATE, 5);
    const recording = new Float32Array(RATE * 2);
    recording.set(reference.subarray(RATE / 4), 0);
    const found = alignAndCompare(recording, reference, RATE, RATE);
    expect(found.lag).toBe(-RATE / 4);
    expect(found.correlation).toBeGreaterThan(0.8);
    expect(found.correlation).toBeLessThan(0.9); // a quarter of the reference's energy is missing
  });

  it('gives a low correlation when the recording holds only unrelated noise', () => {
    const found = alignAndCompare(speechLike(RATE * 5, 6), speechLike(RATE, 7), RATE, RATE);
    expect(found.correlation).toBeLessThan(0.1);
  });

  it('is fast enough for 40 s at 48 kHz', () => {
    const reference = speechLike(RATE * 20, 8);
    const recording = new Float32Array(RATE * 40);
    recording.set(reference, RATE * 15);
    const started = performance.now();
    expect(alignAndCompare(recording, reference, RATE, RATE).lag).toBe(RATE * 15);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('findSlips', () => {
  const ref = speechLike(RATE * 4, 7);
  /** The reference 3000 samples into a recording, with `edit` applied to the copy. */
  const recorded = (edit: (x: number[]) => void): Float32Array => {
    const x = [...new Float32Array(3000), ...ref, ...new Float32Array(3000)];
    edit(x);
    return Float32Array.from(x);
  };

  it('finds short silences the output inserted, and the recording without them is the reference', () => {
    const x = recorded((x) => {
      x.splice(3000 + 150_000, 0, ...new Float32Array(37));
      x.splice(3000 + 50_000, 0, ...new Float32Array(42));
    });
    const { lag } = alignAndCompare(x, ref, RATE, RATE);
    const found = findSlips(x, ref, lag, RATE, 512);
    expect(found.unexplained).toEqual([]);
    expect(found.start).toBe(3000);
    expect(found.slips).toEqual([
      { at: 53_000, samples: 42 },
      { at: 153_042, samples: 37 },
    ]);
    expect(alignAndCompare(withoutSlips(x, found.slips), ref, RATE, RATE)).toEqual({ lag: 3000, correlation: expect.closeTo(1, 6) });
  });

  it('cuts a slip where it was inserted, not at a longer pause of the speech beside it', () => {
    const paused = ref.slice();
    paused.fill(0, 100_000, 100_300);
    const x = Float32Array.from([...new Float32Array(3000), ...paused.subarray(0, 101_000), ...new Float32Array(42), ...paused.subarray(101_000)]);
    const found = findSlips(x, paused, 3000, RATE, 512);
    expect(found).toEqual({ start: 3000, slips: [{ at: 104_000, samples: 42 }], unexplained: [] });
    expect(alignAndCompare(withoutSlips(x, found.slips), paused, RATE, RATE).correlation).toBeCloseTo(1, 6);
  });

  it('cuts a move of a few samples too: left in, it would shift the rest of the take', () => {
    const paused = ref.slice();
    paused.fill(0, 50_200, 50_600); // across a window's edge: each window is clean at its own lag
    const x = Float32Array.from([
      ...new Float32Array(3000),
      ...paused.subarray(0, 50_400),
      ...new Float32Array(4),
      ...paused.subarray(50_400, 150_000),
      ...new Float32Array(42),
      ...paused.subarray(150_000),
    ]);
    const found = findSlips(x, paused, 3000, RATE, 512);
    expect(found.unexplained).toEqual([]);
    expect(found.slips.map((slip) => slip.samples)).toEqual([4, 42]);
    expect(alignAndCompare(withoutSlips(x, found.slips), paused, RATE, RATE).correlation).toBeCloseTo(1, 6);
  });

  it('finds the silence of a long stall too, when the limit allows it, and not audio lost', () => {
    const held = recorded((x) => x.splice(3000 + 90_000, 0, ...new Float32Array(4321)));
    const { lag } = alignAndCompare(held, ref, RATE, RATE);
    const found = findSlips(held, ref, lag, RATE, 12_000);
    expect(found).toEqual({ start: 3000, slips: [{ at: 93_000, samples: 4321 }], unexplained: [] });
    expect(alignAndCompare(withoutSlips(held, found.slips), ref, RATE, RATE).correlation).toBeCloseTo(1, 6);
    expect(findSlips(held, ref, lag, RATE, 4000).unexplained).not.toEqual([]);
    // A stall's silence that replaced audio instead of delaying it: 4321 samples of speech lost.
    const replaced = recorded((x) => x.fill(0, 3000 + 90_000, 3000 + 94_321));
    expect(findSlips(replaced, ref, 3000, RATE, 12_000)).toMatchObject({ slips: [], unexplained: [expect.stringContaining('not found')] });
    const lost = recorded((x) => x.splice(3000 + 90_000, 4321));
    expect(findSlips(lost, ref, alignAndCompare(lost, ref, RATE, RATE).lag, RATE, 12_000).unexplained).not.toEqual([]);
  });

  it('finds a slip inside the first window, where there is no lag before it to measure it by', () => {
    const early = recorded((x) => x.splice(3000 + 1_000, 0, ...new Float32Array(321)));
    const found = findSlips(early, ref, alignAndCompare(early, ref, RATE, RATE).lag, RATE, 512);
    expect(found).toEqual({ start: 3000, slips: [{ at: 4000, samples: 321 }], unexplained: [] });
    expect(alignAndCompare(withoutSlips(early, found.slips), ref, RATE, RATE).correlation).toBeCloseTo(1, 6);
    // Inserted where the speech is quiet: the run of silence is longer than the slip.
    const quiet = ref.slice();
    quiet.fill(0, 1_000, 1_062);
    const merged = Float32Array.from([...new Float32Array(3000), ...quiet.subarray(0, 1_000), ...new Float32Array(1338), ...quiet.subarray(1_000), ...new Float32Array(3000)]);
    const inQuiet = findSlips(merged, quiet, alignAndCompare(merged, quiet, RATE, RATE).lag, RATE, 12_000);
    expect(inQuiet).toEqual({ start: 3000, slips: [{ at: 4000, samples: 1338 }], unexplained: [] });
    // Two windows spoiled are not one slip.
    const lost = recorded((x) => x.fill(0, 3000 + 1_000, 3000 + 6_000));
    expect(findSlips(lost, ref, 3000, RATE, 512).unexplained).not.toEqual([]);
  });

  it('follows a slip past a near lag that only looks clean: a voiced stretch matches itself a pitch period away', () => {
    // 0.3 s of a voice near 222 Hz (a 216-sample period) whose pitch glides, with a little breath in it.
    const voiced = ref.slice();
    const breath = prng(11);
    let phase = 0;
    for (let i = 48_000; i < 62_400; i++) {
      phase += (2 * Math.PI) / (216 + 30 * Math.sin((2 * Math.PI * (i - 48_000)) / 14_400));
      voiced[i] = 0.3 * Math.sin(phase) + 0.01 * (breath() * 2 - 1);
    }
    // A 645-sample stall inside it: 645 less one to three periods lies within the near search.
    const x = Float32Array.from([...new Float32Array(3000), ...voiced.subarray(0, 50_000), ...new Float32Array(645), ...voiced.subarray(50_000), ...new Float32Array(3000)]);
    const found = findSlips(x, voiced, alignAndCompare(x, voiced, RATE, RATE).lag, RATE, 12_000);
    expect(found).toEqual({ start: 3000, slips: [{ at: 53_000, samples: 645 }], unexplained: [] });
  });

  it('explains a shift by two silences between clean windows: a stall that let a moment of audio through', () => {
    const x = recorded((x) => {
      x.splice(3000 + 90_900, 0, ...new Float32Array(1092));
      x.splice(3000 + 90_000, 0, ...new Float32Array(1837));
    });
    const found = findSlips(x, ref, alignAndCompare(x, ref, RATE, RATE).lag, RATE, 12_000);
    expect(found.unexplained).toEqual([]);
    expect(found.slips).toEqual([
      { at: 93_000, samples: 1837 },
      { at: 93_000 + 1837 + 900, samples: 1092 },
    ]);
    expect(alignAndCompare(withoutSlips(x, found.slips), ref, RATE, RATE).correlation).toBeCloseTo(1, 6);
  });

  it('does not excuse audio lost, audio played twice, or a hole longer than the limit', () => {
    const lost = recorded((x) => x.splice(3000 + 50_000, 40));
    const twice = recorded((x) => x.splice(3000 + 50_000, 0, ...x.slice(3000 + 49_960, 3000 + 50_000)));
    const hole = recorded((x) => x.splice(3000 + 50_000, 0, ...new Float32Array(600)));
    for (const x of [lost, twice, hole]) {
      const found = findSlips(x, ref, alignAndCompare(x, ref, RATE, RATE).lag, RATE, 512);
      expect(found.unexplained).not.toEqual([]);
    }
    const clean = recorded(() => {});
    expect(findSlips(clean, ref, 3000, RATE, 512)).toEqual({ start: 3000, slips: [], unexplained: [] });
  });
});
