// The encoders "Save audio…" writes MP3 and Ogg Opus with, behind one interface: planar
// float audio in, file bytes out, block by block, so a long text is encoded in slices.
import { createRequire } from 'node:module';
import { Mp3Encoder } from '@breezystack/lamejs';
import type OpusScriptType from 'opusscript';
import { SincResampler } from '../../shared/audio/sinc-resampler';
import { concatBytes } from '../../shared/decoders/audio';
import { Mp3InfoFrame, Mp3StreamTally } from '../../shared/encoders/mp3-info-frame';
import { OggOpusMuxer, OPUS_RATE } from '../../shared/encoders/ogg-opus-mux';

// opusscript is CommonJS (it loads its emscripten build with require).
const OpusScript = createRequire(import.meta.url)('opusscript') as typeof OpusScriptType;

/** Turns planar float audio into a file's bytes, a block at a time. */
export interface AudioEncoder {
  /** The bytes that come before any audio (headers), if any. */
  start(): Uint8Array;
  /** Encodes the next block (one array per channel, all the same length). */
  encode(planar: Float32Array[]): Uint8Array;
  /** Encodes what is held back and ends the stream. */
  finish(): Uint8Array;
  /** After finish(): the bytes to write over start()'s (the same length), now that the whole stream is known. */
  finalStart?(): Uint8Array;
}

/** The rates an MP3 (MPEG-1, 2 and 2.5 Layer III) can carry. */
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

/**
 * Samples lamejs puts before the audio (LAME's encoder delay), measured: without an Info frame
 * ffmpeg and mpg123 both decode its output 1105 samples late, this plus their own 529.
 */
const LAMEJS_DELAY = 576;

/**
 * MP3 through lamejs: 64 kb/s per channel at speech rates (22.05, 24 kHz), 96 above. The file
 * starts with an Info frame that tells decoders the delay and padding to trim (gapless).
 */
export class Mp3FileEncoder implements AudioEncoder {
  private readonly encoder: Mp3Encoder;
  private readonly resamplers: SincResampler[] | null;
  private readonly info: Mp3InfoFrame;
  private readonly written = new Mp3StreamTally();
  /** Samples given to lamejs, at the MP3's rate. */
  private samples = 0;
  readonly channels: number;

  constructor(sampleRate: number, channels: number) {
    this.channels = Math.min(2, channels);
    // An odd rate (a pcm setting such as 23000 Hz) is resampled to the nearest MP3 rate above.
    const rate = MP3_RATES.includes(sampleRate) ? sampleRate : (MP3_RATES.find((r) => r >= sampleRate) ?? 48000);
    this.resamplers = rate === sampleRate ? null : Array.from({ length: this.channels }, () => new SincResampler(sampleRate, rate));
    // LAME's bitrates stop at 320 kb/s for MPEG-1, 160 for MPEG-2, 64 for MPEG-2.5 (under 16 kHz).
    const kbps = Math.min(rate >= 32000 ? 96 * this.channels : 64 * this.channels, rate >= 32000 ? 320 : rate >= 16000 ? 160 : 64);
    this.encoder = new Mp3Encoder(this.channels, rate, kbps);
    this.info = new Mp3InfoFrame(rate, kbps, this.channels);
  }

  /** Room for the Info frame, which finalStart() fills in. */
  start(): Uint8Array {
    return new Uint8Array(this.info.size);
  }

  encode(planar: Float32Array[]): Uint8Array {
    const blocks = this.resamplers ? this.resamplers.map((r, c) => r.process(channel(planar, c))) : planar;
    return this.push(blocks);
  }

  finish(): Uint8Array {
    const tail = this.resamplers ? this.push(this.resamplers.map((r) => r.flush())) : new Uint8Array(0);
    return concatBytes(tail, this.tally(bytesOf(this.encoder.flush())));
  }

  finalStart(): Uint8Array {
    const { frames, bytes, crc } = this.written;
    return this.info.frame({
      frames,
      delay: LAMEJS_DELAY,
      // What fills the last frame after the audio: decoders cut the stream there.
      padding: frames * this.info.samplesPerFrame - LAMEJS_DELAY - this.samples,
      audioBytes: bytes,
      audioCrc: crc,
    });
  }

