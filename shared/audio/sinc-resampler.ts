/**
 * A streaming windowed-sinc resampler for one channel, for the decoder worker: voices come
 * at 22050, 24000 or 44100 Hz and the AudioContext runs at its own rate.
 * Kaiser-windowed, low-passed at the lower Nyquist with a 10% transition, so downsampling
 * does not alias. Keeps its history across blocks: block boundaries are inaudible.
 */
export class SincResampler {
  private readonly step: number;
  private readonly halfTaps: number;
  private readonly cutoff: number;
  /** Kernel sampled at PHASES sub-sample positions, for speed. */
  private readonly table: Float32Array;
  private history: Float32Array;
  /** Position of the next output sample relative to the start of `history`. */
  private position: number;
  private inputTotal = 0;
  private outputTotal = 0;

  private static readonly PHASES = 256;
  /** Kernels by cutoff and width: a handful of rate pairs in a session. Read only. */
  private static readonly tables = new Map<string, Float32Array>();

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
    halfTaps = 16,
  ) {
    this.step = fromRate / toRate;
    this.cutoff = Math.min(1, toRate / fromRate) * 0.9;
    // Downsampling widens the kernel in input samples to keep the same response.
    this.halfTaps = Math.ceil(halfTaps / Math.min(1, this.cutoff / 0.9));
    // The kernel depends only on the rates: built once (about 0.7 ms), shared by every segment's resamplers.
    const key = `${this.cutoff}|${this.halfTaps}`;
    this.table = SincResampler.tables.get(key) ?? SincResampler.tables.set(key, this.buildTable()).get(key)!;
    this.history = new Float32Array(this.halfTaps * 2);
    // The history starts as silence; the first output sample lines up with the first input sample.
    this.position = this.halfTaps * 2;
  }


  /** Resamples the next block; the output lags the input by halfTaps input samples until flush(). */
  process(input: Float32Array): Float32Array {
    this.inputTotal += input.length;
    return this.run(input);
  }

  /** Ends the stream: pads with silence so the last input samples come out, and no more. */
  flush(): Float32Array {
    const tail = this.run(new Float32Array(this.halfTaps * 2));
    const due = Math.max(0, Math.ceil(this.inputTotal / this.step) - (this.outputTotal - tail.length));
    return tail.subarray(0, Math.min(tail.length, due));
  }

  private run(input: Float32Array): Float32Array {
    const data = new Float32Array(this.history.length + input.length);
    data.set(this.history);
    data.set(input, this.history.length);
    const out = new Float32Array(Math.ceil((data.length - this.position) / this.step) + 1);
    let count = 0;
    const taps = this.halfTaps;
    const phases = SincResampler.PHASES;
    while (this.position + taps < data.length) {
      const base = Math.floor(this.position);
      const frac = this.position - base;
      const phase = Math.round(frac * phases);
      let sum = 0;
      for (let k = -taps + 1; k <= taps; k++) sum += data[base + k] * this.table[(k + taps - 1) * (phases + 1) + phase];
      out[count++] = sum;
      this.position += this.step;
    }
    // Keep the last 2*taps samples as history for the next block.
    const keepFrom = Math.max(0, data.length - taps * 2);
    this.history = data.slice(keepFrom);
    this.position -= keepFrom;
    this.outputTotal += count;
    return out.subarray(0, count);
  }

  private buildTable(): Float32Array {
    const taps = this.halfTaps;
    const phases = SincResampler.PHASES;
    const table = new Float32Array(taps * 2 * (phases + 1));
    const beta = 8.6;
    for (let k = -taps + 1; k <= taps; k++) {
      for (let p = 0; p <= phases; p++) {
        const x = k - p / phases; // distance from the output position, in input samples
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * this.cutoff * x) / (Math.PI * this.cutoff * x);
        const ratio = x / taps;
        const window = Math.abs(ratio) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - ratio * ratio)) / besselI0(beta);
        table[(k + taps - 1) * (phases + 1) + p] = this.cutoff * sinc * window;
      }
    }
    return table;
  }
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}
