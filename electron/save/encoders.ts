// The encoders "Save audio…" writes MP3 and Ogg Opus with, behind one interface: planar
// float audio in, file bytes out, block by block, so a long text is encoded in slices.
import { createRequire } from 'node:module';
import { Mp3Encoder } from '@breezystack/lamejs';
import type OpusScriptType from 'opusscript';
import { SincResampler } from '../../shared/audio/sinc-resampler';
import { concatBytes } from '../../shared/decoders/audio';
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
}

/** The rates an MP3 (MPEG-1, 2 and 2.5 Layer III) can carry. */
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

/** MP3 through lamejs: 64 kb/s per channel at speech rates (22.05, 24 kHz), 96 above. */
export class Mp3FileEncoder implements AudioEncoder {
  private readonly encoder: Mp3Encoder;
  private readonly resamplers: SincResampler[] | null;
  readonly channels: number;

  constructor(sampleRate: number, channels: number) {
    this.channels = Math.min(2, channels);
    // An odd rate (a pcm setting such as 23000 Hz) is resampled to the nearest MP3 rate above.
    const rate = MP3_RATES.includes(sampleRate) ? sampleRate : (MP3_RATES.find((r) => r >= sampleRate) ?? 48000);
    this.resamplers = rate === sampleRate ? null : Array.from({ length: this.channels }, () => new SincResampler(sampleRate, rate));
    const kbps = Math.min(rate >= 32000 ? 96 * this.channels : 64 * this.channels, rate >= 32000 ? 320 : 160);
    this.encoder = new Mp3Encoder(this.channels, rate, kbps);
  }

  start(): Uint8Array {
    return new Uint8Array(0);
  }

  encode(planar: Float32Array[]): Uint8Array {
    const blocks = this.resamplers ? this.resamplers.map((r, c) => r.process(channel(planar, c))) : planar;
    return this.push(blocks);
  }

  finish(): Uint8Array {
    const tail = this.resamplers ? this.push(this.resamplers.map((r) => r.flush())) : new Uint8Array(0);
    return concatBytes(tail, bytesOf(this.encoder.flush()));
  }

  private push(planar: Float32Array[]): Uint8Array {
    const left = toInt16(channel(planar, 0));
    const right = this.channels > 1 ? toInt16(channel(planar, 1)) : undefined;
    return left.length ? bytesOf(this.encoder.encodeBuffer(left, right)) : new Uint8Array(0);
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
