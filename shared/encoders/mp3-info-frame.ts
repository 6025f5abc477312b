// The Xing "Info" frame with a LAME tag that leads a constant-bitrate MP3. It holds no audio;
// it tells decoders the frame and byte counts, a seek table, and the encoder delay and end
// padding, which ffmpeg and mpg123 trim so the decoded length is the source's (gapless).
// Layout and decoders' arithmetic: docs/mp3-info-tag.md.
import { crc16Arc } from '../decoders/crc';

const MPEG1_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
/** MPEG-2 and 2.5. */
const MPEG2_KBPS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
/** The rates of each version, by the header's version bits (3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5). */
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Xing flags: the frame count, byte count, TOC and quality fields are all there. */
const FRAMES_BYTES_TOC_QUALITY = 0x0f;
/** 'Info', the flags, the frame and byte counts, 100 TOC entries, the quality. */
const XING_BYTES = 4 + 4 + 4 + 4 + 100 + 4;
/** LAME's extension; its last two bytes are the tag's own CRC. */
const LAME_BYTES = 36;
/** LAME's quality field, 100 − 10·V − q, for lamejs's settings (V 4, q 3). */
const QUALITY = 57;
/** Tag revision 0, method 1: constant bitrate. */
const REVISION_CBR = 0x01;
/** lamejs is LAME 3.98 in JavaScript; ffmpeg trims only after an encoder name that starts with LAME. */
const ENCODER = 'LAME3.98r';

/** What only the end of the stream knows. */
export interface Mp3Totals {
  /** Audio frames, not counting the Info frame. */
  frames: number;
  /** Samples the encoder put before the audio. */
  delay: number;
  /** Samples after the audio that fill the last frame. */
  padding: number;
  /** Bytes of the audio frames. */
  audioBytes: number;
  /** CRC-16 of the audio frames' bytes. */
  audioCrc: number;
}

/** Builds the Info frame of a CBR stream at `sampleRate`, `kbps` and `channels`, as its first frame. */
export class Mp3InfoFrame {
  /** Bytes of the frame: an audio frame's size at this bitrate, without the padding byte. */
  readonly size: number;
  /** Samples each frame of the stream holds. */
  readonly samplesPerFrame: number;
  private readonly header: Uint8Array;
  /** Where the Info id starts: after the header and the side info. */
  private readonly tagAt: number;
  private readonly kbps: number;
  private readonly mono: boolean;
  private readonly sampleRate: number;

  constructor(sampleRate: number, kbps: number, channels: number) {
    const version = [3, 2, 0].find((v) => RATES[v].includes(sampleRate));
    const mpeg1 = version === 3;
    const bitrateIndex = (mpeg1 ? MPEG1_KBPS : MPEG2_KBPS).indexOf(kbps);
    if (version === undefined || bitrateIndex < 1) throw new RangeError(`MP3 cannot carry ${kbps} kb/s at ${sampleRate} Hz`);
    this.kbps = kbps;
    this.mono = channels === 1;
    this.sampleRate = sampleRate;
    this.samplesPerFrame = mpeg1 ? 1152 : 576;
    this.size = Math.floor(((mpeg1 ? 144000 : 72000) * kbps) / sampleRate);
    // Layer III, no CRC; no padding; mono or stereo; "original", as lamejs marks its frames.
    this.header = Uint8Array.of(
      0xff,
      0xe0 | (version << 3) | (1 << 1) | 1,
      (bitrateIndex << 4) | (RATES[version].indexOf(sampleRate) << 2),
      ((this.mono ? 3 : 0) << 6) | 0x04,
    );
    this.tagAt = 4 + (mpeg1 ? (this.mono ? 17 : 32) : this.mono ? 9 : 17);
    if (this.tagAt + XING_BYTES + LAME_BYTES > this.size) throw new RangeError(`an MP3 frame of ${this.size} bytes cannot hold the Info tag`);
  }

