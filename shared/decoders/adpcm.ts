// 4-bit ADPCM as WAV carries it (Microsoft's, format 2; IMA/DVI's, format 0x11) and as
// AIFF-C does (Apple's ima4): blocks of a known size that each start from a header, so a
// stream decodes block by block as its bytes arrive. sox and ffmpeg write both WAV kinds;
// decoded here as ffmpeg decodes them, to the sample.
import { chainAudio } from './audio';
import type { DecodedAudio } from './types';

export type AdpcmKind = 'Microsoft ADPCM' | 'IMA ADPCM' | 'Apple IMA4';

/** How a stream's blocks are laid out, from its header. */
export interface AdpcmLayout {
  kind: AdpcmKind;
  /** Bytes in one block, every channel's. */
  blockBytes: number;
  /** Frames a whole block decodes to. */
  blockFrames: number;
  /** Microsoft ADPCM's predictor coefficient pairs: the file's own, else the standard seven. */
  coefficients?: [number, number][];
}

/** The seven pairs every Microsoft ADPCM encoder writes (and most decoders assume). */
const MS_COEFFICIENTS: [number, number][] = [[256, 0], [512, -256], [0, 0], [192, 64], [240, 0], [460, -208], [392, -232]];
const MS_ADAPTATION = [230, 230, 230, 230, 307, 409, 512, 614, 768, 614, 512, 409, 307, 230, 230, 230];
const IMA_INDEX = [-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8];
const IMA_STEPS = [
  7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143, 157,
  173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411, 1552, 1707,
  1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442, 11487, 12635,
  13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767,
];
const IMA4_PACKET = 34;

/**
 * The layout of a WAV's ADPCM from its fmt chunk (`at`: the chunk's body), or why it cannot
 * be played. IMA interleaves 4 bytes a channel after a 4-byte header a channel; Microsoft's
 * header is 7 bytes a channel and its nibbles alternate between the channels.
 */
export function wavAdpcmLayout(view: DataView, at: number, size: number, code: number, channels: number): AdpcmLayout | string {
  const blockBytes = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (bits !== 4) return `${bits}-bit ADPCM (only 4-bit is read)`;
  if (code === 0x11) {
    const words = blockBytes - 4 * channels;
    if (words <= 0 || words % (4 * channels)) return `IMA ADPCM in blocks of ${blockBytes} bytes, which hold no whole 4-byte groups for each channel`;
    return { kind: 'IMA ADPCM', blockBytes, blockFrames: 1 + (words / (4 * channels)) * 8 };
  }
  // Stereo's nibbles alternate left, right; beyond two channels encoders disagree on the order.
  if (channels > 2) return 'Microsoft ADPCM beyond two channels';
  if (blockBytes <= 7 * channels) return `Microsoft ADPCM blocks of ${blockBytes} bytes, too short for their headers`;
  const count = size >= 22 ? view.getUint16(at + 20, true) : 0;
  const coefficients: [number, number][] = [];
  if (count > 0 && size >= 22 + 4 * count) {
    for (let i = 0; i < count; i++) coefficients.push([view.getInt16(at + 22 + 4 * i, true), view.getInt16(at + 24 + 4 * i, true)]);
  }
  return {
    kind: 'Microsoft ADPCM',
    blockBytes,
    blockFrames: 2 + ((blockBytes - 7 * channels) * 2) / channels,
    coefficients: coefficients.length ? coefficients : MS_COEFFICIENTS,
  };
}

/** AIFF-C's ima4: 34-byte packets of 64 samples, one per channel in turn. */
export function ima4Layout(channels: number): AdpcmLayout {
  return { kind: 'Apple IMA4', blockBytes: IMA4_PACKET * channels, blockFrames: 64 };
}

interface ImaChannel {
  predictor: number;
  index: number;
}

/**
 * Decodes whole blocks as they arrive and keeps a partial one for the next push. A block
 * whose header is impossible (a step or predictor index out of range) is skipped and
 * counted; the next block starts afresh.
 */
export class AdpcmDecoder {
  /** Blocks skipped as damaged and the frames they held, since the caller last took them. */
  private lost = { blocks: 0, frames: 0 };
  /** A block begun and not yet whole; filled in place, so a trickle of bytes costs no copies of it. */
  private readonly pending: Uint8Array;
  private filled = 0;
  /** ima4 carries each channel's state from packet to packet. */
  private ima4: ImaChannel[];

