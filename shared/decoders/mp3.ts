import { MPEGDecoder } from 'mpg123-decoder';
import { chainAudio, concatBytes } from './audio';
import { apeTagLength, freeFormatAt, id3Length, looksLikeText, lyrics3Length, mpegHeader, xingTagAt, type MpegHeader } from './frame-headers';
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
  /** The current file (a body may join several): samples its frames hold and mpg123 gave, and the least shortfall before any damage. */
  private file = newFile();

  protected async decodeBytes(bytes: Uint8Array): Promise<LibraryAudio> {
    if (this.walker.untouched && id3Length(bytes) === 0 && !mpegHeader(bytes, 0) && looksLikeText(bytes)) {
      throw new BadAudioError('This is not an MP3 stream: it starts like text (a web page or a JSON error?).');
    }
    const { runs, resyncs } = this.walker.walk(bytes);
    this.stats.skippedFrames += resyncs;
    this.stats.skippedSamples += this.walker.takeLost();
    if (!this.walker.framesSeen && this.walker.junk > MAX_JUNK) {
      throw new BadAudioError('This is not an MP3 stream: no MPEG audio frame in its first 64 KB.');
    }
    const decoded: LibraryAudio[] = [];
    for (const run of runs) {
      // A new file or layout: mpg123 starts afresh, so each part is labelled with its own rate and trimmed as its own file.
      if (run.startsFile && this.file.found > 0) await this.nextFile();
      if (run.brokeBefore) this.file.broke = true;
      this.file.found += run.samples;
      const audio = this.library.decode(run.frames);
      this.file.out += audio.samplesDecoded;
      // Only once mpg123 has given sound: before that the encoder delay is still being trimmed, and the shortfall is not yet its lasting one.
      if (!this.file.broke && this.file.out > 0) this.file.shortfallBeforeDamage = Math.min(this.file.shortfallBeforeDamage, this.file.found - this.file.out);
      // A mono stream comes out duplicated on two channels: keep one.
      if (run.channels === 1 && audio.channelData.length === 2) audio.channelData = [audio.channelData[0]];
      decoded.push(audio);
    }
    return { ...chainAudio(decoded), errors: decoded.flatMap((audio) => audio.errors) };
  }
  protected async flushLibrary(): Promise<LibraryAudio | null> {
    if (!this.walker.framesSeen && this.walker.junk > 0) {
      throw new BadAudioError('This is not an MP3 stream: it ended without a single MPEG audio frame.');
    }
    this.walker.endOfStream();
    this.stats.skippedSamples += this.walker.takeLost();
    this.settleFile();
    return null;
  }
  protected errorSamples(): number {
    // Frames mpg123 reports as errors show in its shortfall, counted at the end of the file.
    return 0;
  }

  /**
   * mpg123 also drops good frames after damage (their bit reservoir was in the lost ones):
   * what it gave short of the frames found, beyond the shortfall it always has (the encoder
   * delay it trims, the Info frame), is lost too.
   */
  private settleFile(): void {
    const { broke, found, out, shortfallBeforeDamage } = this.file;
    if (broke && Number.isFinite(shortfallBeforeDamage)) this.stats.skippedSamples += Math.max(0, found - out - shortfallBeforeDamage);
    this.file = newFile();
  }
  private async nextFile(): Promise<void> {
    this.settleFile();
    await this.library.reset();
  }
  protected resetLibrary(): Promise<void> {
    this.walker.reset();
    this.file = newFile();
    return this.library.reset();
  }
  protected freeLibrary(): void {
    this.library.free();
  }
}

function newFile(): { found: number; out: number; broke: boolean; shortfallBeforeDamage: number } {
  return { found: 0, out: 0, broke: false, shortfallBeforeDamage: Infinity };
}

/** Whole frames of one layout from one file, as the walker hands them to mpg123. */
interface FrameRun {
  frames: Uint8Array;
  channels: number;
  /** Samples per channel the frames hold. */
  samples: number;
  /** The first frame of a file (after an ID3v2 tag, or an Info frame), or of another rate or channel count. */
  startsFile: boolean;
  /** The chain broke before the run's first frame. */
  brokeBefore: boolean;
}

/**
 * Cuts an MPEG byte stream into whole frames for mpg123, which sees nothing else: noise
 * holds chance headers, and mpg123 decodes them (measured: a chance 32 kHz frame in a
 * 24 kHz stream, and the whole call's audio came out labelled 32 kHz). After a break, and
 * for a frame whose rate or channels differ from the last, a header is believed once the
 * next one follows it, in the same format. The frames come in runs of one layout and one
 * file, so that files joined in one body (a server that sends a file per sentence) are each
 * decoded and labelled as their own. Counts the breaks and how much audio they lost: the
 * bytes from the break to the next frame, in frames of the stream's average length (at least one).
 */
class MpegFrameWalker {
  framesSeen = 0;
  /** Bytes outside ID3 tags passed over before the first frame. */
  junk = 0;
  untouched = true;
  private held: Uint8Array = new Uint8Array(0);
  /** Stream offset of held[0]. */
  private heldAt = 0;
  /** Bytes of a tag to pass over (ID3v2 before a file, ID3v1 after one). */
  private skip = 0;
  private inSync = false;
  /** The stream's first frame: its samples per frame are the stream's. */
  private first: MpegHeader | null = null;
  /** The last frame taken: a frame in another layout is doubted until the next confirms it. */
  private last: MpegHeader | null = null;
  /** An ID3v2 tag was passed over: the next frame starts a file. */
  private fileAhead = false;
  /** Stream offset where the chain broke; -1 while it holds. */
  private brokeAt = -1;
  /** The chain broke since the last frame taken. */
  private brokeSinceFrame = false;
  private lostSamples = 0;
  private foundBytes = 0;

