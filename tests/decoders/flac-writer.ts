// A FLAC writer for the decoder tests, made to reach what real encoders seldom write:
// escaped partitions, variable block sizes, Rice2, wasted bits, LPC with random
// coefficients, 33-bit side channels, every rate and bit depth code, every metadata block.
// Not an encoder: it writes the plan it is given; `flac -d` then says whether it is FLAC.
import { crc16, crc8 } from '../../shared/decoders/crc';

/** Bits, most significant first. */
class BitWriter {
  readonly bytes: number[] = [];
  private byte = 0;
  private used = 0;

  /** `value` in `bits` bits (two's complement when negative); up to 40 bits. */
  write(value: number, bits: number): void {
    let u = value < 0 ? value + 2 ** bits : value;
    for (let i = bits - 1; i >= 0; i--) {
      const bit = Math.floor(u / 2 ** i);
      u -= bit * 2 ** i;
      this.bit(bit);
    }
  }

  unary(zeros: number): void {
    for (let i = 0; i < zeros; i++) this.bit(0);
    this.bit(1);
  }

  align(): void {
    while (this.used) this.bit(0);
  }

  private bit(bit: number): void {
    this.byte = (this.byte << 1) | bit;
    if (++this.used === 8) {
      this.bytes.push(this.byte);
      this.byte = 0;
      this.used = 0;
    }
  }
}

/** How one channel of one frame is written. */
export type SubframePlan =
  | { type: 'constant'; wasted: number }
  | { type: 'verbatim'; wasted: number }
  | { type: 'fixed'; order: number; wasted: number; residual: ResidualPlan }
  | { type: 'lpc'; coefs: number[]; precision: number; shift: number; wasted: number; residual: ResidualPlan };

/** Rice or Rice2, the partition order, and which partitions are escaped (written raw). */
export interface ResidualPlan {
  rice2: boolean;
  partitionOrder: number;
  escaped: (partition: number) => boolean;
}

/** One frame: its samples (one array per channel, as decoded) and how to write them. */
export interface FramePlan {
  number: number;
  variable: boolean;
  /** 0 when the header leaves it to STREAMINFO. */
  rateCode: number;
  sampleRate: number;
  /** The header's bits code: 0 = STREAMINFO's. */
  bitsCode: number;
  bits: number;
  /** 0–7 independent (channels - 1), 8 left/side, 9 side/right, 10 mid/side. */
  assignment: number;
  samples: number[][];
  subframes: SubframePlan[];
}

const FIXED = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];

/** What the frames written so far used, to show that the tests reach it. */
export const written = new Set<string>();

/** The frame's bytes, or null when a plan cannot hold its samples (a residual past 32 bits). */
export function writeFrame(plan: FramePlan): Uint8Array | null {
  const seen: string[] = [`assignment ${plan.assignment}`, `block code ${blockCodeOf(plan.samples[0].length)}`, `rate code ${plan.rateCode}`, `bits code ${plan.bitsCode}`];
  if (plan.variable) seen.push('variable block size');
  const w = new BitWriter();
  const blockSize = plan.samples[0].length;
  w.write(0xfff8 | (plan.variable ? 1 : 0), 16);
  const blockCode = blockCodeOf(blockSize);
  w.write(blockCode, 4);
  w.write(plan.rateCode, 4);
  w.write(plan.assignment, 4);
  w.write(plan.bitsCode, 3);
  w.write(0, 1);
  for (const byte of codedNumber(plan.number)) w.write(byte, 8);
  if (blockCode === 6) w.write(blockSize - 1, 8);
  if (blockCode === 7) w.write(blockSize - 1, 16);
  if (plan.rateCode === 12) w.write(plan.sampleRate / 1000, 8);
  if (plan.rateCode === 13) w.write(plan.sampleRate, 16);
  if (plan.rateCode === 14) w.write(plan.sampleRate / 10, 16);
  w.write(crc8(Uint8Array.from(w.bytes), 0, w.bytes.length), 8);
  const channels = decorrelate(plan.assignment, plan.samples);
  for (let c = 0; c < channels.length; c++) {
    const side = (plan.assignment === 9 && c === 0) || ((plan.assignment === 8 || plan.assignment === 10) && c === 1);
    if (!writeSubframe(w, channels[c], plan.bits + (side ? 1 : 0), plan.subframes[c], seen)) return null;
  }
  for (const what of seen) written.add(what);
  w.align();
  const crc = crc16(Uint8Array.from(w.bytes), 0, w.bytes.length);
  return Uint8Array.from([...w.bytes, crc >> 8, crc & 0xff]);
}

