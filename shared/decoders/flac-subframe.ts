// One channel of a FLAC frame (https://xiph.org/flac/format.html, "SUBFRAME"), decoded as
// far as its bytes have arrived. Headers and coefficients are read whole or not at all;
// samples one at a time, so a caller can hand them out while the rest is on its way.
import { peek32, type BitReader } from './flac-bits';

/** Out of bits for now / the subframe is complete / the bits cannot be a valid subframe. */
export const MORE = 0;
export const DONE = 1;
export const BAD = 2;
/** Within a subframe: this phase is over, go on to the next. */
const NEXT = 3;
export type Step = typeof MORE | typeof DONE | typeof BAD;
type Phase = Step | typeof NEXT;

const HEADER = 0;
const CONSTANT = 1;
const VERBATIM = 2;
const WARMUP = 3;
const COEFFICIENTS = 4;
const RESIDUAL = 5;
const PARTITION = 6;
const SAMPLES = 7;

/** The FIXED predictors of orders 0–4 as LPC coefficients, for the newest sample first. */
const FIXED = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];
/** 2^k for a Rice parameter k. */
const POW2 = Array.from({ length: 33 }, (_, k) => 2 ** k);

/** One channel's samples in a frame, and where their decoding stands. */
export class Subframe {
  /** The decoded samples, without the wasted low bits (multiply by 2^wasted). */
  samples = new Float64Array(0);
  /** How many samples are decoded. */
  count = 0;
  wasted = 0;
  /** A CONSTANT subframe's value; its samples are written only when asked (see fill). */
  private constant: number | null = null;
  private bits = 0;
  private blockSize = 0;
  private phase = HEADER;
  private order = 0;
  private lpc = false;
  private readonly coefs = new Float64Array(32);
  /** 2^-shift of the LPC predictor: a multiply and a floor are its arithmetic shift. */
  private scale = 1;
  private riceBits = 4;
  private partitionSize = 0;
  private partitionEnd = 0;
  private param = 0;
  /** Bits per residual of an escaped (unencoded) partition; -1 for a Rice-coded one. */
  private escapeBits = -1;
  /** A decoded sample outside these bounds means damage, found before the CRC-16 says so. */
  private low = 0;
  private high = 0;

  /** Starts a subframe of `bits` per sample (a side channel has one more) and `blockSize` samples. */
  begin(bits: number, blockSize: number): void {
    this.bits = bits;
    this.blockSize = blockSize;
    this.phase = HEADER;
    this.count = 0;
    this.wasted = 0;
    this.constant = null;
    if (this.samples.length < blockSize) this.samples = new Float64Array(blockSize);
  }

  /**
   * Makes samples [from, to) readable. A CONSTANT subframe writes them only now, so a false
   * frame header in damaged bytes costs no more than the bytes it reads.
   */
  fill(from: number, to: number): void {
    if (this.constant !== null) this.samples.fill(this.constant, from, to);
  }

  /** Decodes what the reader holds; stops at the end of the subframe. */
  decode(r: BitReader): Step {
    for (;;) {
      const step = this.step(r);
      if (step !== NEXT) return step;
    }
  }

  private step(r: BitReader): Phase {
    switch (this.phase) {
      case HEADER:
        return this.header(r);
      case CONSTANT: {
        if (r.left() < this.bits) return MORE;
        this.constant = r.readSigned(this.bits);
        this.count = this.blockSize;
        return DONE;
      }
      case VERBATIM:
      case WARMUP: {
        const stop = this.phase === VERBATIM ? this.blockSize : this.order;
        while (this.count < stop && r.left() >= this.bits) this.samples[this.count++] = r.readSigned(this.bits);
        if (this.count < stop) return MORE;
        if (this.phase === VERBATIM) return DONE;
        this.phase = this.lpc ? COEFFICIENTS : RESIDUAL;
        return NEXT;
      }
      case COEFFICIENTS:
        return this.coefficients(r);
      case RESIDUAL:
        return this.residual(r);
      case PARTITION:
        return this.partition(r);
      default: {
        const step = this.escapeBits < 0 ? this.riceSamples(r) : this.escapedSamples(r);
        if (step !== DONE || this.count === this.blockSize) return step;
        this.partitionEnd += this.partitionSize;
        this.phase = PARTITION;
        return NEXT;
      }
    }
  }

