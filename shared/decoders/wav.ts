import { AdpcmDecoder, wavAdpcmLayout } from './adpcm';
import { chainAudio, concatBytes } from './audio';
import { isAiff, readAiffHeader } from './aiff-header';
import { ENCODINGS, PcmDecoder, type SampleEncoding, type SampleLayout } from './pcm';
import { BadAudioError, type DecodedAudio, type DecoderStats, type StreamDecoder } from './types';

/**
 * RIFF, its 64-bit forms (EBU RF64, ITU BW64), whose sizes live in a ds64 chunk, and RIFX,
 * RIFF big-endian (libsndfile's WAV with the big-endian option).
 */
export const WAV_TAGS = new Set(['RIFF', 'RF64', 'BW64', 'RIFX']);
/** The form types that begin a file, and the container tags before them: WAV's, and AIFF's. */
const FILE_KINDS: [string, Set<string>][] = [
  ['WAVE', WAV_TAGS],
  ['AIFF', new Set(['FORM'])],
  ['AIFC', new Set(['FORM'])],
];
/** Sizes servers write when they stream a WAV whose length they do not know yet. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);
/** A header larger than this is not a header: refuse rather than buffer forever. */
const MAX_HEADER = 1 << 20;

/**
 * Streaming WAV: reads the header as it arrives (split at any byte, chunks before `data`,
 * WAVE_FORMAT_EXTENSIBLE, RF64, RIFX), then hands the samples to a PcmDecoder, or ADPCM blocks to an
 * AdpcmDecoder. AIFF and AIFF-C (uncompressed, big- or little-endian, float, G.711, ima4) are
 * read the same way. The streaming form with
 * 0 or 0xFFFFFFFF sizes plays to the end of the stream. Files joined in one body (servers
 * that send a WAV per sentence, with or without sizes) each play in their own layout: a
 * RIFF/WAVE header inside the data ends the file before it.
 */
