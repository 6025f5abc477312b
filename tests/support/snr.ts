// Signal-to-noise ratio between a decode and a reference decode.
//
// Two decoders of one stream can differ by a constant delay (an MP3 decoder that ignores
// LAME's encoder delay, Opus pre-skip applied or not). A lag search finds it, and the tests
// then assert the lag they expect (0 for every decoder here), so a delay is never hidden
// and never silently compensated.

/** The result of comparing a signal with its reference. */
export interface SnrResult {
  /** dB; Infinity when the overlap is sample-exact. */
  snr: number;
  /** Samples compared. */
  overlap: number;
}

/**
 * SNR in dB of `signal` against `reference` over the samples both have, with the signal
 * taken `lag` samples late. Noise is the sample-wise difference.
 */
export function snrDb(signal: Float32Array, reference: Float32Array, lag = 0): SnrResult {
  const from = Math.max(0, lag);
  const to = Math.min(signal.length, reference.length + lag);
  let power = 0;
  let noise = 0;
  for (let i = from; i < to; i++) {
    const r = reference[i - lag];
    const d = signal[i] - r;
    power += r * r;
    noise += d * d;
  }
  return { snr: noise === 0 ? Infinity : 10 * Math.log10(power / noise), overlap: Math.max(0, to - from) };
}

/**
 * The lag within ±maxLag that best aligns `signal` with `reference`: least squared
 * difference over the loudest `window` samples of the reference (cheap, and speech's
 * loudest part leaves no doubt about the alignment).
 */
export function bestLag(signal: Float32Array, reference: Float32Array, maxLag: number, window = 8192): number {
  const start = loudest(reference, window);
  let best = { lag: 0, error: Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let error = 0;
    for (let i = start; i < start + window && i < reference.length; i++) {
      const s = signal[i + lag] ?? 0;
      error += (s - reference[i]) ** 2;
    }
    if (error < best.error) best = { lag, error };
  }
  return best.lag;
}

function loudest(x: Float32Array, window: number): number {
  let best = { at: 0, energy: -1 };
  for (let at = 0; at + window <= x.length; at += window >> 2) {
    let energy = 0;
    for (let i = at; i < at + window; i++) energy += x[i] * x[i];
    if (energy > best.energy) best = { at, energy };
  }
  return best.at;
}

/** How many samples differ at all (bit-exact comparison). */
export function differingSamples(a: Float32Array, b: Float32Array): number {
  let count = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) count++;
  return count;
}

/** Root mean square level. */
export function rms(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / Math.max(1, x.length));
}
