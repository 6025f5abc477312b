import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { concatBytes } from './audio';
import { crc16, crc8 } from './crc';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/** No FLAC frame Utter meets is larger; past this a frame is given up as corrupt. */
const MAX_FRAME = 1 << 18;

/**
 * FLAC through libFLAC compiled to WASM, fed frame by frame. libFLAC's own stream decoder
 * stops for good at the first corrupt frame, so frames are cut here (sync code + header
 * CRC-8) and checked (CRC-16): a bad one is skipped and counted (spec E2) and the rest
 * plays on. A frame is decoded when the next one begins; the last on flush().
 */
export class FlacDecoder extends WasmStreamDecoder {
  readonly format = 'flac' as const;
  private readonly library = new FLACDecoder();
  readonly ready = this.library.ready;
  private buffer: Uint8Array = new Uint8Array(0);
  private headerDone = false;

  protected async decodeBytes(bytes: Uint8Array): Promise<LibraryAudio> {
    this.buffer = concatBytes(this.buffer, bytes);
    return this.library.decodeFrames(this.takeFrames(false));
  }
  protected async flushLibrary(): Promise<LibraryAudio | null> {
    const frames = this.takeFrames(true);
    return frames.length ? this.library.decodeFrames(frames) : null;
  }
  protected resetLibrary(): Promise<void> {
    this.buffer = new Uint8Array(0);
    this.headerDone = false;
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }

  /** Cuts the complete, intact frames off the front of the buffer. */
  private takeFrames(atEnd: boolean): Uint8Array[] {
    const b = this.buffer;
    let start = 0;
    if (!this.headerDone) {
      start = streamHeaderLength(b);
      if (start < 0) return [];
      this.headerDone = true;
    }
    const frames: Uint8Array[] = [];
    while (start < b.length) {
      if (!isFrameHeader(b, start)) {
        start = this.resync(b, start + 1);
        continue;
      }
      const end = frameEnd(b, start, atEnd);
      if (end === 'need-more') break;
      if (end === 'corrupt') {
        this.stats.skippedFrames++;
        start = this.resync(b, start + 1);
        continue;
      }
      frames.push(b.slice(start, end));
      start = end;
    }
    this.buffer = atEnd ? new Uint8Array(0) : b.slice(Math.min(start, b.length));
    return frames;
  }

  /** Next frame header at or after `from` (counting the skip), or the end. */
  private resync(b: Uint8Array, from: number): number {
    for (let i = from; i < b.length; i++) if (isFrameHeader(b, i)) return i;
    return Math.max(from, b.length - 16);
  }
}

/** Length of `fLaC` + metadata blocks, or -1 until all of it is there. */
function streamHeaderLength(b: Uint8Array): number {
  if (b.length < 8) return -1;
  let p = 4;
  for (;;) {
    if (p + 4 > b.length) return -1;
    const last = b[p] & 0x80;
    p += 4 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
    if (last) return p <= b.length ? p : -1;
  }
}

/** A frame header at `i`: sync code, no reserved values, and a matching CRC-8. */
function isFrameHeader(b: Uint8Array, i: number): boolean {
  if (i + 6 > b.length || b[i] !== 0xff || (b[i + 1] & 0xfe) !== 0xf8) return false;
  const blockCode = b[i + 2] >> 4;
  const rateCode = b[i + 2] & 0xf;
  if (blockCode === 0 || rateCode === 15 || b[i + 3] >> 4 > 10 || (b[i + 3] & 1) !== 0) return false;
  // UTF-8-style coded frame/sample number: 1 to 7 bytes.
  let p = i + 4;
  const lead = b[p];
  const extra = lead < 0x80 ? 0 : lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : -1;
  if (extra < 0) return false;
  p += 1 + extra;
  p += blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0;
  p += rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  return p < b.length && crc8(b, i, p) === b[p];
}

/**
 * Where the frame at `start` ends: before the next header whose CRC-16 closes this frame.
 * Two headers that do not close it mean the frame itself is damaged (a false sync inside
 * a frame is rare; two in a row rarer still).
 */
function frameEnd(b: Uint8Array, start: number, atEnd: boolean): number | 'need-more' | 'corrupt' {
  const limit = Math.min(b.length, start + MAX_FRAME);
  let misses = 0;
  for (let i = start + 6; i < limit; i++) {
    if (b[i] !== 0xff || !isFrameHeader(b, i)) continue;
    if (crcCloses(b, start, i)) return i;
    if (++misses === 2) return 'corrupt';
  }
  if (atEnd) return crcCloses(b, start, b.length) ? b.length : 'corrupt';
  return b.length - start >= MAX_FRAME ? 'corrupt' : 'need-more';
}

function crcCloses(b: Uint8Array, start: number, end: number): boolean {
  return end - start > 8 && crc16(b, start, end - 2) === ((b[end - 2] << 8) | b[end - 1]);
}
