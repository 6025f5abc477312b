// Cutting a FLAC stream into frames without decoding them (https://xiph.org/flac/format.html):
// the metadata blocks at the start, frame headers (sync code, CRC-8) and frame ends (CRC-16).
import { crc16, crc8 } from './crc';
import { id3Length } from './frame-headers';
import { BadAudioError } from './types';

/** No FLAC frame Utter meets is larger; past this a frame is given up as corrupt. */
export const MAX_FRAME = 1 << 18;
/** The longest frame header: 4 + 7 (coded number) + 2 (block size) + 2 (rate) + 1 (CRC-8). */
const MAX_HEADER = 16;

/** What a frame header says about where the frame sits in the stream. */
export interface FlacFrameHeader {
  /** Frame number (fixed block size) or number of the first sample (variable block size). */
  number: number;
  variable: boolean;
  blockSize: number;
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
  if (blockCode === 0 || rateCode === 15 || b[i + 3] >> 4 > 10 || (b[i + 3] & 1) !== 0) return null;
  // A UTF-8-style coded number: 1 to 7 bytes.
  const lead = b[i + 4];
  const extra = lead < 0x80 ? 0 : lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : -1;
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
  return { number, variable: (b[i + 1] & 1) === 1, blockSize };
}

/** The next position at or after `from` where a frame header is or may still be. */
export function nextFrameHeader(b: Uint8Array, from: number): number {
  for (let i = from; i < b.length; i++) if (b[i] === 0xff && frameHeader(b, i) !== null) return i;
  return b.length;
}

/**
 * Where the frame at `start` ends: before the next header whose CRC-16 closes this frame.
 * Two headers that do not close it mean the frame itself is damaged (a false sync inside
 * a frame is rare; two in a row rarer still).
 */
export function frameEnd(b: Uint8Array, start: number, atEnd: boolean): number | 'need-more' | 'corrupt' {
  const limit = Math.min(b.length, start + MAX_FRAME);
  let misses = 0;
  for (let i = start + MAX_HEADER / 2; i < limit; i++) {
    if (b[i] !== 0xff) continue;
    const header = frameHeader(b, i);
    if (header === null) continue;
    if (header === 'need-more') {
      if (atEnd) continue; // the last bytes may be this frame's CRC
      return 'need-more';
    }
    if (crcCloses(b, start, i)) return i;
    if (++misses === 2) return 'corrupt';
  }
  if (atEnd) return crcCloses(b, start, b.length) ? b.length : 'corrupt';
  return b.length - start >= MAX_FRAME ? 'corrupt' : 'need-more';
}

function crcCloses(b: Uint8Array, start: number, end: number): boolean {
  return end - start > 8 && crc16(b, start, end - 2) === ((b[end - 2] << 8) | b[end - 1]);
}