function writeSubframe(w: BitWriter, samples: number[], bits: number, plan: SubframePlan, seen: string[]): boolean {
  const scale = 2 ** plan.wasted;
  if (samples.some((x) => x % scale !== 0)) throw new Error('wasted bits that are not zero');
  const x = samples.map((v) => v / scale);
  const b = bits - plan.wasted;
  const code = plan.type === 'constant' ? 0 : plan.type === 'verbatim' ? 1 : plan.type === 'fixed' ? 8 + plan.order : 31 + plan.coefs.length;
  w.write(code << 1 | (plan.wasted ? 1 : 0), 8);
  seen.push(plan.type, `${bits}-bit subframe`);
  if (plan.wasted) seen.push('wasted bits');
  if (plan.type === 'lpc' && plan.coefs.length > 24) seen.push('lpc order > 24');
  if (plan.type === 'lpc' && plan.precision === 15) seen.push('lpc precision 15');
  if (plan.type === 'fixed') seen.push(`fixed order ${plan.order}`);
  if (plan.wasted) w.unary(plan.wasted - 1);
  if (plan.type === 'constant') {
    if (x.some((v) => v !== x[0])) throw new Error('a constant subframe of samples that differ');
    w.write(x[0], b);
    return true;
  }
  if (plan.type === 'verbatim') {
    for (const v of x) w.write(v, b);
    return true;
  }
  const coefs = plan.type === 'fixed' ? FIXED[plan.order] : plan.coefs;
  const shift = plan.type === 'fixed' ? 0 : plan.shift;
  const order = coefs.length;
  const residuals: number[] = [];
  for (let i = order; i < x.length; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += coefs[j] * x[i - 1 - j];
    const r = x[i] - Math.floor(sum / 2 ** shift);
    if (r < -(2 ** 31) || r >= 2 ** 31) return false;
    residuals.push(r);
  }
  for (let i = 0; i < order; i++) w.write(x[i], b);
  if (plan.type === 'lpc') {
    w.write(plan.precision - 1, 4);
    w.write(plan.shift, 5);
    for (const c of coefs) w.write(c, plan.precision);
  }
  writeResidual(w, residuals, x.length, order, plan.residual, seen);
  return true;
}

function writeResidual(w: BitWriter, residuals: number[], blockSize: number, order: number, plan: ResidualPlan, seen: string[]): void {
  // Rice2 when a residual needs a parameter past Rice's 14, as encoders do: else its unary
  // codes would run to millions of bits (valid, but past what the decoder takes for a frame).
  const rice2 = plan.rice2 || residuals.some((r) => Math.abs(r) >= 2 ** 15);
  const paramBits = rice2 ? 5 : 4;
  w.write(rice2 ? 1 : 0, 2);
  seen.push(rice2 ? 'rice2' : 'rice', `partition order ${plan.partitionOrder > 8 ? '> 8' : plan.partitionOrder}`);
  w.write(plan.partitionOrder, 4);
  const size = blockSize >> plan.partitionOrder;
  let at = 0;
  for (let p = 0; p < 1 << plan.partitionOrder; p++) {
    const part = residuals.slice(at, at + size - (p === 0 ? order : 0));
    at += part.length;
    const zigzag = part.map((r) => (r >= 0 ? 2 * r : -2 * r - 1));
    const raw = part.reduce((n, r) => Math.max(n, r >= 0 ? bitsFor(r) + 1 : bitsFor(-r - 1) + 1), 0);
    if (plan.escaped(p) && raw <= 31) {
      w.write((1 << paramBits) - 1, paramBits);
      const bits = part.every((r) => r === 0) ? 0 : raw;
      seen.push(bits ? 'escaped partition' : 'escaped partition of zeros');
      w.write(bits, 5);
      for (const r of part) if (bits) w.write(r, bits);
      continue;
    }
    // The parameter that takes the fewest bits, as encoders choose it.
    let k = 0;
    let fewest = Infinity;
    for (let param = 0; param <= (1 << paramBits) - 2; param++) {
      const size = zigzag.reduce((n, u) => n + Math.floor(u / 2 ** param), 0) + (param + 1) * zigzag.length;
      if (size < fewest) [k, fewest] = [param, size];
    }
    w.write(k, paramBits);
    for (const u of zigzag) {
      w.unary(Math.floor(u / 2 ** k));
      w.write(u % 2 ** k, k);
    }
  }
}