  private push(planar: Float32Array[]): Uint8Array {
    const left = toInt16(channel(planar, 0));
    const right = this.channels > 1 ? toInt16(channel(planar, 1)) : undefined;
    this.samples += left.length;
    return left.length ? this.tally(bytesOf(this.encoder.encodeBuffer(left, right))) : new Uint8Array(0);
  }

  private tally(bytes: Uint8Array): Uint8Array {
    this.written.add(bytes);
    return bytes;
  }
}

/** 20 ms at 48 kHz: Opus's usual frame. */
const OPUS_FRAME = 960;
/** libopus's look-ahead at 48 kHz for the "audio" application: what decoders skip (RFC 7845 §4.2). */
const OPUS_PRE_SKIP = 312;
const OPUS_SET_BITRATE = 4002;

/** Ogg Opus: resampled to 48 kHz, encoded by libopus (opusscript), muxed by our own Ogg writer. */
export class OggOpusFileEncoder implements AudioEncoder {
  private readonly opus: OpusScriptType;
  private readonly resamplers: SincResampler[] | null;
  private readonly muxer: OggOpusMuxer;
  readonly channels: number;
  /** Samples at 48 kHz waiting for a whole frame, interleaved int16. */
  private pending: Int16Array;
  private pendingFrames = 0;
  /** Samples at 48 kHz given to the encoder (the true length, before the last frame's padding). */
  private total = 0;
  private closed = false;

  constructor(sampleRate: number, channels: number) {
    this.channels = Math.min(2, channels);
    this.resamplers = sampleRate === OPUS_RATE ? null : Array.from({ length: this.channels }, () => new SincResampler(sampleRate, OPUS_RATE));
    this.opus = new OpusScript(OPUS_RATE, this.channels, OpusScript.Application.AUDIO);
    this.opus.encoderCTL(OPUS_SET_BITRATE, 48_000 * this.channels);
    this.muxer = new OggOpusMuxer(this.channels, OPUS_PRE_SKIP, sampleRate);
    this.pending = new Int16Array(OPUS_FRAME * this.channels);
  }

  start(): Uint8Array {
    return this.muxer.headers();
  }

  encode(planar: Float32Array[]): Uint8Array {
    const blocks = this.resamplers ? this.resamplers.map((r, c) => r.process(channel(planar, c))) : planar.slice(0, this.channels);
    return this.push(blocks);
  }

  finish(): Uint8Array {
    const pages: Uint8Array[] = [];
    if (this.resamplers) pages.push(this.push(this.resamplers.map((r) => r.flush())));
    // libopus gives each sample out pre-skip samples late: silence pushes the last ones out.
    const total = this.total;
    pages.push(this.push([new Float32Array(OPUS_PRE_SKIP)]));
    this.total = total;
    // The last frame, padded with silence; the end page's granule trims it off again.
    if (this.pendingFrames > 0) {
      this.pending.fill(0, this.pendingFrames * this.channels);
      pages.push(this.frame());
    }
    pages.push(this.muxer.end(this.total));
    this.release();
    return concatBytes(...pages);
  }

  /** Frees libopus's memory (also after a failure: the emscripten heap outlives this object). */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    this.opus.delete();
  }

  private push(planar: Float32Array[]): Uint8Array {
    const length = planar[0]?.length ?? 0;
    this.total += length;
    const pages: Uint8Array[] = [];
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < this.channels; c++) this.pending[this.pendingFrames * this.channels + c] = int16(channel(planar, c)[i]);
      if (++this.pendingFrames === OPUS_FRAME) pages.push(this.frame());
    }
    return concatBytes(...pages);
  }

  private frame(): Uint8Array {
    this.pendingFrames = 0;
    // opusscript takes the frame as int16 bytes in a Buffer; the packet it returns is a copy.
    const packet = this.opus.encode(Buffer.from(this.pending.buffer, this.pending.byteOffset, this.pending.byteLength), OPUS_FRAME);
    return this.muxer.add(new Uint8Array(packet), OPUS_FRAME) ?? new Uint8Array(0);
  }
}

/** lamejs hands back Int8Arrays, whatever its types say: the same bytes, as bytes. */
function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function channel(planar: Float32Array[], c: number): Float32Array {
  return planar[Math.min(c, planar.length - 1)];
}

function int16(sample: number): number {
  const clipped = sample > 1 ? 1 : sample < -1 ? -1 : sample || 0;
  return Math.round(clipped * 32767);
}

function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = int16(samples[i]);
  return out;
}
