import { OggOpusDecoder } from 'ogg-opus-decoder';
import { concatBytes } from './audio';
import { crc32 } from './crc';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/**
 * Ogg Opus, page by page (spec F2 says it cannot stream; it can). A page's audio comes out
 * when the next page begins, so latency is one page: ffmpeg writes ~1 s pages, opusenc
 * with --max-delay and most TTS servers write short ones. The last page needs flush().
 * Pages are cut and CRC-checked here before the library sees them: it drops damaged pages
 * silently (they are counted here, spec E2), and its flush() throws a RangeError on a
 * stream cut mid-page (measured: 1 cut in 5), so only whole pages are ever fed to it.
 */
export class OpusDecoder extends WasmStreamDecoder {
  readonly format = 'opus' as const;
  private readonly library = new OggOpusDecoder();
  readonly ready = this.library.ready;
  private readonly pages = new OggPageWalker();

  protected async decodeBytes(bytes: Uint8Array): Promise<LibraryAudio> {
    const { pages, damaged } = this.pages.walk(bytes);
    this.stats.skippedFrames += damaged;
    if (!pages.length) return { channelData: [], samplesDecoded: 0, sampleRate: 48000, errors: [] };
    // The typings say decode() is synchronous; 1.7 returns a promise. Await either.
    return this.library.decode(pages);
  }
  protected flushLibrary(): Promise<LibraryAudio> {
    // A page cut off by the end of the stream is lost: count it.
    if (this.pages.pendingBytes > 0) this.stats.skippedFrames++;
    this.pages.reset();
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

/** Cuts a byte stream into whole, CRC-checked Ogg pages; counts damaged or missing ones. */
class OggPageWalker {
  private held: Uint8Array = new Uint8Array(0);
  private nextSequence = -1;

  /** Bytes of a page not yet complete. */
  get pendingBytes(): number {
    return this.held.length;
  }

  /** Takes the next bytes; returns the whole good pages they completed. */
  walk(bytes: Uint8Array): { pages: Uint8Array; damaged: number } {
    let damaged = 0;
    const b = concatBytes(this.held, bytes);
    const good: Uint8Array[] = [];
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
        damaged++;
        p++;
        continue;
      }
      const sequence = view.getUint32(18, true);
      if (this.nextSequence >= 0 && sequence > this.nextSequence) damaged += sequence - this.nextSequence;
      this.nextSequence = sequence + 1;
      good.push(b.subarray(p, p + length));
      p += length;
    }
    this.held = b.slice(p);
    return { pages: good.length === 1 ? good[0].slice() : concatAll(good), damaged };
  }

  reset(): void {
    this.held = new Uint8Array(0);
    this.nextSequence = -1;
  }
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}
