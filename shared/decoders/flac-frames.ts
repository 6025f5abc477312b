// Reading a FLAC stream's outline without decoding it (https://xiph.org/flac/format.html):
// the metadata blocks at the start, STREAMINFO, and frame headers (sync code, CRC-8).
import { crc8 } from './crc';
import { id3Length } from './frame-headers';
import { BadAudioError } from './types';

/** No FLAC frame Utter meets is larger; past this a frame is given up as corrupt. */
export const MAX_FRAME = 1 << 18;

/** What a frame header says. */
export interface FlacFrameHeader {
  /** Frame number (fixed block size) or number of the first sample (variable block size). */
  number: number;
  variable: boolean;
  blockSize: number;
  /** Hz; 0: STREAMINFO's. */
  sampleRate: number;
  /** 0: STREAMINFO's. */
  bitsPerSample: number;
  channels: number;
  /** Channel assignment code: 0–7 independent channels, 8 left/side, 9 side/right, 10 mid/side. */
  assignment: number;
  /** Bytes of the header, its CRC-8 included. */
  length: number;
}

/** Sample rates of the frame header's codes 1–11. */
const RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
/** Bits per sample of the frame header's codes (3 is reserved). */
const BITS = [0, 8, 12, -1, 16, 20, 24, 32];

/** What STREAMINFO says about the whole stream (0: not said). */
export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

/** STREAMINFO's fields from its 34 bytes at `at` (after the block header). */
export function streamInfo(b: Uint8Array, at: number): FlacStreamInfo {
  return {
    sampleRate: (b[at + 10] << 12) | (b[at + 11] << 4) | (b[at + 12] >> 4),
    channels: ((b[at + 12] >> 1) & 7) + 1,
    bitsPerSample: (((b[at + 12] & 1) << 4) | (b[at + 13] >> 4)) + 1,
  };
}

/**
 * Length of an optional ID3 tag, `fLaC` and every metadata block, or -1 until all of it has
 * arrived. Throws BadAudioError when the stream does not start like FLAC.
 */
export function streamHeaderLength(b: Uint8Array): number {
  if (b.length < 10) return -1;
  const tag = id3Length(b);
  if (b.length < tag + 8) return -1;
  if (b[tag] !== 0x66 || b[tag + 1] !== 0x4c || b[tag + 2] !== 0x61 || b[tag + 3] !== 0x43) {
    throw new BadAudioError('This is not a FLAC stream: it does not start with "fLaC".');
  }
  let p = tag + 4;
  for (;;) {
    if (p + 4 > b.length) return -1;
    const last = b[p] & 0x80;
    p += 4 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
    if (last) return p <= b.length ? p : -1;
  }
}

/**
 * The frame header at `i`: sync code, no reserved values, and a matching CRC-8; null when
 * there is none, 'need-more' when the bytes end inside what may still be one.
 */
export function frameHeader(b: Uint8Array, i: number): FlacFrameHeader | 'need-more' | null {
  if (i + 1 >= b.length) return i < b.length && b[i] !== 0xff ? null : 'need-more';
  if (b[i] !== 0xff || (b[i + 1] & 0xfe) !== 0xf8) return null;
  if (i + 5 > b.length) return 'need-more';
  const blockCode = b[i + 2] >> 4;
  const rateCode = b[i + 2] & 0xf;
  const assignment = b[i + 3] >> 4;
  const bitsPerSample = BITS[(b[i + 3] >> 1) & 7];
  if (blockCode === 0 || rateCode === 15 || assignment > 10 || bitsPerSample < 0 || (b[i + 3] & 1) !== 0) return null;
  // A UTF-8-style coded number: 1 to 7 bytes.
  const lead = b[i + 4];
  const extra = lead < 0x80 ? 0 : lead === 0xff ? -1 : lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : -1;
  if (extra < 0) return null;
  const end = i + 5 + extra + (blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0) + (rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0);
  if (end >= b.length) return 'need-more';
  let number = extra ? lead & (0x3f >> extra) : lead;
  for (let k = 1; k <= extra; k++) {
    if ((b[i + 4 + k] & 0xc0) !== 0x80) return null;
    number = number * 64 + (b[i + 4 + k] & 0x3f);
  }
  if (crc8(b, i, end) !== b[end]) return null;
  const at = i + 5 + extra;
  const blockSize =
    blockCode === 1 ? 192
    : blockCode <= 5 ? 576 << (blockCode - 2)
    : blockCode === 6 ? b[at] + 1
    : blockCode === 7 ? ((b[at] << 8) | b[at + 1]) + 1
    : 256 << (blockCode - 8);
  const rateAt = at + (blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0);
  const sampleRate =
    rateCode <= 11 ? RATES[rateCode]
    : rateCode === 12 ? b[rateAt] * 1000
    : rateCode === 13 ? (b[rateAt] << 8) | b[rateAt + 1]
    : ((b[rateAt] << 8) | b[rateAt + 1]) * 10;
  return {
    number,
    variable: (b[i + 1] & 1) === 1,
    blockSize,
    sampleRate,
    bitsPerSample,
    channels: assignment < 8 ? assignment + 1 : 2,
    assignment,
    length: end + 1 - i,
  };
}