  constructor(
    private readonly sampleRate: number,
    private readonly channels: number,
    private readonly layout: AdpcmLayout,
  ) {
    this.ima4 = this.freshIma4();
    this.pending = new Uint8Array(layout.blockBytes);
  }

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    const { blockBytes, blockFrames } = this.layout;
    const out: DecodedAudio[] = [];
    let rest = bytes;
    if (this.filled > 0) {
      const taken = Math.min(blockBytes - this.filled, rest.length);
      this.pending.set(rest.subarray(0, taken), this.filled);
      this.filled += taken;
      rest = rest.subarray(taken);
      if (this.filled < blockBytes) return this.decode(rest, 0, 0);
      out.push(this.decode(this.pending, 1, blockFrames));
      this.filled = 0;
    }
    const blocks = Math.floor(rest.length / blockBytes);
    out.push(this.decode(rest, blocks, blockFrames));
    // Copied: `bytes` may be the caller's buffer, which it may reuse.
    this.pending.set(rest.subarray(blocks * blockBytes));
    this.filled = rest.length - blocks * blockBytes;
    return chainAudio(out);
  }

  /** A last, short block decodes as far as its bytes go (as ffmpeg decodes it). */
  async flush(): Promise<DecodedAudio> {
    const frames = this.shortBlockFrames(this.filled);
    const audio = this.decode(this.pending.subarray(0, this.filled), frames > 0 ? 1 : 0, frames);
    this.filled = 0;
    return audio;
  }

  async reset(): Promise<void> {
    this.filled = 0;
    this.ima4 = this.freshIma4();
  }

  free(): void {}

  get kind(): AdpcmKind {
    return this.layout.kind;
  }

  /** The damage skipped since the last call, for the caller's stats (spec E2). */
  takeLost(): { blocks: number; frames: number } {
    const lost = this.lost;
    this.lost = { blocks: 0, frames: 0 };
    return lost;
  }

  private decode(bytes: Uint8Array, blocks: number, framesPerBlock: number): DecodedAudio {
    const out = Array.from({ length: this.channels }, () => new Float32Array(blocks * framesPerBlock));
    let frames = 0;
    for (let b = 0; b < blocks; b++) {
      const block = bytes.subarray(b * this.layout.blockBytes, (b + 1) * this.layout.blockBytes);
      if (this.decodeBlock(block, framesPerBlock, out, frames)) frames += framesPerBlock;
      else {
        this.lost.blocks++;
        this.lost.frames += framesPerBlock;
      }
    }
    return { channelData: out.map((channel) => channel.subarray(0, frames)), samplesDecoded: frames, sampleRate: this.sampleRate };
  }

  private decodeBlock(block: Uint8Array, frames: number, out: Float32Array[], at: number): boolean {
    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    if (this.layout.kind === 'IMA ADPCM') return decodeImaBlock(view, this.channels, frames, out, at);
    if (this.layout.kind === 'Microsoft ADPCM') return decodeMsBlock(view, this.channels, frames, this.layout.coefficients!, out, at);
    return decodeIma4Block(view, this.ima4, frames, out, at);
  }

  /** Frames a block cut short at `bytes` holds: whole groups of nibbles after a whole header. */
  private shortBlockFrames(bytes: number): number {
    const ch = this.channels;
    if (this.layout.kind === 'IMA ADPCM') return bytes < 4 * ch ? 0 : 1 + Math.floor((bytes - 4 * ch) / (4 * ch)) * 8;
    if (this.layout.kind === 'Microsoft ADPCM') return bytes < 7 * ch ? 0 : 2 + Math.floor(((bytes - 7 * ch) * 2) / ch);
    return 0; // an ima4 packet is all or nothing
  }

  private freshIma4(): ImaChannel[] {
    return Array.from({ length: this.channels }, () => ({ predictor: 0, index: 0 }));
  }
}

/**
 * One IMA nibble. QuickTime's ima4 adds the step's shifted parts, as the IMA reference does;
 * for WAV, ffmpeg multiplies, which rounds once (and its encoder assumes). sox's WAVs decode
 * within 62 of 32768 of either way, so WAV takes ffmpeg's.
 */