  /** Takes the next bytes; returns the runs of whole frames they completed, and how many times they lost the chain. */
  walk(bytes: Uint8Array): { runs: FrameRun[]; resyncs: number } {
    this.untouched = false;
    let resyncs = 0;
    const b = concatBytes(this.held, bytes);
    const runs: { parts: Uint8Array[]; run: FrameRun }[] = [];
    let p = 0;
    while (p < b.length) {
      if (this.skip) {
        const n = Math.min(this.skip, b.length - p);
        this.skip -= n;
        p += n;
        continue;
      }
      if (b.length - p < 10) break;
      const tag = id3Length(b, p);
      // After a file, ID3v1 (128 bytes), APE and Lyrics3 tags are not lost frames.
      const v1 = this.inSync && b[p] === 0x54 && b[p + 1] === 0x41 && b[p + 2] === 0x47 ? 128 : 0;
      const after = this.inSync && !v1 ? this.trailingTag(b, p) : 0;
      if (after === undefined) break;
      if (tag || v1 || after) {
        if (this.brokeAt >= 0) this.resynced(this.heldAt + p);
        if (tag && this.framesSeen) this.fileAhead = true;
        this.skip = tag || v1 || after;
        continue;
      }
      const header = this.headerAt(b, p);
      if (header === undefined) break;
      const last = this.last;
      // A header found by searching (after a break, or in bytes before the first frame) may be chance.
      const searched = this.brokeAt >= 0 || (!this.framesSeen && this.junk > 0);
      const doubtful = header && (searched || (last && !sameFormat(header, last)));
      if (header && b.length - p < header.frameLength + (doubtful ? 4 : 0)) break;
      if (header && (!doubtful || sameFormat(header, mpegHeader(b, p + header.frameLength)))) {
        if (this.brokeAt >= 0) this.resynced(this.heldAt + p);
        const startsFile = this.framesSeen === 0 || this.fileAhead || xingTagAt(b, p) >= 0 || !sameFormat(header, last);
        const current = runs.at(-1)?.run;
        if (!current || startsFile || this.brokeSinceFrame) {
          runs.push({ parts: [], run: { frames: new Uint8Array(0), channels: header.channels, samples: 0, startsFile, brokeBefore: this.brokeSinceFrame } });
        }
        const open = runs.at(-1)!;
        open.parts.push(b.subarray(p, p + header.frameLength));
        open.run.samples += header.samples;
        this.first ??= header;
        this.last = header;
        this.fileAhead = false;
        this.brokeSinceFrame = false;
        this.framesSeen++;
        this.foundBytes += header.frameLength;
        p += header.frameLength;
        this.inSync = true;
        continue;
      }
      if (this.inSync) resyncs++;
      if (this.inSync && this.framesSeen) {
        this.brokeAt = this.heldAt + p;
        this.brokeSinceFrame = true;
      }
      this.inSync = false;
      let q = p + 1;
      while (q + 4 <= b.length && !mpegHeader(b, q) && !this.mayBeFreeFormat(b, q) && !id3Length(b, q)) q++;
      if (!this.framesSeen) this.junk += q - p;
      p = q;
    }
    this.heldAt += p;
    this.held = b.slice(p);
    // Copied: the library copies into WASM memory at once, but `b` may be the caller's buffer.
    for (const { parts, run } of runs) run.frames = parts.length === 1 ? parts[0].slice() : concatBytes(...parts);
    return { runs: runs.map(({ run }) => run), resyncs };
  }

  /** An APE or Lyrics3 tag's length at `p`, 0 when none starts there, undefined when more bytes must show. */
  private trailingTag(b: Uint8Array, p: number): number | undefined {
    if (b[p] === 0x41 && b[p + 1] === 0x50 && b.length - p < 32) return undefined;
    return apeTagLength(b, p) || lyrics3Length(b, p);
  }

  /** The frame header at `p`: null when there is none, undefined when more bytes must show whether a free-format stream starts there. */
  private headerAt(b: Uint8Array, p: number): MpegHeader | null | undefined {
    const header = mpegHeader(b, p);
    if (header || !this.mayBeFreeFormat(b, p)) return header;
    const free = freeFormatAt(b, p);
    // mpg123 measures a free-format frame by seeking ahead, which it cannot do on a stream fed to it.
    if (free) throw new BadAudioError('This MP3 is free format (a bitrate outside the standard table), which Utter cannot play as it streams. Pick another format in Settings.');
    return free === undefined ? undefined : null;
  }

  /** A stream's first frame may be free format; later, bitrate index 0 is noise. */
  private mayBeFreeFormat(b: Uint8Array, p: number): boolean {
    return !this.framesSeen && b[p] === 0xff && (b[p + 1] & 0xe0) === 0xe0 && b[p + 2] >> 4 === 0;
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
    this.framesSeen = 0;
    this.junk = 0;
    this.untouched = true;
    this.first = null;
    this.last = null;
    this.fileAhead = false;
    this.foundBytes = 0;
    this.brokeAt = -1;
    this.brokeSinceFrame = false;
    this.lostSamples = 0;
  }
}

function sameFormat(a: MpegHeader, b: MpegHeader | null): boolean {
  return b !== null && a.sampleRate === b.sampleRate && a.channels === b.channels && a.samples === b.samples;
}