export class WavDecoder implements StreamDecoder {
  readonly format = 'wav' as const;
  readonly ready = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private body: PcmDecoder | AdpcmDecoder = new PcmDecoder(0, 1);
  private header: Uint8Array = new Uint8Array(0);
  private inData = false;
  /** Data bytes still expected; Infinity for the streaming form. */
  private dataLeft = Infinity;
  /** Bytes after the header held back because they may begin the next file's header. */
  private held: Uint8Array = new Uint8Array(0);
  private freed = false;
  /** What the last header read was: AIFF is read by the same decoder. */
  private container: 'WAV' | 'AIFF' = 'WAV';

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    const out: DecodedAudio[] = [];
    let rest = concatBytes(this.held, bytes);
    this.held = new Uint8Array(0);
    while (rest.length) {
      if (!this.inData) {
        this.header = concatBytes(this.header, rest);
        const body = this.parseHeader();
        if (body === null) {
          // Held back: copy, the caller may reuse its buffer.
          if (this.header === rest) this.header = rest.slice();
          break;
        }
        rest = body;
        continue;
      }
      const next = nextFileAt(rest);
      const end = next >= 0 ? next : maybeNextFileFrom(rest);
      out.push(await this.samples(rest.subarray(0, end)));
      if (next < 0) {
        this.held = rest.slice(end);
        break;
      }
      // The next file. A partial frame before its header is not audio; a short ADPCM block is.
      out.push(this.counted(await this.body.flush()));
      this.inData = false;
      rest = rest.subarray(next);
    }
    return chainAudio(out);
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    if (!this.inData && this.header.length) throw new BadAudioError(`The ${isAiff(this.header) ? 'AIFF' : 'WAV'} stream ended inside its header.`);
    // What was held back in case a header began there was audio after all.
    const last = await this.samples(this.held);
    this.held = new Uint8Array(0);
    return chainAudio([last, this.counted(await this.body.flush())]);
  }

  codecName(): string {
    return this.body instanceof AdpcmDecoder ? `${this.container} (${this.body.kind})` : this.container;
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.body = new PcmDecoder(0, 1);
    this.header = new Uint8Array(0);
    this.held = new Uint8Array(0);
    this.inData = false;
    this.dataLeft = Infinity;
  }

  free(): void {
    this.freed = true;
    this.body.free();
  }

  private assertUsable(): void {
    if (this.freed) throw new Error('This wav decoder has been freed.');
  }

  /** Data bytes as audio; bytes after the data chunk (a trailing LIST) are not samples. */
  private async samples(bytes: Uint8Array): Promise<DecodedAudio> {
    const data = bytes.subarray(0, Math.min(bytes.length, this.dataLeft));
    this.dataLeft -= data.length;
    return this.counted(await this.body.push(data));
  }

  private counted(audio: DecodedAudio): DecodedAudio {
    this.stats.framesOut += audio.samplesDecoded;
    if (this.body instanceof AdpcmDecoder) {
      // Damaged ADPCM blocks are skipped; the metrics say how much (spec E2).
      const lost = this.body.takeLost();
      this.stats.skippedFrames += lost.blocks;
      this.stats.skippedSamples += lost.frames;
    }
    return audio;
  }

  /** Starts the samples of a header just read. */
  private startData(layout: SampleLayout): void {
    this.body.free();
    if (layout.adpcm) this.body = new AdpcmDecoder(layout.rate, layout.channels, layout.adpcm);
    else this.body = new PcmDecoder(layout.rate, layout.channels, layout.encoding);
    this.inData = true;
  }

  /** Returns the bytes after the `data` chunk header once it is reached, else null (need more). */
  private parseHeader(): Uint8Array | null {
    const h = this.header;
    if (h.length < 12) return null;
    this.container = isAiff(h) ? 'AIFF' : 'WAV';
    if (isAiff(h)) return this.parseAiffHeader();
    if (!WAV_TAGS.has(text(h, 0, 4)) || text(h, 8, 4) !== 'WAVE') throw new BadAudioError('This is not a WAV or AIFF stream (no RIFF/WAVE or FORM/AIFF header).');
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const little = text(h, 0, 4) !== 'RIFX';
    let layout: SampleLayout | null = null;
    /** RF64's data size, from its ds64 chunk (the data chunk's own says 0xFFFFFFFF). */
    let ds64DataSize: number | null = null;
    for (let pos = 12; pos + 8 <= h.length; ) {
      const id = text(h, pos, 4);
      const size = view.getUint32(pos + 4, little);
      if (id === 'data') {
        if (!layout) throw new BadAudioError('The WAV stream has no fmt chunk before its data.');
        this.startData(layout);
        this.dataLeft = size === 0xffffffff && ds64DataSize ? ds64DataSize : UNKNOWN_SIZES.has(size) ? Infinity : size;
        const body = h.slice(pos + 8);
        this.header = new Uint8Array(0);
        return body;
      }
      if (pos + 8 + size > h.length) break;
      if (id === 'fmt ') layout = readFormat(view, pos + 8, size, little);
      // RIFF size, then data size (64-bit each; a stream too long for a double plays to its end).
      if (id === 'ds64' && size >= 16) ds64DataSize = view.getUint32(pos + 16, true) + view.getUint32(pos + 20, true) * 2 ** 32;
      pos += 8 + size + (size & 1);
    }
    if (h.length > MAX_HEADER) throw new BadAudioError('The WAV header is larger than 1 MB: not a stream Utter can play.');
    return null;
  }

  private parseAiffHeader(): Uint8Array | null {
    const h = this.header;
    const aiff = readAiffHeader(h);
    if (!aiff || h.length < aiff.dataAt) {
      if (h.length > MAX_HEADER) throw new BadAudioError('The AIFF header is larger than 1 MB: not a stream Utter can play.');
      return null;
    }
    this.startData(aiff.layout);
    this.dataLeft = aiff.dataSize;
    const body = h.slice(aiff.dataAt);
    this.header = new Uint8Array(0);
    return body;
  }
}

/** The sample encoding of each WAV format code and bit depth: PCM (1), IEEE float (3), A-law (6), μ-law (7). */
const ENCODING_OF: Record<string, SampleEncoding | undefined> = {
  '1/8': ENCODINGS.u8,
  '1/16': ENCODINGS.s16,
  '1/24': ENCODINGS.s24,
  '1/32': ENCODINGS.s32,
  '3/32': ENCODINGS.f32,
  '3/64': ENCODINGS.f64,
  '6/8': ENCODINGS.alaw,
  '7/8': ENCODINGS.mulaw,
};

