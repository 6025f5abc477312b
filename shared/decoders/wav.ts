import { concatBytes, silence } from './audio';
import { ENCODINGS, PcmDecoder, type SampleEncoding } from './pcm';
import { BadAudioError, type DecodedAudio, type DecoderStats, type StreamDecoder } from './types';

/** RIFF, and its 64-bit forms (EBU RF64, ITU BW64), whose sizes live in a ds64 chunk. */
const WAV_TAGS = new Set(['RIFF', 'RF64', 'BW64']);
/** Sizes servers write when they stream a WAV whose length they do not know yet. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);
/** A header larger than this is not a header: refuse rather than buffer forever. */
const MAX_HEADER = 1 << 20;

/**
 * Streaming WAV: reads the header as it arrives (split at any byte, chunks before `data`,
 * WAVE_FORMAT_EXTENSIBLE, RF64), then hands the samples to a PcmDecoder. The streaming form with
 * 0 or 0xFFFFFFFF sizes plays to the end of the stream.
 */
export class WavDecoder implements StreamDecoder {
  readonly format = 'wav' as const;
  readonly ready = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private pcm = new PcmDecoder(0, 1);
  private header: Uint8Array = new Uint8Array(0);
  private inData = false;
  /** Data bytes still expected; Infinity for the streaming form. */
  private dataLeft = Infinity;
  private freed = false;

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    if (!this.inData) {
      this.header = concatBytes(this.header, bytes);
      const body = this.parseHeader();
      if (body === null) {
        // Held back: copy, the caller may reuse its buffer.
        if (this.header === bytes) this.header = bytes.slice();
        return silence();
      }
      bytes = body;
    }
    if (this.dataLeft !== Infinity) {
      // Bytes after the data chunk (a trailing LIST) are not samples.
      bytes = bytes.subarray(0, Math.min(bytes.length, this.dataLeft));
      this.dataLeft -= bytes.length;
    }
    const audio = await this.pcm.push(bytes);
    this.stats.framesOut += audio.samplesDecoded;
    return audio;
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    if (!this.inData && this.header.length) throw new BadAudioError('The WAV stream ended inside its header.');
    return this.pcm.flush();
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.pcm = new PcmDecoder(0, 1);
    this.header = new Uint8Array(0);
    this.inData = false;
    this.dataLeft = Infinity;
  }

  free(): void {
    this.freed = true;
    this.pcm.free();
  }

  private assertUsable(): void {
    if (this.freed) throw new Error('This wav decoder has been freed.');
  }

  /** Returns the bytes after the `data` chunk header once it is reached, else null (need more). */
  private parseHeader(): Uint8Array | null {
    const h = this.header;
    if (h.length < 12) return null;
    if (!WAV_TAGS.has(text(h, 0, 4)) || text(h, 8, 4) !== 'WAVE') throw new BadAudioError('This is not a WAV stream (no RIFF/WAVE header).');
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    let layout: { rate: number; channels: number; encoding: SampleEncoding } | null = null;
    /** RF64's data size, from its ds64 chunk (the data chunk's own says 0xFFFFFFFF). */
    let ds64DataSize: number | null = null;
    for (let pos = 12; pos + 8 <= h.length; ) {
      const id = text(h, pos, 4);
      const size = view.getUint32(pos + 4, true);
      if (id === 'data') {
        if (!layout) throw new BadAudioError('The WAV stream has no fmt chunk before its data.');
        this.pcm.configure(layout.rate, layout.channels, layout.encoding);
        this.inData = true;
        this.dataLeft = size === 0xffffffff && ds64DataSize ? ds64DataSize : UNKNOWN_SIZES.has(size) ? Infinity : size;
        const body = h.slice(pos + 8);
        this.header = new Uint8Array(0);
        return body;
      }
      if (pos + 8 + size > h.length) break;
      if (id === 'fmt ') layout = readFormat(view, pos + 8, size);
      // RIFF size, then data size (64-bit each; a stream too long for a double plays to its end).
      if (id === 'ds64' && size >= 16) ds64DataSize = view.getUint32(pos + 16, true) + view.getUint32(pos + 20, true) * 2 ** 32;
      pos += 8 + size + (size & 1);
    }
    if (h.length > MAX_HEADER) throw new BadAudioError('The WAV header is larger than 1 MB: not a stream Utter can play.');
    return null;
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

function readFormat(view: DataView, at: number, size: number): { rate: number; channels: number; encoding: SampleEncoding } {
  let code = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const rate = view.getUint32(at + 4, true);
  const bits = view.getUint16(at + 14, true);
  if (code === 0xfffe && size >= 40) code = view.getUint16(at + 24, true); // the sub-format GUID starts with the code
  const encoding = ENCODING_OF[`${code}/${bits}`];
  if (!encoding || channels < 1 || channels > 8 || rate < 1000 || rate > 384000) {
    const codec = CODEC_NAMES[code] ? `${CODEC_NAMES[code]} (format ${code})` : `format ${code}`;
    throw new BadAudioError(`This WAV holds audio Utter cannot play: ${codec}, ${bits}-bit, ${channels} channel${channels === 1 ? '' : 's'}, ${rate} Hz.`);
  }
  return { rate, channels, encoding };
}

function text(bytes: Uint8Array, pos: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(pos, pos + length));
}
