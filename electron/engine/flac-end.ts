// FLAC's part of StreamEndCheck: its metadata by block lengths, then its frames, which have
// no length: each ends before the next header at which its CRC-16 closes.
import { crc16 } from '../../shared/decoders/crc';
import { MAX_FRAME, frameHeader, type FlacFrameHeader } from '../../shared/decoders/flac-frames';
import { id3Length } from '../../shared/decoders/frame-headers';
import { agrees, count, startsWith, UnitWalker, type Step, type Units } from './stream-units';


/** FLAC's start: an optional ID3v2 tag, "fLaC", metadata blocks; keeps STREAMINFO's total samples. */
class FlacMetadata implements Units {
  total = 0;
  private magic = false;
  private last = false;

  step(h: Uint8Array, have: number): Step {
    if (this.last) return 'done';
    if (have < 4) return { need: 4 };
    if (!this.magic) {
      if (startsWith(h, 'ID3')) return have < 10 ? { need: 10 } : { length: id3Length(h), label: 'ID3v2 tag' };
      if (!startsWith(h, 'fLaC')) return 'lost';
      this.magic = true;
      return { length: 4, label: null };
    }
    const length = 4 + ((h[1] << 16) | (h[2] << 8) | h[3]);
    if ((h[0] & 0x7f) === 0) {
      if (length < 4 + 34) return 'lost';
      if (have < 4 + 34) return { need: 4 + 34 };
      // 36 bits from byte 13 of STREAMINFO; 0 means "not known".
      this.total = (h[4 + 13] & 0x0f) * 2 ** 32 + (((h[4 + 14] << 24) | (h[4 + 15] << 16) | (h[4 + 16] << 8) | h[4 + 17]) >>> 0);
    }
    this.last = (h[0] & 0x80) !== 0;
    return { length, label: 'FLAC metadata block' };
  }

  partial(h: Uint8Array, have: number): string | null {
    return this.magic || agrees(h, have, 'fLaC') ? 'its FLAC metadata ends early' : null;
  }

  atBoundary(): string | null {
    return this.magic ? 'its FLAC metadata ends early' : null;
  }
}

/** How many bytes a push is copied in at a time, so a huge push does not grow the buffer. */
const SLICE = 1 << 16;
/** Where to look for the next frame: no frame is shorter (header, a subframe, CRC-16). */
const MIN_FRAME = 8;

/** FLAC frames have no length: each ends before the next header at which its CRC-16 closes. */
export class FlacWalker {
  private readonly metadata = new FlacMetadata();
  private readonly start = new UnitWalker(this.metadata);
  /** Bytes of the current frame at [from, to), and what has come after it. */
  private buffer = new Uint8Array(SLICE);
  private from = 0;
  private to = 0;
  /** Next buffer position to try as the following frame's start. */
  private scan = 0;
  private frame: FlacFrameHeader | null = null;
  private blockSize = 0;
  private misses = 0;
  private lost = false;

  push(bytes: Uint8Array): void {
    let at = this.start.push(bytes);
    if (this.start.state !== 'done') return;
    for (; at < bytes.length && !this.lost; at += SLICE) {
      this.append(bytes.subarray(at, Math.min(at + SLICE, bytes.length)));
      this.walk();
    }
  }

  end(): string | null {
    if (this.lost || this.start.state === 'lost') return null;
    if (this.start.state === 'walking') return this.start.end();
    const b = this.buffer.subarray(this.from, this.to);
    if (!this.frame) return b.length > 0 ? 'it ends inside a FLAC frame header' : this.checkTotal(0);
    if (closes(b, b.length) || (b.length > 128 && startsWith(b.subarray(b.length - 128), 'TAG') && closes(b, b.length - 128))) {
      const first = this.frame.variable ? this.frame.number : this.frame.number * this.blockSize;
      return this.checkTotal(first + this.frame.blockSize);
    }
    for (let i = Math.max(this.scan - this.from, MIN_FRAME); i < b.length; i++) {
      if (b[i] === 0xff && frameHeader(b, i) === 'need-more' && closes(b, i)) return 'it ends inside a FLAC frame header';
    }
    return 'its last FLAC frame fails its checksum';
  }

  private checkTotal(end: number): string | null {
    const total = this.metadata.total;
    return end < total ? `its FLAC header announces ${count(total)} samples and the frames end at ${count(end)}` : null;
  }

  /** Finds frame ends in what has arrived; keeps the current frame's bytes only. */
  private walk(): void {
    let b = this.buffer.subarray(this.from, this.to);
    if (!this.frame) {
      const header = frameHeader(b, 0);
      if (header === 'need-more') return;
      if (header === null) return this.loseSync();
      this.frame = header;
      this.blockSize = header.blockSize; // a fixed-size stream numbers frames of the first one's size
      this.scan = this.from + MIN_FRAME;
    }
    let i = this.scan - this.from;
    while (i < b.length) {
      i = b.indexOf(0xff, i);
      if (i < 0) {
        i = b.length;
        break;
      }
      const header = frameHeader(b, i);
      if (header === 'need-more') break;
      if (header !== null && closes(b, i)) {
        this.frame = header;
        this.from += i;
        this.misses = 0;
        b = this.buffer.subarray(this.from, this.to);
        i = MIN_FRAME;
        continue;
      }
      // Two headers that do not close the frame: it is damaged (as in flac-frames.ts).
      if (header !== null && ++this.misses === 2) return this.loseSync();
      i++;
    }
    this.scan = this.from + i;
    if (b.length > MAX_FRAME + SLICE) this.loseSync();
  }

  /** Adds bytes after the current frame, moving it to the front or growing only when full. */
  private append(bytes: Uint8Array): void {
    if (this.to + bytes.length > this.buffer.length) {
      const kept = this.buffer.subarray(this.from, this.to);
      if (kept.length + bytes.length > this.buffer.length / 2) {
        const bigger = new Uint8Array(2 * (kept.length + bytes.length));
        bigger.set(kept);
        this.buffer = bigger;
      } else this.buffer.copyWithin(0, this.from, this.to);
      this.scan -= this.from;
      this.to = kept.length;
      this.from = 0;
    }
    this.buffer.set(bytes, this.to);
    this.to += bytes.length;
  }

  private loseSync(): void {
    this.lost = true;
    this.buffer = new Uint8Array(0);
    this.from = this.to = this.scan = 0;
  }
}


/** True when the frame at b[0] ends at `end`: its last two bytes are the CRC-16 of the rest. */
function closes(b: Uint8Array, end: number): boolean {
  return end > MIN_FRAME && crc16(b, 0, end - 2) === ((b[end - 2] << 8) | b[end - 1]);
}
