import { MPEGDecoder } from 'mpg123-decoder';
import { concatBytes } from './audio';
import { id3Length, looksLikeText, mpegHeader, type MpegHeader } from './frame-headers';
import { BadAudioError } from './types';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/** Bytes without a single frame header (after any ID3 tag) that prove it is not MP3. */
const MAX_JUNK = 64 * 1024;

/**
 * MP3 through mpg123 compiled to WASM (spec F3): mpg123 finds frames in any chunking and
 * outputs each as soon as it is complete, so flush() has nothing held back. mpg123 resyncs
 * past damage silently (measured: 300 noise bytes, 0 errors reported), so a light frame
 * walker runs alongside to count what was skipped (spec E2), to learn the channel count
 * (mpg123 always outputs two) and to refuse what is not MP3 at all. Gapless: mpg123 trims
 * the encoder delay and padding that LAME's Info tag declares, as native mpg123 does.
 */
export class Mp3Decoder extends WasmStreamDecoder {
  readonly format = 'mp3' as const;
  private readonly library = new MPEGDecoder();
  readonly ready = this.library.ready;
  private readonly walker = new MpegFrameWalker();

  protected decodeBytes(bytes: Uint8Array): LibraryAudio {
    if (this.walker.untouched && id3Length(bytes) === 0 && !mpegHeader(bytes, 0) && looksLikeText(bytes)) {
      throw new BadAudioError('This is not an MP3 stream: it starts like text (a web page or a JSON error?).');
    }
    this.stats.skippedFrames += this.walker.walk(bytes);
    this.stats.skippedSamples += this.walker.takeLost();
    if (!this.walker.framesSeen && this.walker.junk > MAX_JUNK) {
      throw new BadAudioError('This is not an MP3 stream: no MPEG audio frame in its first 64 KB.');
    }
    const audio = this.library.decode(bytes);
    // A mono stream comes out duplicated on two channels: keep one.
    if (this.walker.channels === 1 && audio.channelData.length === 2) audio.channelData = [audio.channelData[0]];
    return audio;
  }
  protected async flushLibrary(): Promise<LibraryAudio | null> {
    if (!this.walker.framesSeen && this.walker.junk > 0) {
      throw new BadAudioError('This is not an MP3 stream: it ended without a single MPEG audio frame.');
    }
    this.walker.endOfStream();
    this.stats.skippedSamples += this.walker.takeLost();
    return null;
  }
  protected errorSamples(): number {
    return this.walker.frameSamples;
  }
  protected resetLibrary(): Promise<void> {
    this.walker.reset();
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }
}

/**
 * Follows MPEG frame headers through a byte stream; counts the times it lost them, and how
 * much audio the lost bytes held. After a break, a header is believed once the next one
 * follows it (noise holds chance headers); the bytes from the break to it are the loss,
 * in frames the size of the last good one (at least one).
 */
class MpegFrameWalker {
  channels = 0;
  framesSeen = 0;
  /** Bytes outside ID3 tags passed over before the first frame. */
  junk = 0;
  untouched = true;
  private held: Uint8Array = new Uint8Array(0);
  /** Stream offset of held[0]. */
  private heldAt = 0;
  /** Bytes to pass over before the next header is due (an ID3 tag, a frame body). */
  private skip = 0;
  private inSync = false;
  private lastGood: MpegHeader | null = null;
  /** Stream offset where the chain broke; -1 while it holds. */
  private brokeAt = -1;
  private lostSamples = 0;

  /** Takes the next bytes; returns how many times they lost the frame chain. */
  walk(bytes: Uint8Array): number {
    this.untouched = false;
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
      const tag = this.framesSeen ? 0 : id3Length(b, p);
      // ID3v1 at the end of a file: 128 bytes that are not a lost frame.
      const v1 = this.inSync && b[p] === 0x54 && b[p + 1] === 0x41 && b[p + 2] === 0x47 ? 128 : 0;
      if (tag || v1) {
        this.skip = tag || v1;
        continue;
      }
      const header = mpegHeader(b, p);
      // After a break a header counts only when the next one follows it.
      if (header && this.brokeAt >= 0 && b.length - p < header.frameLength + 4) break;
      if (header && (this.brokeAt < 0 || mpegHeader(b, p + header.frameLength))) {
        if (this.brokeAt >= 0) this.resynced(this.heldAt + p);
        this.lastGood = header;
        this.framesSeen++;
        if (!this.channels) this.channels = header.channels;
        this.skip = header.frameLength;
        this.inSync = true;
        continue;
      }
      if (this.inSync) resyncs++;
      if (this.inSync && this.framesSeen) this.brokeAt = this.heldAt + p;
      this.inSync = false;
      let q = p + 1;
      while (q + 4 <= b.length && !mpegHeader(b, q) && !(this.framesSeen === 0 && id3Length(b, q))) q++;
      if (!this.framesSeen) this.junk += q - p;
      p = q;
    }
    this.heldAt += p;
    this.held = b.slice(p);
    return resyncs;
  }

  /** Samples in one frame, as the last good header said. */
  get frameSamples(): number {
    return this.lastGood?.samples ?? 1152;
  }

  /** The stream ended while the chain was broken: everything from the break is lost. */
  endOfStream(): void {
    if (this.brokeAt >= 0) this.resynced(this.heldAt + this.held.length);
  }

  /** Samples lost since the last call. */
  takeLost(): number {
    const lost = this.lostSamples;
    this.lostSamples = 0;
    return lost;
  }

  /** The chain holds again from `at`: what lay between is lost. */
  private resynced(at: number): void {
    const last = this.lastGood;
    if (last) this.lostSamples += Math.max(1, Math.round((at - this.brokeAt) / last.frameLength)) * last.samples;
    this.brokeAt = -1;
  }

  reset(): void {
    this.held = new Uint8Array(0);
    this.heldAt = 0;
    this.skip = 0;
    this.inSync = false;
    this.channels = 0;
    this.framesSeen = 0;
    this.junk = 0;
    this.untouched = true;
    this.lastGood = null;
    this.brokeAt = -1;
    this.lostSamples = 0;
  }
}