/** The subframes' signals for a channel assignment, from the left and right (or independent) channels. */
export function decorrelate(assignment: number, s: number[][]): number[][] {
  if (assignment < 8) return s;
  const [l, r] = s;
  const side = l.map((v, i) => v - r[i]);
  if (assignment === 8) return [l, side];
  if (assignment === 9) return [side, r];
  return [l.map((v, i) => Math.floor((v + r[i]) / 2)), side];
}

function bitsFor(u: number): number {
  let n = 0;
  while (u >= 2 ** n) n++;
  return n;
}

function blockCodeOf(size: number): number {
  if (size === 192) return 1;
  for (let k = 2; k <= 5; k++) if (size === 576 << (k - 2)) return k;
  for (let k = 8; k <= 15; k++) if (size === 256 << (k - 8)) return k;
  return size <= 256 ? 6 : 7;
}

/** FLAC's UTF-8-like coding of a frame or sample number (up to 36 bits). */
function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  let extra = 1;
  while (n >= 2 ** (5 * extra + 6) && extra < 6) extra++; // 11, 16, 21, 26, 31, 36 bits
  const out: number[] = [];
  let rest = n;
  for (let k = 0; k < extra; k++) {
    out.unshift(0x80 | (rest % 64));
    rest = Math.floor(rest / 64);
  }
  out.unshift(((0xff00 >> (extra + 1)) & 0xff) | rest);
  return out;
}

/** The stream's start: "fLaC", STREAMINFO, and an APPLICATION, PICTURE, SEEKTABLE, VORBIS_COMMENT and PADDING block. */
export function writeStreamHeader(info: { sampleRate: number; channels: number; bits: number; minBlock: number; maxBlock: number; total: number }): Uint8Array {
  const w = new BitWriter();
  w.write(info.minBlock, 16);
  w.write(info.maxBlock, 16);
  w.write(0, 24);
  w.write(0, 24);
  w.write(info.sampleRate, 20);
  w.write(info.channels - 1, 3);
  w.write(info.bits - 1, 5);
  w.write(info.total, 36);
  for (let i = 0; i < 16; i++) w.write(0, 8);
  const text = (s: string): number[] => [...new TextEncoder().encode(s)];
  const be32 = (n: number): number[] => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const le32 = (n: number): number[] => be32(n).reverse();
  const picture = [...be32(3), ...be32(9), ...text('image/png'), ...be32(5), ...text('cover'), ...be32(1), ...be32(1), ...be32(24), ...be32(0), ...be32(4), 1, 2, 3, 4];
  const comment = [...le32(5), ...text('utter'), ...le32(1), ...le32(11), ...text('TITLE=Utter')];
  const seekPoint = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...new Array(10).fill(0)];
  const blocks: [number, number[]][] = [[0, w.bytes], [2, [...text('test'), 1, 2, 3]], [6, picture], [3, seekPoint], [4, comment], [1, new Array(100).fill(0)]];
  const out = [...text('fLaC')];
  blocks.forEach(([type, data], i) => {
    out.push((i === blocks.length - 1 ? 0x80 : 0) | type, (data.length >> 16) & 0xff, (data.length >> 8) & 0xff, data.length & 0xff, ...data);
  });
  return Uint8Array.from(out);
}
