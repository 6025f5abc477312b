// FLAC decoded as its bytes arrive (https://xiph.org/flac/format.html). The metadata blocks
// are walked and dropped; each frame is decoded sample by sample, and a frame that continues
// the stream (the frame number it should have) hands its samples out before its end has
// arrived. Its CRC-16, checked the moment its last byte is in, then says whether they were
// right. Any other frame (the first after damage) is only believed once its CRC-16 checks.
import { BitReader, SLACK } from './flac-bits';
import { frameHeader, type FlacFrameHeader, type FlacStreamInfo } from './flac-frames';
import { FlacMetadataWalk } from './flac-metadata';
import { FlacOutput, type FlacSamples } from './flac-output';
import { BAD, MORE, Subframe } from './flac-subframe';
import { crc16 } from './crc';

/** Where the stream stands: in the header (metadata), between frames, in a frame. */
type Phase = 'metadata' | 'sync' | 'frame';

/** What was lost to damage (spec E2): whole frames, and the samples they stood for. */
export interface FlacLosses {
  skippedFrames: number;
  skippedSamples: number;
}

/**
 * One FLAC stream, pushed in pieces of any size. Damage never throws: a frame that fails
 * (a bad subframe, a sample out of range, a CRC-16 that does not match) is skipped and
 * counted, and decoding takes up again at the next valid frame header (sync code and CRC-8).
 * Only a stream that does not start like FLAC throws (BadAudioError).
 */
export class FlacStream {
  /** From STREAMINFO, or the first frame when there is none; 0 until known. */
  sampleRate = 0;
  channels = 0;
  bitsPerSample = 0;
  private variable: boolean | null = null;
  /**
   * Frames that all disagree with STREAMINFO (a server that wrote a wrong header): why a
   * stream made no sound, once two frame headers agree with each other.
   */
  mismatch: string | null = null;
  private firstMismatch: FlacFrameHeader | null = null;

  private readonly reader = new BitReader();
  /** Bytes held in reader.bytes; those before `at` are done with. */
  private length = 0;
  /** Where the current step begins: the metadata walk, the search for a frame, the frame. */
  private at = 0;
  private phase: Phase = 'metadata';
  private readonly metadata = new FlacMetadataWalk();

  private frame: FlacFrameHeader | null = null;
  /** The current frame continues the stream: its samples go out as they are decoded. */
  private trusted = false;
  private channel = 0;
  private emitted = 0;
  private readonly subframes: Subframe[] = [];
  /** The last frame handed out (whole or, after damage, filled with silence). */
  private last: FlacFrameHeader | null = null;
  /** Bytes since `last` that made no frame: at the end of the stream, one frame lost. */
  private lostSinceLast = false;
  /** Bytes before any frame that made none. */
  private unframed = false;
  /** The bytes being searched belong to a damaged frame that is counted already. */
  private afterDamage = false;
  /**
   * Bytes that failed frames may still read again. A failed frame's search starts a byte
   * after its start (a real frame may begin inside what it read); once hostile bytes (many
   * false headers, each reading far) have used this up, it starts where the frame stopped
   * reading, so the work stays linear in the input.
   */
  private rereadable = 0;

  private readonly output = new FlacOutput();

  constructor(private readonly losses: FlacLosses) {}

  /** Takes in bytes (copied) and decodes all it can. */
  push(bytes: Uint8Array): void {
    this.append(bytes);
    for (;;) {
      const went = this.phase === 'frame' ? this.decodeFrame() : this.phase === 'sync' ? this.sync() : this.walkMetadata();
      if (!went) return;
    }
  }

  /** The end of the stream: a frame cut off, or bytes that made no frame, count as one lost. */
  end(): void {
    const frame = this.frame;
    if (frame) this.lose(1, this.trusted ? frame.blockSize - this.emitted : frame.blockSize);
    else if (this.phase === 'sync' && (this.lostSinceLast || (this.length > this.at && !this.afterDamage))) {
      this.lose(1, this.last?.blockSize ?? 4096);
    } else if (this.phase === 'sync' && !this.last && this.unframed && !this.mismatch) {
      // Bytes after the header that never made a frame: not a stream without audio.
      this.lose(1, 4096);
    }
    this.frame = null;
    this.lostSinceLast = false;
    this.at = this.length;
    if (this.phase === 'frame') this.phase = 'sync';
  }

