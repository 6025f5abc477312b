// AIFF and AIFF-C (Apple's, big-endian): a FORM chunk holding COMM (the layout) and SSND
// (the samples). macOS's `say` writes it, and so do servers built on it.
import { ima4Layout } from './adpcm';
import { ENCODINGS, type SampleEncoding, type SampleLayout } from './pcm';
import { BadAudioError } from './types';

/** What the header says once its SSND chunk begins: the layout, where the samples start, and how many bytes they are (Infinity: to the end). */
export interface AiffHeader {
  layout: SampleLayout;
  dataAt: number;
  dataSize: number;
}

/** Whether these bytes begin an AIFF or AIFF-C file. */
export function isAiff(b: Uint8Array): boolean {
  return text(b, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(text(b, 8, 4));
}

/** The header of the AIFF at b[0], or null until its SSND chunk's own header has come. */
export function readAiffHeader(b: Uint8Array): AiffHeader | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const compressed = text(b, 8, 4) === 'AIFC';
  let layout: SampleLayout | null = null;
  for (let pos = 12; pos + 8 <= b.length; ) {
    const id = text(b, pos, 4);
    const size = view.getUint32(pos + 4, false);
    if (id === 'SSND') {
      if (!layout) throw new BadAudioError('The AIFF stream has no COMM chunk before its samples.');
      if (pos + 16 > b.length) return null;
      // An offset before the first sample (for block alignment), counted in the chunk's size.
      const offset = view.getUint32(pos + 8, false);
      const known = size >= 8 && size !== 0xffffffff;
      return { layout, dataAt: pos + 16 + offset, dataSize: known ? Math.max(0, size - 8 - offset) : Infinity };
    }
    if (pos + 8 + size > b.length) return null;
    if (id === 'COMM') layout = readComm(view, pos + 8, size, compressed);
    pos += 8 + size + (size & 1);
  }
  return null;
}

/** AIFF-C compression types that are plain samples. */
const COMPRESSION: Record<string, SampleEncoding> = {
  sowt: ENCODINGS.s16,
  fl32: ENCODINGS.f32be,
  FL32: ENCODINGS.f32be,
  fl64: ENCODINGS.f64be,
  FL64: ENCODINGS.f64be,
  ulaw: ENCODINGS.mulaw,
  ULAW: ENCODINGS.mulaw,
  alaw: ENCODINGS.alaw,
  ALAW: ENCODINGS.alaw,
  in24: ENCODINGS.s24be,
  in32: ENCODINGS.s32be,
};
const SIGNED_BIG_ENDIAN: Record<number, SampleEncoding> = { 8: ENCODINGS.s8, 16: ENCODINGS.s16be, 24: ENCODINGS.s24be, 32: ENCODINGS.s32be };

/** An AIFF whose samples no decoder here reads, and what kind it is ("AIFF-C (ima4)"). */
class UnplayableAiff extends BadAudioError {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** What an AIFF that cannot be played is, for the refusal: "AIFF-C (ima4)", or "AIFF". */
export function aiffKind(b: Uint8Array): string {
  try {
    readAiffHeader(b);
  } catch (error) {
    if (error instanceof UnplayableAiff) return error.kind;
  }
  return 'AIFF';
}

function readComm(view: DataView, at: number, size: number, compressed: boolean): SampleLayout {
  if (size < 18) throw new BadAudioError('The AIFF stream\'s COMM chunk is too short.');
  const channels = view.getUint16(at, false);
  const bits = view.getUint16(at + 6, false);
  const rate = extended(view, at + 8);
  const type = compressed && size >= 22 ? String.fromCharCode(...new Uint8Array(view.buffer, view.byteOffset + at + 18, 4)) : 'NONE';
  // Bits not a whole byte sit left-justified in their container, as in WAV.
  const encoding = type === 'NONE' || type === 'twos' ? SIGNED_BIG_ENDIAN[Math.ceil(bits / 8) * 8] : COMPRESSION[type];
  const usable = channels >= 1 && channels <= 8 && rate >= 1000 && rate <= 384000;
  // QuickTime's IMA ADPCM, which `say` and ffmpeg can write.
  if (type === 'ima4' && usable) return { rate: Math.round(rate), channels, adpcm: ima4Layout(channels) };
  if (!encoding || !usable) {
    const kind = type === 'NONE' ? 'AIFF' : `AIFF-C (${/^[\x20-\x7e]{4}$/.test(type) ? type : 'unknown compression'})`;
    throw new UnplayableAiff(kind, `This ${kind} holds audio Utter cannot play: ${bits}-bit, ${channels} channel${channels === 1 ? '' : 's'}, ${Math.round(rate) || 0} Hz.`);
  }
  return { rate: Math.round(rate), channels, encoding };
}

/** An 80-bit IEEE 754 extended float (COMM's sample rate). */
function extended(view: DataView, at: number): number {
  const exponent = view.getUint16(at, false) & 0x7fff;
  const mantissa = view.getUint32(at + 2, false) * 2 ** 32 + view.getUint32(at + 6, false);
  const sign = view.getUint8(at) & 0x80 ? -1 : 1;
  return exponent === 0 && mantissa === 0 ? 0 : sign * mantissa * 2 ** (exponent - 16383 - 63);
}

function text(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}
