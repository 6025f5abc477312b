import { MPEGDecoder } from 'mpg123-decoder';
import { concatBytes } from './audio';
import { mpegHeader } from './detect';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/**
 * MP3 through mpg123 compiled to WASM (spec F3): frames are found in any chunking.
 * mpg123 resyncs past damage silently, so a light frame walker runs alongside to count
 * what was skipped (spec E2) and to learn the channel count (mpg123 always outputs two).
 */
export class Mp3Decoder extends WasmStreamDecoder {
  readonly format = 'mp3' as const;
  private readonly library = new MPEGDecoder();
  readonly ready = this.library.ready;
  private readonly walker = new MpegFrameWalker();

  protected decodeBytes(bytes: Uint8Array): LibraryAudio {
    this.stats.skippedFrames += this.walker.walk(bytes);
    const audio = this.library.decode(bytes);
    // A mono stream comes out duplicated on two channels: keep one.
    if (this.walker.channels === 1 && audio.channelData.length === 2) audio.channelData = [audio.channelData[0]];
    return audio;
  }
  protected async flushLibrary(): Promise<LibraryAudio | null> {
    return null; // mpg123 outputs every complete frame as soon as it has it
  }
  protected resetLibrary(): Promise<void> {
    this.walker.reset();
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }
}

/** Follows MPEG frame headers through a byte stream; counts the times it lost them. */
class MpegFrameWalker {
  channels = 0;
  private held: Uint8Array = new Uint8Array(0);
  /** Bytes to skip before the next header is due (ID3 tag, frame body). */
  private skip = 0;
  private started = false;

  /** Takes the next bytes; returns how many resyncs they caused. */
  walk(bytes: Uint8Array): number {
    let resyncs = 0;
    const b = concatBytes(this.held, bytes);
    let p = 0;
    while (p < b.length) {
      if (this.skip) {
        const n = Math.min(this.skip, b.length - p);
        this.skip -= n;
        p += n;
        continue;
      }
      if (b.length - p < 10) break;
      if (!this.started && b[p] === 0x49 && b[p + 1] === 0x44 && b[p + 2] === 0x33) {
        this.skip = 10 + (((b[p + 6] & 0x7f) << 21) | ((b[p + 7] & 0x7f) << 14) | ((b[p + 8] & 0x7f) << 7) | (b[p + 9] & 0x7f));
        continue;
      }
      const header = mpegHeader(b, p);
      if (header) {
        this.started = true;
        if (!this.channels) this.channels = header.channels;
        this.skip = header.frameLength;
        continue;
      }
      // Lost the frame chain: find the next header (counted once per loss).
      if (this.started) resyncs++;
      let q = p + 1;
      while (q + 4 <= b.length && !mpegHeader(b, q)) q++;
      this.started = false;
      p = q;
    }
    this.held = b.slice(p);
    return resyncs;
  }

  reset(): void {
    this.held = new Uint8Array(0);
    this.skip = 0;
    this.started = false;
    this.channels = 0;
  }
}