  /** The samples decoded since the last take, valid until the next push. */
  take(): FlacSamples {
    return this.output.take();
  }

  /** The stream's header, passed over as it arrives; STREAMINFO gives the rate, channels and bits. */
  private walkMetadata(): boolean {
    this.at = this.metadata.walk(this.reader.bytes, this.at, this.length);
    if (!this.metadata.done) return false;
    if (this.metadata.info) this.lock(this.metadata.info);
    this.phase = 'sync';
    return true;
  }

  /** Looks for the next frame header that fits the stream; starts its frame. */
  private sync(): boolean {
    const b = this.reader.bytes;
    const held = b.subarray(0, this.length);
    let i = this.at;
    let found: FlacFrameHeader | null = null;
    while (i < this.length) {
      if (b[i] !== 0xff) {
        const next = b.indexOf(0xff, i);
        i = next < 0 || next >= this.length ? this.length : next;
        continue;
      }
      const header = frameHeader(held, i);
      if (header === 'need-more') break;
      if (header && this.fits(header)) {
        found = header;
        break;
      }
      if (header && !this.last) this.noteMismatch(header);
      i++;
    }
    if (i > this.at && this.last && !this.afterDamage) this.lostSinceLast = true;
    if (i > this.at && !this.last) this.unframed = true;
    this.at = i;
    if (found) this.begin(found);
    return found !== null;
  }

  /** A header whose rate, bits, channels and numbering agree with the stream's. */
  private fits(h: FlacFrameHeader): boolean {
    const rate = h.sampleRate || this.sampleRate;
    const bits = h.bitsPerSample || this.bitsPerSample;
    if (!rate || !bits || (this.sampleRate && rate !== this.sampleRate) || (this.bitsPerSample && bits !== this.bitsPerSample)) return false;
    if (this.channels && h.channels !== this.channels) return false;
    return this.variable === null || h.variable === this.variable;
  }

  private begin(h: FlacFrameHeader): void {
    const last = this.last;
    this.trusted = last ? h.variable === last.variable && h.number === nextNumber(last) : h.number === 0;
    if (this.trusted) this.lockFrame(h);
    const bits = h.bitsPerSample || this.bitsPerSample;
    for (let c = 0; c < h.channels; c++) {
      const side = (h.assignment === 9 && c === 0) || ((h.assignment === 8 || h.assignment === 10) && c === 1);
      (this.subframes[c] ??= new Subframe()).begin(bits + (side ? 1 : 0), h.blockSize);
    }
    this.frame = h;
    this.channel = 0;
    this.emitted = 0;
    this.reader.pos = (this.at + h.length) * 8;
    this.phase = 'frame';
  }

  /** Decodes what has arrived of the frame; true when the frame is over (whole or damaged). */
  private decodeFrame(): boolean {
    const h = this.frame!;
    const r = this.reader;
    for (; this.channel < h.channels; this.channel++) {
      const step = this.subframes[this.channel].decode(r);
      if (step === BAD) return this.damaged();
      if (step === MORE) return this.wait(this.channel === h.channels - 1 ? this.subframes[this.channel].count : 0);
    }
    r.align();
    if (r.left() < 16) return this.wait(h.blockSize);
    const end = r.pos >>> 3;
    const b = r.bytes;
    if (crc16(b, this.at, end) !== ((b[end] << 8) | b[end + 1])) return this.damaged();
    if (!this.trusted) {
      this.countGap(h);
      this.lockFrame(h);
    }
    this.emit(h.blockSize);
    this.last = h;
    this.lostSinceLast = false;
    this.afterDamage = false;
    this.frame = null;
    this.at = end + 2;
    this.phase = 'sync';
    return true;
  }

  /** Out of bytes inside a frame: hands out what is ready, unless the frame has grown past any valid size. */
  private wait(ready: number): boolean {
    if (this.length - this.at > maxFrameBytes(this.frame!)) return this.damaged();
    if (this.trusted) this.emit(ready);
    return false;
  }

  /**
   * A frame that cannot be right. One that continues the stream may have handed out samples
   * already: the rest of its length is silence, so what follows keeps its place. Searching
   * for the next frame starts a byte after this one's start.
   */
  private damaged(): boolean {
    const h = this.frame!;
    if (this.trusted) {
      this.pad(h.blockSize);
      this.lose(1, h.blockSize);
      this.last = h;
      this.afterDamage = true;
      this.lostSinceLast = false;
    } else this.lostSinceLast = true;
    const read = Math.min(this.reader.pos >>> 3, this.length) - this.at;
    if (read <= this.rereadable) {
      this.rereadable -= read;
      this.at += 1;
    } else this.at += Math.max(1, read);
    this.frame = null;
    this.phase = 'sync';
    return true;
  }