/** WAV format codes seen in the wild that no decoder here reads, named for the refusal. */
const CODEC_NAMES: Record<number, string> = { 2: 'Microsoft ADPCM', 0x11: 'IMA ADPCM', 0x31: 'GSM 6.10', 0x55: 'MP3', 0xff: 'AAC', 0x674f: 'Vorbis' };
/** Format codes of ADPCM read block by block: Microsoft's and IMA's. */
const ADPCM_CODES = new Set([2, 0x11]);

/** A fmt chunk's layout; `little` false for RIFX, whose fields and samples are big-endian. */
function readFormat(view: DataView, at: number, size: number, little: boolean): SampleLayout {
  let code = view.getUint16(at, little);
  const channels = view.getUint16(at + 2, little);
  const rate = view.getUint32(at + 4, little);
  const bits = view.getUint16(at + 14, little);
  if (code === 0xfffe && size >= 40) code = view.getUint16(at + 24, little); // the sub-format GUID starts with the code
  const usable = channels >= 1 && channels <= 8 && rate >= 1000 && rate <= 384000;
  // ADPCM's block headers have no big-endian form.
  if (ADPCM_CODES.has(code) && usable && size >= 16 && little) {
    const adpcm = wavAdpcmLayout(view, at, size, code, channels);
    if (typeof adpcm !== 'string') return { rate, channels, adpcm };
    throw new BadAudioError(`This WAV holds audio Utter cannot play: ${adpcm}, ${channels} channel${channels === 1 ? '' : 's'}, ${rate} Hz.`);
  }
  // 12- or 20-bit PCM sits left-justified in whole bytes: read as its container's depth.
  const container = code === 1 && bits % 8 ? Math.ceil(bits / 8) * 8 : bits;
  const stored = ENCODING_OF[`${code}/${container}`];
  const encoding = stored && !little ? (BIG_ENDIAN.get(stored) ?? stored) : stored;
  if (!encoding || !usable) {
    const codec = CODEC_NAMES[code] ? `${CODEC_NAMES[code]} (format ${code})` : `format ${code}`;
    throw new BadAudioError(`This ${little ? 'WAV' : 'RIFX (big-endian WAV)'} holds audio Utter cannot play: ${codec}, ${bits ? `${bits}-bit, ` : ''}${channels} channel${channels === 1 ? '' : 's'}, ${rate} Hz.`);
  }
  return { rate, channels, encoding };
}

/** RIFX's samples, by the little-endian encoding WAV's format code gives: 8-bit and G.711 have no byte order. */
const BIG_ENDIAN: Map<SampleEncoding, SampleEncoding> = new Map([
  [ENCODINGS.s16, ENCODINGS.s16be],
  [ENCODINGS.s24, ENCODINGS.s24be],
  [ENCODINGS.s32, ENCODINGS.s32be],
  [ENCODINGS.f32, ENCODINGS.f32be],
  [ENCODINGS.f64, ENCODINGS.f64be],
]);

function text(bytes: Uint8Array, pos: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(pos, pos + length));
}

/** Where a RIFF (or RF64, BW64) WAVE or a FORM AIFF header begins in `bytes`, or -1. */
function nextFileAt(bytes: Uint8Array): number {
  let first = -1;
  for (const [form, tags] of FILE_KINDS) {
    const letter = form.charCodeAt(0);
    for (let at = bytes.indexOf(letter, 8); at >= 0 && (first < 0 || at - 8 < first); at = bytes.indexOf(letter, at + 1)) {
      if (text(bytes, at, 4) === form && tags.has(text(bytes, at - 8, 4))) {
        first = at - 8;
        break;
      }
    }
  }
  return first;
}

/** Where the bytes at the end could be the start of a WAV or AIFF header that the next push completes; else their length. */
function maybeNextFileFrom(bytes: Uint8Array): number {
  for (let from = Math.max(0, bytes.length - 11); from < bytes.length; from++) {
    const part = text(bytes, from, 12);
    const tagPart = part.slice(0, 4);
    if (FILE_KINDS.some(([form, tags]) => [...tags].some((tag) => tag.startsWith(tagPart)) && form.startsWith(part.slice(8)))) return from;
  }
  return bytes.length;
}
