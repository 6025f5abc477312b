// Reads WAV files for the tests, independently of the decoders under test, so references
// are never checked against the code they check. Node only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder tests/fixtures/make.sh writes. */
export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'generated');

/** Planar float audio. */
export interface PlanarAudio {
  channels: Float32Array[];
  sampleRate: number;
}

/** A fixture's bytes (run `npm run fixtures`, or any vitest run, to make them). */
export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURE_DIR, name)));
}

/** Reads a WAV fixture into float channels. */
export function readWavFixture(name: string): PlanarAudio {
  return parseWav(readFixture(name));
}

/**
 * Parses a WAV: PCM 8/16/24/32-bit, float 32/64-bit, WAVE_FORMAT_EXTENSIBLE, chunks in any
 * order before `data`, and the streaming form whose sizes are 0 or 0xFFFFFFFF (the data
 * then runs to the end of the file), as RF64's are. Integers scale by 1/2^(bits-1).
 */
export function parseWav(bytes: Uint8Array): PlanarAudio {
  const wav = wavLayout(bytes);
  return { channels: samples(wav.view, wav.from, wav.to, wav.format, wav.bits, wav.channelCount), sampleRate: wav.sampleRate };
}

/** Where a WAV's samples are and how they are laid out: the chunk walk both parsers share. */
function wavLayout(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // RF64 as the streaming form: its data runs to the end of the file (the fixtures end there).
  if (!['RIFF', 'RF64'].includes(text(bytes, 0, 4)) || text(bytes, 8, 4) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let format = 0;
  let channelCount = 0;
  let sampleRate = 0;
  let bits = 0;
  let validBits = 0;
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const id = text(bytes, pos, 4);
    const size = view.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      format = view.getUint16(pos + 8, true);
      channelCount = view.getUint16(pos + 10, true);
      sampleRate = view.getUint32(pos + 12, true);
      bits = validBits = view.getUint16(pos + 22, true);
      // WAVE_FORMAT_EXTENSIBLE: the valid bits, and the sub-format GUID that starts with the code.
      if (format === 0xfffe) {
        validBits = view.getUint16(pos + 26, true);
        format = view.getUint16(pos + 32, true);
      }
    } else if (id === 'data') {
      if (!channelCount) throw new Error('data before fmt');
      const to = size === 0 || size === 0xffffffff || pos + 8 + size > bytes.length ? bytes.length : pos + 8 + size;
      return { view, format, channelCount, sampleRate, bits, validBits, from: pos + 8, to };
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

function samples(view: DataView, from: number, to: number, format: number, bits: number, count: number): Float32Array[] {
  const step = bits / 8;
  const frames = Math.floor((to - from) / (step * count));
  const read = reader(format, bits);
  const out = Array.from({ length: count }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < count; c++) out[c][f] = read(view, from + (f * count + c) * step);
  }
  return out;
}

function reader(format: number, bits: number): (view: DataView, offset: number) => number {
  if (format === 3 && bits === 32) return (v, o) => v.getFloat32(o, true);
  if (format === 3 && bits === 64) return (v, o) => v.getFloat64(o, true);
  if (format !== 1) throw new Error(`unsupported WAV format ${format}`);
  if (bits === 8) return (v, o) => (v.getUint8(o) - 128) / 128;
  if (bits === 16) return (v, o) => v.getInt16(o, true) / 32768;
  if (bits === 24) return (v, o) => ((v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16)) / 8388608);
  if (bits === 32) return (v, o) => v.getInt32(o, true) / 2147483648;
  throw new Error(`unsupported ${bits}-bit PCM`);
}

/** Raw s16le mono PCM as floats. */
export function parsePcm16(bytes: Uint8Array, sampleRate: number): PlanarAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return { channels: [out], sampleRate };
}

function text(bytes: Uint8Array, pos: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(pos, pos + length));
}

/** Integer PCM: the samples as the encoder and `flac -d` see them. */
export interface IntegerAudio {
  channels: Int32Array[];
  sampleRate: number;
  /** Bits that count (a WAVE_FORMAT_EXTENSIBLE header may say fewer than the container has). */
  bits: number;
}

/** Parses integer PCM WAV (8-bit unsigned, 16/24/32-bit signed) to integers, shifted down to the valid bits. */
export function parseWavIntegers(bytes: Uint8Array): IntegerAudio {
  const { view, channelCount, sampleRate, bits: container, validBits: bits, from, to } = wavLayout(bytes);
  const step = container / 8;
  const frames = Math.floor((to - from) / (step * channelCount));
  const channels = Array.from({ length: channelCount }, () => new Int32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channelCount; c++) {
      const o = from + (f * channelCount + c) * step;
      const value =
        step === 1 ? view.getUint8(o) - 128
        : step === 2 ? view.getInt16(o, true)
        : step === 3 ? view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)
        : view.getInt32(o, true);
      channels[c][f] = value >> (container - bits);
    }
  }
  return { channels, sampleRate, bits };
}