  /**
   * Frames lost before this one, from the gap in frame (or sample) numbers; before the first
   * frame, from 0 (a fresh decoder taking up a stream in its middle counts the jump too).
   */
  private countGap(h: FlacFrameHeader): void {
    const before = this.last ?? h;
    const gap = h.number - (this.last ? nextNumber(this.last) : 0);
    // Numbers are frames with a fixed block size, samples with a variable one.
    if (gap > 0 && h.variable) this.lose(Math.max(1, Math.round(gap / before.blockSize)), gap);
    else if (gap > 0) this.lose(gap, gap * before.blockSize);
  }

  private lose(frames: number, samples: number): void {
    this.losses.skippedFrames += frames;
    this.losses.skippedSamples += samples;
  }

  private noteMismatch(h: FlacFrameHeader): void {
    const info = this.metadata.info;
    if (!info) return;
    const first = this.firstMismatch;
    if (!first) return void (this.firstMismatch = h);
    if (h.sampleRate !== first.sampleRate || h.channels !== first.channels || h.bitsPerSample !== first.bitsPerSample) return;
    // Each such frame is lost, as long as it says it is.
    this.lose(this.mismatch ? 1 : 2, this.mismatch ? h.blockSize : first.blockSize + h.blockSize);
    if (this.mismatch) return;
    const said = (rate: number, channels: number, bits: number): string => `${rate ? `${rate} Hz` : 'the header\'s rate'}, ${channels} channel${channels === 1 ? '' : 's'}, ${bits ? `${bits}-bit` : 'the header\'s bits'}`;
    this.mismatch = `its frames are ${said(h.sampleRate, h.channels, h.bitsPerSample)}, and its STREAMINFO header says ${said(info.sampleRate, info.channels, info.bitsPerSample)}`;
  }

  private lock(info: FlacStreamInfo): void {
    this.sampleRate ||= info.sampleRate;
    this.channels ||= info.channels;
    this.bitsPerSample ||= info.bitsPerSample;
  }

  private lockFrame(h: FlacFrameHeader): void {
    this.lock(h);
    this.variable ??= h.variable;
  }

  /** Hands out the frame's samples up to `to`. */
  private emit(to: number): void {
    const h = this.frame!;
    if (to > this.emitted) this.output.write(this.subframes, h.channels, h.assignment, this.emitted, to);
    this.emitted = Math.max(this.emitted, to);
  }

  /** Silence for the rest of a damaged frame. */
  private pad(to: number): void {
    if (to > this.emitted) this.output.silence(this.frame!.channels, to - this.emitted);
    this.emitted = Math.max(this.emitted, to);
  }

  /** Adds bytes after those held, dropping the ones before `at` when room is needed. */
  private append(bytes: Uint8Array): void {
    const r = this.reader;
    const kept = this.length - this.at;
    if (this.length + bytes.length + SLACK > r.bytes.length) {
      const size = kept + bytes.length + SLACK;
      if (size > r.bytes.length / 2) {
        const grown = new Uint8Array(2 * size);
        grown.set(r.bytes.subarray(this.at, this.length));
        r.bytes = grown;
      } else r.bytes.copyWithin(0, this.at, this.length);
      r.pos -= this.at * 8;
      this.at = 0;
      this.length = kept;
    }
    r.bytes.set(bytes, this.length);
    this.length += bytes.length;
    this.rereadable += REREAD * bytes.length;
    r.end = this.length * 8;
  }
}

/** How many times over, on average, failed frames may read the input again. */
const REREAD = 8;

/** The number the frame after `h` must carry. */
function nextNumber(h: FlacFrameHeader): number {
  return h.variable ? h.number + h.blockSize : h.number + 1;
}

/**
 * Past this a frame is damage, whatever it says: 64 bits a sample, about twice what an
 * encoder ever writes (libFLAC and ffmpeg fall back to 33-bit verbatim samples), so memory
 * stays bounded and a stalled frame is given up within a second or so.
 */
function maxFrameBytes(h: FlacFrameHeader): number {
  return h.length + 2 + h.channels * (16 + 8 * h.blockSize);
}