  /** The frame, filled in with the stream's totals. */
  frame(totals: Mp3Totals): Uint8Array {
    const { frames, delay, padding, audioBytes, audioCrc } = totals;
    if (!(delay >= 0 && delay < 4096 && padding >= 0 && padding < 4096)) throw new RangeError(`the delay (${delay}) and padding (${padding}) must fit in 12 bits`);
    const out = new Uint8Array(this.size);
    const view = new DataView(out.buffer);
    out.set(this.header);
    let at = this.tagAt;
    out.set([...'Info'].map((c) => c.charCodeAt(0)), at);
    view.setUint32(at + 4, FRAMES_BYTES_TOC_QUALITY);
    view.setUint32(at + 8, frames);
    view.setUint32(at + 12, this.size + audioBytes);
    // Constant bitrate: the byte offset grows with time, so entry i (in 256ths of the file) is i% of it.
    for (let i = 0; i < 100; i++) out[at + 16 + i] = Math.floor((i * 256) / 100);
    view.setUint32(at + 116, QUALITY);
    at += XING_BYTES;
    out.set([...ENCODER].map((c) => c.charCodeAt(0)), at);
    out[at + 9] = REVISION_CBR;
    // Lowpass, peak, replay gains and the encoding flags stay 0: not known here.
    out[at + 20] = Math.min(this.kbps, 255);
    out[at + 21] = delay >> 4;
    out[at + 22] = ((delay & 0x0f) << 4) | (padding >> 8);
    out[at + 23] = padding & 0xff;
    out[at + 24] = ((this.mono ? 0 : 1) << 2) | (sourceRateCode(this.sampleRate) << 6);
    view.setUint32(at + 28, this.size + audioBytes);
    view.setUint16(at + 32, audioCrc);
    view.setUint16(at + 34, crc16Arc(out, 0, at + 34));
    return out;
  }
}

/** LAME's two bits for the source rate: up to 32 kHz, 44.1, 48, above. */
function sourceRateCode(rate: number): number {
  return rate <= 32000 ? 0 : rate === 48000 ? 2 : rate > 48000 ? 3 : 1;
}

/** Bytes of the MP3 frame whose header starts at `bytes[at]`, or 0 when none does. */
function mp3FrameSize(bytes: ArrayLike<number>, at = 0): number {
  const version = (bytes[at + 1] >> 3) & 3;
  const bitrateIndex = bytes[at + 2] >> 4;
  const rateIndex = (bytes[at + 2] >> 2) & 3;
  if (bytes[at] !== 0xff || (bytes[at + 1] & 0xe6) !== 0xe2 || version === 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  const mpeg1 = version === 3;
  const kbps = (mpeg1 ? MPEG1_KBPS : MPEG2_KBPS)[bitrateIndex];
  return Math.floor(((mpeg1 ? 144000 : 72000) * kbps) / RATES[version][rateIndex]) + ((bytes[at + 2] >> 1) & 1);
}

/** Counts the frames and bytes of an MP3 stream, and their CRC, as its pieces are written. */
export class Mp3StreamTally {
  frames = 0;
  bytes = 0;
  crc = 0;
  /** Bytes of the current frame still to come. */
  private rest = 0;
  private readonly header: number[] = [];

  /** Counts the next piece of the stream. */
  add(piece: Uint8Array): void {
    this.bytes += piece.length;
    this.crc = crc16Arc(piece, 0, piece.length, this.crc);
    // A piece may end anywhere, even inside a frame's header.
    for (let i = 0; i < piece.length; ) {
      if (this.rest > 0) {
        const skip = Math.min(this.rest, piece.length - i);
        this.rest -= skip;
        i += skip;
        continue;
      }
      this.header.push(piece[i++]);
      if (this.header.length < 4) continue;
      const size = mp3FrameSize(this.header);
      if (!size) throw new Error('the MP3 encoder wrote something that is not a frame');
      this.frames++;
      this.rest = size - 4;
      this.header.length = 0;
    }
  }
}
