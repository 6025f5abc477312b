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
  /** Samples mpg123 gave; the least shortfall against the frames found before any damage. */
  private samplesOut = 0;
  private shortfallBeforeDamage = Infinity;

  protected decodeBytes(bytes: Uint8Array): LibraryAudio {
    if (this.walker.untouched && id3Length(bytes) === 0 && !mpegHeader(bytes, 0) && looksLikeText(bytes)) {
      throw new BadAudioError('This is not an MP3 stream: it starts like text (a web page or a JSON error?).');
    }
    const { resyncs, frames } = this.walker.walk(bytes);
    this.stats.skippedFrames += resyncs;
    this.stats.skippedSamples += this.walker.takeLost();
    if (!this.walker.framesSeen && this.walker.junk > MAX_JUNK) {
      throw new BadAudioError('This is not an MP3 stream: no MPEG audio frame in its first 64 KB.');
    }
    if (!frames.length) return { channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] };
    const audio = this.library.decode(frames);
    this.samplesOut += audio.samplesDecoded;
    // Only once mpg123 has given sound: before that the encoder delay is still being trimmed, and the shortfall is not yet its lasting one.
    if (!this.walker.everBroke && this.samplesOut > 0) this.shortfallBeforeDamage = Math.min(this.shortfallBeforeDamage, this.shortfall());
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
    // mpg123 also drops good frames after damage (their bit reservoir was in the lost ones):
    // what it gave short of the frames found, beyond the shortfall it always has (the
    // encoder delay it trims, the Info frame), is lost too.
    if (this.walker.everBroke && Number.isFinite(this.shortfallBeforeDamage)) {
      this.stats.skippedSamples += Math.max(0, this.shortfall() - this.shortfallBeforeDamage);
    }
    return null;
  }
  protected errorSamples(): number {
    // Frames mpg123 reports as errors show in its shortfall, counted at the end.
    return 0;
  }

  private shortfall(): number {
    return this.walker.foundSamples - this.samplesOut;
  }
  protected resetLibrary(): Promise<void> {
    this.walker.reset();
    this.samplesOut = 0;
    this.shortfallBeforeDamage = Infinity;
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }
}

/**
 * Cuts an MPEG byte stream into whole frames for mpg123, which sees nothing else: noise
 * holds chance headers, and mpg123 decodes them (measured: a chance 32 kHz frame in a
 * 24 kHz stream, and the whole call's audio came out labelled 32 kHz). After a break, and
 * for a frame whose rate or channels differ from the stream's, a header is believed once
 * the next one follows it, in the same format. Counts the breaks and how much audio they lost: the bytes from
 * the break to the next frame, in frames of the stream's average length (at least one).
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
  /** Bytes of a tag to pass over (ID3v2 at the start, ID3v1 at the end). */
  private skip = 0;
  private inSync = false;
  /** The stream's first frame: its samples per frame are the stream's. */
  private first: MpegHeader | null = null;
  /** Stream offset where the chain broke; -1 while it holds. */
  private brokeAt = -1;
  private lostSamples = 0;
  /** Samples and bytes in every frame found; true once the chain has broken. */
  foundSamples = 0;
  private foundBytes = 0;
  everBroke = false;

  /** Takes the next bytes; returns the whole frames they completed, and how many times they lost the chain. */
  walk(bytes: Uint8Array): { frames: Uint8Array; resyncs: number } {
    this.untouched = false;
    let resyncs = 0;
    const b = concatBytes(this.held, bytes);
    const frames: Uint8Array[] = [];
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
      const first = this.first;
      const doubtful = header && (this.brokeAt >= 0 || (first && (header.sampleRate !== first.sampleRate || header.channels !== first.channels || header.samples !== first.samples)));
      if (header && b.length - p < header.frameLength + (doubtful ? 4 : 0)) break;
      if (header && (!doubtful || sameFormat(header, mpegHeader(b, p + header.frameLength)))) {
        if (this.brokeAt >= 0) this.resynced(this.heldAt + p);
        this.first ??= header;
        this.framesSeen++;
        this.foundSamples += header.samples;
        this.foundBytes += header.frameLength;
        if (!this.channels) this.channels = header.channels;
        frames.push(b.subarray(p, p + header.frameLength));
        p += header.frameLength;
        this.inSync = true;
        continue;
      }
      if (this.inSync) resyncs++;
      if (this.inSync && this.framesSeen) {
        this.brokeAt = this.heldAt + p;
        this.everBroke = true;
      }
      this.inSync = false;
      let q = p + 1;
      while (q + 4 <= b.length && !mpegHeader(b, q) && !(this.framesSeen === 0 && id3Length(b, q))) q++;
      if (!this.framesSeen) this.junk += q - p;
      p = q;
    }
    this.heldAt += p;
    this.held = b.slice(p);
    // Copied: the library copies into WASM memory at once, but `b` may be the caller's buffer.
    return { frames: frames.length === 1 ? frames[0].slice() : concatBytes(...frames), resyncs };
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
    // In frames of the stream's average length (a chance header in the noise has any length).
    if (this.first) this.lostSamples += Math.max(1, Math.round((at - this.brokeAt) / (this.foundBytes / this.framesSeen))) * this.first.samples;
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
    this.first = null;
    this.foundBytes = 0;
    this.brokeAt = -1;
    this.lostSamples = 0;
    this.foundSamples = 0;
    this.everBroke = false;
  }
}

function sameFormat(a: MpegHeader, b: MpegHeader | null): boolean {
  return b !== null && a.sampleRate === b.sampleRate && a.channels === b.channels && a.samples === b.samples;
}
