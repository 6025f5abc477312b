import { OggOpusDecoder } from 'ogg-opus-decoder';
import { concatBytes } from './audio';
import { crc32 } from './crc';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/**
 * Ogg Opus, page by page (spec F2 says it cannot stream; it can). A page's audio comes out
 * when the next page begins, so latency is one page: ffmpeg writes ~1 s pages, opusenc
 * with --max-delay and most TTS servers write short ones. The last page needs flush().
 * The library drops damaged pages silently, so a page walker counts them (spec E2).
 */
export class OpusDecoder extends WasmStreamDecoder {
  readonly format = 'opus' as const;
  private readonly library = new OggOpusDecoder();
  readonly ready = this.library.ready;
  private readonly pages = new OggPageWalker();

  protected decodeBytes(bytes: Uint8Array): Promise<LibraryAudio> {
    this.stats.skippedFrames += this.pages.walk(bytes);
    // The typings say decode() is synchronous; 1.7 returns a promise. Await either.
    return Promise.resolve(this.library.decode(bytes));
  }
  protected flushLibrary(): Promise<LibraryAudio> {
    return this.library.flush();
  }
  protected resetLibrary(): Promise<void> {
    this.pages.reset();
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }
}

/** Follows Ogg pages through a byte stream; counts damaged or missing pages. */
class OggPageWalker {
  private held: Uint8Array = new Uint8Array(0);
  private nextSequence = -1;

  walk(bytes: Uint8Array): number {
    let bad = 0;
    const b = concatBytes(this.held, bytes);
    let p = 0;
    while (p + 27 <= b.length) {
      if (b[p] !== 0x4f || b[p + 1] !== 0x67 || b[p + 2] !== 0x67 || b[p + 3] !== 0x53) {
        p++;
        continue;
      }
      const segments = b[p + 26];
      if (p + 27 + segments > b.length) break;
      let length = 27 + segments;
      for (let i = 0; i < segments; i++) length += b[p + 27 + i];
      if (p + length > b.length) break;
      const view = new DataView(b.buffer, b.byteOffset + p, length);
      if (crc32(b, p, p + length, p + 22) !== view.getUint32(22, true)) {
        bad++;
        p++;
        continue;
      }
      const sequence = view.getUint32(18, true);
      if (this.nextSequence >= 0 && sequence > this.nextSequence) bad += sequence - this.nextSequence;
      this.nextSequence = sequence + 1;
      p += length;
    }
    this.held = b.slice(p);
    return bad;
  }

  reset(): void {
    this.held = new Uint8Array(0);
    this.nextSequence = -1;
  }
}