  private header(r: BitReader): Phase {
    if (r.left() < 8) return MORE;
    const start = r.pos;
    const byte = r.read(8);
    const type = (byte >> 1) & 0x3f;
    let wasted = 0;
    if (byte & 1) {
      wasted = r.unary() + 1;
      if (wasted === 0) {
        // A run of zeros longer than the sample can only be damage.
        const arrived = r.end - r.pos;
        r.pos = start;
        return arrived > this.bits ? BAD : MORE;
      }
    }
    if (byte & 0x80 || wasted >= this.bits) return BAD;
    this.wasted = wasted;
    this.bits -= wasted;
    this.order = 0;
    this.low = -(2 ** (this.bits - 1));
    this.high = 2 ** (this.bits - 1) - 1;
    if (type === 0) this.phase = CONSTANT;
    else if (type === 1) this.phase = VERBATIM;
    else if (type >= 8 && type <= 12) this.predictor(type - 8, false);
    else if (type >= 32) this.predictor(type - 31, true);
    else return BAD;
    return this.order > this.blockSize ? BAD : NEXT;
  }

  private predictor(order: number, lpc: boolean): void {
    this.order = order;
    this.lpc = lpc;
    this.phase = WARMUP;
    if (lpc) return;
    this.coefs.set(FIXED[order]);
    this.scale = 1;
  }

  private coefficients(r: BitReader): Phase {
    if (r.left() < 9) return MORE;
    const start = r.pos;
    const precision = r.read(4) + 1;
    const shift = r.readSigned(5);
    if (precision === 16 || shift < 0) return BAD;
    if (r.left() < this.order * precision) {
      r.pos = start;
      return MORE;
    }
    for (let j = 0; j < this.order; j++) this.coefs[j] = r.readSigned(precision);
    this.scale = 2 ** -shift;
    this.phase = RESIDUAL;
    return NEXT;
  }

  private residual(r: BitReader): Phase {
    if (r.left() < 6) return MORE;
    const method = r.read(2);
    const partitionOrder = r.read(4);
    this.partitionSize = this.blockSize >> partitionOrder;
    if (method > 1 || this.partitionSize << partitionOrder !== this.blockSize || this.partitionSize < this.order) return BAD;
    this.riceBits = method === 0 ? 4 : 5;
    this.partitionEnd = this.partitionSize;
    this.phase = PARTITION;
    return NEXT;
  }

  private partition(r: BitReader): Phase {
    if (r.left() < this.riceBits) return MORE;
    const start = r.pos;
    this.param = r.read(this.riceBits);
    this.escapeBits = -1;
    if (this.param === (1 << this.riceBits) - 1) {
      if (r.left() < 5) {
        r.pos = start;
        return MORE;
      }
      this.escapeBits = r.read(5);
    }
    this.phase = SAMPLES;
    return NEXT;
  }

  /**
   * The hot loop: Rice codes to the end of the partition or of the bytes, each residual
   * added to its prediction at once. Residuals past 32 bits are damage (libFLAC keeps them in
   * an int32), which also bounds the unary run.
   */
  private riceSamples(r: BitReader): Step {
    const b = r.bytes;
    const end = r.end;
    const k = this.param;
    const step = POW2[k];
    const tooBig = POW2[32 - k];
    const x = this.samples;
    const c = this.coefs;
    const order = this.order;
    const scale = this.scale;
    const low = this.low;
    const high = this.high;
    const stop = this.partitionEnd;
    let pos = r.pos;
    let i = this.count;
    let result: Step = DONE;
    while (i < stop) {
      let at = pos;
      let q = 0;
      let word = at < end ? peek32(b, at) : 0;
      while (word === 0 && at < end && q < tooBig) {
        q += 32;
        at += 32;
        word = peek32(b, at);
      }
      const zeros = Math.clz32(word);
      q += zeros;
      at += zeros + 1;
      if (at + k > end) {
        result = MORE;
        break;
      }
      if (q >= tooBig) {
        result = BAD;
        break;
      }
      const u = k ? q * step + (peek32(b, at) >>> (32 - k)) : q;
      let sum = 0;
      for (let j = 0; j < order; j++) sum += c[j] * x[i - 1 - j];
      const value = ((u >>> 1) ^ -(u & 1)) + Math.floor(sum * scale);
      if (value < low || value > high) {
        result = BAD;
        break;
      }
      x[i++] = value;
      pos = at + k;
    }
    r.pos = pos;
    this.count = i;
    return result;
  }

  /** An escaped partition: each residual in escapeBits bits (0: all zero). */
  private escapedSamples(r: BitReader): Step {
    const bits = this.escapeBits;
    const x = this.samples;
    const c = this.coefs;
    while (this.count < this.partitionEnd) {
      if (r.left() < bits) return MORE;
      const i = this.count;
      let sum = 0;
      for (let j = 0; j < this.order; j++) sum += c[j] * x[i - 1 - j];
      const value = (bits ? r.readSigned(bits) : 0) + Math.floor(sum * this.scale);
      if (value < this.low || value > this.high) return BAD;
      x[this.count++] = value;
    }
    return DONE;
  }
}
