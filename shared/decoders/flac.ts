import { FLACDecoder, type FLACDecodedAudio } from '@wasm-audio-decoders/flac';
import { concatBytes } from './audio';
import { frameEnd, frameHeader, nextFrameHeader, streamHeaderLength, type FlacFrameHeader } from './flac-frames';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/**
 * FLAC through libFLAC compiled to WASM, fed frame by frame with decodeFrames(). Its
 * decode() has three traps (measured): it stops for good at the first corrupt frame
 * (300 noise bytes: 53248 of 190472 samples out), holds the last frame until flush(), and
 * throws a TypeError when its first call has fewer than 4 bytes. So frames are cut here
 * (sync code + header CRC-8) and checked (CRC-16): a bad one is skipped (spec E2), the
 * frame numbers tell how many were lost, and the rest plays on. A frame is decoded once
 * the next one begins (its end is only known then); the last one on flush(). The sample
 * rate is 0 until a frame is out.
 */
export class FlacDecoder extends WasmStreamDecoder {
  readonly format = 'flac' as const;
  private readonly library = new FLACDecoder();
  readonly ready = this.library.ready;
  private buffer: Uint8Array = new Uint8Array(0);
  private headerDone = false;
  private last: FlacFrameHeader | null = null;
  private badSinceGood = false;

  protected async decodeBytes(bytes: Uint8Array): Promise<LibraryAudio> {
    this.buffer = concatBytes(this.buffer, bytes);
    return this.decode(this.takeFrames(false));
  }
  protected async flushLibrary(): Promise<LibraryAudio | null> {
    const frames = this.takeFrames(true);
    // Damage after the last good frame, or a frame cut off by the end: one frame lost.
    if (this.badSinceGood) this.countLost(1, this.errorSamples());
    this.badSinceGood = false;
    return frames.length ? this.decode(frames) : null;
  }
  protected resetLibrary(): Promise<void> {
    this.buffer = new Uint8Array(0);
    this.headerDone = false;
    this.last = null;
    this.badSinceGood = false;
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }
  protected errorSamples(): number {
    return this.last?.blockSize ?? 4096;
  }

  private countLost(frames: number, samples: number): void {
    this.stats.skippedFrames += frames;
    this.stats.skippedSamples += samples;
  }

  private async decode(frames: Uint8Array[]): Promise<LibraryAudio> {
    const audio = rescale(await this.library.decodeFrames(frames));
    // libFLAC reports the gap a skipped frame leaves (and logs it: the warning of spec E2);
    // the gap is already counted here from the frame numbers.
    audio.errors = audio.errors.filter((e) => !/MISSING_FRAME/.test(e.message));
    return audio;
  }

  /** Cuts the complete, intact frames off the front of the buffer. */
  private takeFrames(atEnd: boolean): Uint8Array[] {
    const b = this.buffer;
    let start = 0;
    if (!this.headerDone) {
      start = streamHeaderLength(b);
      if (start < 0) {
        this.buffer = b.slice(); // b may be the caller's buffer, which it may reuse
        return [];
      }
      this.headerDone = true;
    }
    const frames: Uint8Array[] = [];
    while (start < b.length) {
      const header = frameHeader(b, start);
      if (header === 'need-more') break;
      const end = header ? frameEnd(b, start, atEnd) : 'corrupt';
      if (end === 'need-more') break;
      if (end === 'corrupt' || !header) {
        this.badSinceGood ||= header !== null || this.last !== null;
        start = nextFrameHeader(b, start + 1);
        continue;
      }
      this.countGap(header);
      frames.push(b.slice(start, end));
      start = end;
    }
    if (atEnd && start < b.length) this.badSinceGood = true;
    this.buffer = atEnd ? new Uint8Array(0) : b.slice(start);
    return frames;
  }

  /** Frames lost before this one, from the gap in frame (or sample) numbers. */
  private countGap(header: FlacFrameHeader): void {
    const last = this.last;
    if (last) {
      const expected = last.variable ? last.number + last.blockSize : last.number + 1;
      const gap = header.number - expected;
      // Numbers are frames with a fixed block size, samples with a variable one.
      if (gap > 0 && last.variable) this.countLost(Math.max(1, Math.round(gap / last.blockSize)), gap);
      else if (gap > 0) this.countLost(gap, gap * last.blockSize);
    }
    this.last = header;
    this.badSinceGood = false;
  }
}

/**
 * libFLAC (this build) divides by 2^(bits-1) - 1; WAV readers, the pcm decoder and the
 * reference decodes divide by 2^(bits-1). Undone here so every format gives the same
 * floats for the same integers (exact for 16-bit: x·32767 rounds back to the integer).
 */
function rescale(audio: FLACDecodedAudio): FLACDecodedAudio {
  const bits = audio.bitDepth;
  if (!audio.samplesDecoded || bits < 4 || bits > 24) return audio;
  const from = 2 ** (bits - 1) - 1;
  const to = 2 ** (bits - 1);
  for (const channel of audio.channelData) {
    for (let i = 0; i < audio.samplesDecoded; i++) channel[i] = Math.round(channel[i] * from) / to;
  }
  return audio;
}
