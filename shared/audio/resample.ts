/**
 * A streaming linear-interpolation resampler for one channel. Used only where a stream
 * changes rate mid-utterance (a failover to a server with another rate) and the output
 * must keep one rate. Good enough for speech at a rare seam; not a mastering filter.
 */
export class LinearResampler {
  private readonly step: number;
  /** Read position in the block [previous last sample, ...input]. */
  private position = 1;
  private last: number | null = null;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.step = fromRate / toRate;
  }

  /** Resamples the next block of input. */
  process(input: Float32Array): Float32Array {
    if (this.fromRate === this.toRate || !input.length) return input;
    const previous = this.last ?? input[0];
    const sample = (i: number): number => (i === 0 ? previous : input[i - 1]);
    const out = new Float32Array(Math.ceil((input.length + 1) / this.step) + 1);
    let count = 0;
    let pos = this.position;
    // Interpolate between sample(i) and sample(i + 1) while both exist.
    while (pos <= input.length) {
      const i = Math.floor(pos);
      const frac = pos - i;
      out[count++] = frac === 0 ? sample(i) : sample(i) + (sample(i + 1) - sample(i)) * frac;
      pos += this.step;
    }
    this.position = pos - input.length;
    this.last = input[input.length - 1];
    return out.subarray(0, count);
  }
}
