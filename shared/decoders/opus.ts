import { OggOpusDecoder } from 'ogg-opus-decoder';
import { concatBytes } from './audio';
import { crc32 } from './crc';
import { BadAudioError } from './types';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/**
 * Ogg Opus, page by page (spec F2 says it cannot stream; it can). The library outputs a
 * page's audio only when the next page arrives (measured), so audio comes one page late:
 * ffmpeg and opusenc by default write ~1 s pages, opusenc --max-delay 20 writes 20 ms
 * ones. The last page needs flush(), or the tail is lost.
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
    if (this.pages.untouched && bytes.length >= 4 && !isOggS(bytes, 0)) {
      throw new BadAudioError('This is not an Ogg Opus stream: it does not start with an Ogg page.');
    }
    const { pages, damaged } = this.pages.walk(bytes);
    this.countLost(damaged);
    if (!pages.length) return { channelData: [], samplesDecoded: 0, sampleRate: 48000, errors: [] };
    // The typings say decode() is synchronous; 1.7 returns a promise. Await either.
    return this.library.decode(pages);
  }
  protected flushLibrary(): Promise<LibraryAudio> {
    // A page damaged or cut off by the end of the stream is lost: count it.
    this.countLost(this.pages.lostAtEnd);
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
  protected errorSamples(): number {
    return this.pages.samplesPerPage;
  }

  private countLost(pages: number): void {
    this.stats.skippedFrames += pages;
    this.stats.skippedSamples += pages * this.pages.samplesPerPage;
  }
}

/**
 * Cuts a byte stream into whole, CRC-checked Ogg pages of one stream, and counts the pages
 * lost to damage by the gaps in their sequence numbers.
 */
class OggPageWalker {
  untouched = true;
  private held: Uint8Array = new Uint8Array(0);
  private serial = -1;
  private nextSequence = -1;
  private badSinceGood = false;
  /** Good pages that carried audio, and the granule position (48 kHz samples) of the last. */
  private audioPages = 0;
  private granule = 0;

  /** How long a page lasts, on average so far (20 ms until known): what one lost page is counted as. */
  get samplesPerPage(): number {
    return this.audioPages ? Math.round(this.granule / this.audioPages) : 960;
  }

  /** Pages damaged or cut off after the last good one: counted at the end of the stream. */
  get lostAtEnd(): number {
    return this.badSinceGood || this.held.length > 0 ? 1 : 0;
  }

  /** Takes the next bytes; returns the whole good pages they completed. */
  walk(bytes: Uint8Array): { pages: Uint8Array; damaged: number } {
    this.untouched = false;
    let damaged = 0;
    const b = concatBytes(this.held, bytes);
    const good: Uint8Array[] = [];
    let p = 0;
    while (p + 27 <= b.length) {
      const view = new DataView(b.buffer, b.byteOffset + p);
      if (!isOggS(b, p) || b[p + 4] !== 0 || (this.serial >= 0 && view.getUint32(14, true) !== this.serial)) {
        p++;
        continue;
      }
      const segments = b[p + 26];
      let length = 27 + segments;
      for (let i = 0; i < segments && p + 27 + i < b.length; i++) length += b[p + 27 + i];
      if (p + 27 + segments > b.length || p + length > b.length) {
        // A damaged segment table can claim up to 64 KB: do not wait for it if the next page is already here.
        const next = this.serial >= 0 ? this.findPage(b, p + 27, this.nextSequence + 1) : -1;
        if (next < 0) break;
        this.badSinceGood = true;
        p = next;
        continue;
      }
      if (crc32(b, p, p + length, p + 22) !== view.getUint32(22, true)) {
        this.badSinceGood = true;
        p++;
        continue;
      }
      if (this.nextSequence < 0 && !isOpusHead(b, p + 27 + segments)) {
        throw new BadAudioError('This Ogg stream does not carry Opus (no OpusHead in its first page).');
      }
      const sequence = view.getUint32(18, true);
      const gap = this.nextSequence >= 0 && sequence > this.nextSequence ? sequence - this.nextSequence : 0;
      damaged += gap;
      const granule = view.getUint32(6, true) + view.getUint32(10, true) * 2 ** 32;
      // -1 (all ones) marks a page on which no packet ends.
      if (granule > 0 && view.getInt32(10, true) !== -1) {
        this.audioPages += 1 + gap; // the lost pages lie inside this granule span
        this.granule = granule;
      }
      this.serial = view.getUint32(14, true);
      this.nextSequence = sequence + 1;
      this.badSinceGood = false;
      good.push(b.subarray(p, p + length));
      p += length;
    }
    this.held = b.slice(p);
    return { pages: good.length === 1 ? good[0].slice() : concatBytes(...good), damaged };
  }

  /** Where a page of this stream with the given sequence number starts, or -1. */
  private findPage(b: Uint8Array, from: number, sequence: number): number {
    for (let i = from; i + 27 <= b.length; i++) {
      if (!isOggS(b, i)) continue;
      const view = new DataView(b.buffer, b.byteOffset + i);
      if (view.getUint32(14, true) === this.serial && view.getUint32(18, true) === sequence) return i;
    }
    return -1;
  }

  reset(): void {
    this.untouched = true;
    this.held = new Uint8Array(0);
    this.serial = -1;
    this.nextSequence = -1;
    this.badSinceGood = false;
    this.audioPages = 0;
    this.granule = 0;
  }
}

function isOggS(b: Uint8Array, p: number): boolean {
  return b[p] === 0x4f && b[p + 1] === 0x67 && b[p + 2] === 0x67 && b[p + 3] === 0x53;
}

function isOpusHead(b: Uint8Array, p: number): boolean {
  const magic = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64]; // "OpusHead"
  return magic.every((m, i) => b[p + i] === m);
}