function imaNibble(state: ImaChannel, nibble: number, multiply = false): number {
  const step = IMA_STEPS[state.index];
  const diff = multiply
    ? ((2 * (nibble & 7) + 1) * step) >> 3
    : (step >> 3) + (nibble & 4 ? step : 0) + (nibble & 2 ? step >> 1 : 0) + (nibble & 1 ? step >> 2 : 0);
  state.predictor = clamp16(nibble & 8 ? state.predictor - diff : state.predictor + diff);
  state.index = Math.min(88, Math.max(0, state.index + IMA_INDEX[nibble]));
  return state.predictor;
}

function decodeImaBlock(view: DataView, channels: number, frames: number, out: Float32Array[], at: number): boolean {
  const states: ImaChannel[] = [];
  for (let c = 0; c < channels; c++) {
    // The step index is a 16-bit field whose high byte is reserved: anything past 88 is damage.
    const state = { predictor: view.getInt16(4 * c, true), index: view.getInt16(4 * c + 2, true) };
    if (state.index < 0 || state.index > 88) return false;
    out[c][at] = state.predictor / 32768;
    states.push(state);
  }
  let pos = 4 * channels;
  for (let group = 0; group < Math.floor((frames - 1) / 8); group++) {
    for (let c = 0; c < channels; c++) {
      const first = at + 1 + group * 8;
      for (let m = 0; m < 8; m += 2) {
        const byte = view.getUint8(pos++);
        out[c][first + m] = imaNibble(states[c], byte & 0x0f, true) / 32768;
        out[c][first + m + 1] = imaNibble(states[c], byte >> 4, true) / 32768;
      }
    }
  }
  return true;
}

function decodeIma4Block(view: DataView, states: ImaChannel[], frames: number, out: Float32Array[], at: number): boolean {
  for (let c = 0; c < states.length; c++) {
    const packet = c * IMA4_PACKET;
    // The top 9 bits of the predictor, then a 7-bit step index.
    const header = view.getInt16(packet, false);
    const predictor = header & ~0x7f;
    const index = header & 0x7f;
    if (index > 88) return false;
    // As QuickTime does: a header that repeats the running state (to 7 bits) does not reset it.
    const state = states[c];
    if (state.index !== index || Math.abs(predictor - state.predictor) > 0x7f) {
      state.index = index;
      state.predictor = predictor;
    }
    for (let m = 0; m < frames; m += 2) {
      const byte = view.getUint8(packet + 2 + m / 2);
      out[c][at + m] = imaNibble(state, byte & 0x0f) / 32768;
      out[c][at + m + 1] = imaNibble(state, byte >> 4) / 32768;
    }
  }
  return true;
}

function decodeMsBlock(view: DataView, channels: number, frames: number, coefficients: [number, number][], out: Float32Array[], at: number): boolean {
  const states: { c1: number; c2: number; delta: number; s1: number; s2: number }[] = [];
  for (let c = 0; c < channels; c++) {
    const pair = coefficients[view.getUint8(c)];
    if (!pair) return false;
    const state = { c1: pair[0], c2: pair[1], delta: view.getInt16(channels + 2 * c, true), s1: view.getInt16(3 * channels + 2 * c, true), s2: view.getInt16(5 * channels + 2 * c, true) };
    // The older sample comes first.
    out[c][at] = state.s2 / 32768;
    out[c][at + 1] = state.s1 / 32768;
    states.push(state);
  }
  const nibbles = (frames - 2) * channels;
  for (let k = 0; k < nibbles; k++) {
    const byte = view.getUint8(7 * channels + (k >> 1));
    const nibble = k & 1 ? byte & 0x0f : byte >> 4;
    const state = states[k % channels];
    // Truncated toward zero, as Microsoft's reference and ffmpeg divide.
    const predicted = Math.trunc((state.s1 * state.c1 + state.s2 * state.c2) / 256) + (nibble & 8 ? nibble - 16 : nibble) * state.delta;
    state.s2 = state.s1;
    state.s1 = clamp16(predicted);
    state.delta = Math.min(0x2aaaaa, Math.max(16, (MS_ADAPTATION[nibble] * state.delta) >> 8));
    out[k % channels][at + 2 + Math.floor(k / channels)] = state.s1 / 32768;
  }
  return true;
}

function clamp16(value: number): number {
  return value < -32768 ? -32768 : value > 32767 ? 32767 : value;
}
