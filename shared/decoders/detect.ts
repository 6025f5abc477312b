import type { AudioFormat } from '../audio-format';
import type { ProbeResult } from './types';

/** What the caller knows besides the bytes. Content types are hints only: servers mislabel. */
export interface ProbeHint {
  requested?: AudioFormat;
  contentType?: string | null;
  pcmSampleRate?: number;
}

const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const ID3_LIMIT = 64 * 1024;
const MAGIC_LIMIT = 4096;

/**
 * Decides the format from the first bytes of a stream (RIFF/WAVE, OggS+OpusHead, fLaC,
 * ID3 or MPEG frame sync, ADTS). Raw PCM has no magic: it is assumed only when pcm was
 * asked for. Text (an HTML error page sent with status 200, JSON) is never audio: null.
 * 'need-more' means the bytes so far cannot decide.
 */
export function probeFormat(bytes: Uint8Array, hint: ProbeHint = {}): ProbeResult | 'need-more' | null {
  if (bytes.length < 4) return 'need-more';
  const tag = ascii(bytes, 0, 4);
  if (tag === 'RIFF') return bytes.length < 12 ? 'need-more' : ascii(bytes, 8, 4) === 'WAVE' ? probeWav(bytes) : null;
  if (tag === 'OggS') return probeOgg(bytes);
  if (tag === 'fLaC') return probeFlac(bytes);
  if (tag.startsWith('ID3')) return probeId3(bytes);
  const mpeg = mpegHeader(bytes, 0);
  if (mpeg) return confirmMpeg(bytes, mpeg);
  // ADTS has only a 12-bit sync word: in a stream asked for as pcm it is more likely chance.
  const adts = isPcmRequest(hint) ? null : adtsHeader(bytes, 0);
  if (adts) return { format: 'aac', sampleRate: adts.sampleRate, channels: adts.channels };
  if (looksLikeText(bytes)) return null;
  if (isPcmRequest(hint)) return { format: 'pcm', sampleRate: pcmRate(hint), channels: 1 };
  return bytes.length < MAGIC_LIMIT ? 'need-more' : null;
}

function isPcmRequest(hint: ProbeHint): boolean {
  const type = hint.contentType?.toLowerCase() ?? '';
  return hint.requested === 'pcm' || /audio\/(pcm|l16)/.test(type);
}

/** `audio/pcm;rate=22050` where the server says it, else the setting, else 24000. */
function pcmRate(hint: ProbeHint): number {
  const match = /rate\s*=\s*(\d+)/i.exec(hint.contentType ?? '');
  const rate = match ? Number(match[1]) : NaN;
  return rate >= 8000 && rate <= 192000 ? rate : (hint.pcmSampleRate ?? 24000);
}

function probeWav(bytes: Uint8Array): ProbeResult | 'need-more' {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const id = ascii(bytes, pos, 4);
    const size = view.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      if (pos + 16 > bytes.length) return 'need-more';
      return { format: 'wav', channels: view.getUint16(pos + 10, true), sampleRate: view.getUint32(pos + 12, true) };
    }
    if (id === 'data') break;
    pos += 8 + size + (size & 1);
  }
  return bytes.length < MAGIC_LIMIT ? 'need-more' : { format: 'wav' };
}

function probeOgg(bytes: Uint8Array): ProbeResult | 'need-more' | null {
  if (bytes.length < 27) return 'need-more';
  const segments = bytes[26];
  const body = 27 + segments;
  if (bytes.length < body + 19) return 'need-more';
  if (ascii(bytes, body, 8) !== 'OpusHead') return null; // Ogg Vorbis, FLAC-in-Ogg: not an OpenAI format
  // Opus always decodes at 48 kHz, whatever rate the encoder was fed.
  return { format: 'opus', sampleRate: 48000, channels: bytes[body + 9] };
}

function probeFlac(bytes: Uint8Array): ProbeResult | 'need-more' {
  if (bytes.length < 8 + 18) return 'need-more';
  // STREAMINFO: 20 bits of sample rate, then 3 bits of channels - 1.
  const p = 8 + 10;
  const sampleRate = (bytes[p] << 12) | (bytes[p + 1] << 4) | (bytes[p + 2] >> 4);
  const channels = ((bytes[p + 2] >> 1) & 0x7) + 1;
  return { format: 'flac', sampleRate: sampleRate || undefined, channels };
}

function probeId3(bytes: Uint8Array): ProbeResult | 'need-more' | null {
  if (bytes.length < 10) return 'need-more';
  const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
  const end = 10 + size + (bytes[5] & 0x10 ? 10 : 0);
  if (bytes.length < end + 4) return end > ID3_LIMIT ? { format: 'mp3' } : 'need-more';
  const header = mpegHeader(bytes, end);
  return header ? { format: 'mp3', sampleRate: header.sampleRate, channels: header.channels } : null;
}

function confirmMpeg(bytes: Uint8Array, first: MpegHeader): ProbeResult | 'need-more' | null {
  // One sync word can happen by chance in PCM: the next frame must follow where it says.
  const next = first.frameLength;
  if (bytes.length < next + 4) return bytes.length < MAGIC_LIMIT ? 'need-more' : null;
  return mpegHeader(bytes, next) ? { format: 'mp3', sampleRate: first.sampleRate, channels: first.channels } : null;
}

/** The parts of an MPEG audio frame header that probing needs. */
export interface MpegHeader {
  sampleRate: number;
  channels: number;
  frameLength: number;
}

/** Parses an MPEG-1/2/2.5 Layer I/II/III frame header at `pos`, or null. */
export function mpegHeader(bytes: Uint8Array, pos: number): MpegHeader | null {
  if (pos + 4 > bytes.length) return null;
  const [b0, b1, b2, b3] = [bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  const layer = (b1 >> 1) & 3; // 1 = III, 2 = II, 3 = I
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const sampleRate = MPEG_RATES[version][rateIndex];
  const bitrate = mpegBitrate(version, layer, bitrateIndex) * 1000;
  const padding = (b2 >> 1) & 1;
  const frameLength =
    layer === 3
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((layer === 1 && version !== 3 ? 72 : 144) * bitrate) / sampleRate) + padding;
  return { sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, frameLength };
}

function mpegBitrate(version: number, layer: number, index: number): number {
  const v1 = [
    [],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // Layer III
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // Layer II
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // Layer I
  ];
  const v2 = [
    [],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  ];
  return (version === 3 ? v1 : v2)[layer][index];
}

/** Parses an ADTS header at `pos`, or null. */
export function adtsHeader(bytes: Uint8Array, pos: number): { sampleRate: number; channels: number; frameLength: number; headerLength: number; profile: number; rateIndex: number } | null {
  if (pos + 7 > bytes.length) return null;
  if (bytes[pos] !== 0xff || (bytes[pos + 1] & 0xf6) !== 0xf0) return null;
  const profile = (bytes[pos + 2] >> 6) & 3;
  const rateIndex = (bytes[pos + 2] >> 2) & 0xf;
  const channels = ((bytes[pos + 2] & 1) << 2) | (bytes[pos + 3] >> 6);
  const frameLength = ((bytes[pos + 3] & 3) << 11) | (bytes[pos + 4] << 3) | (bytes[pos + 5] >> 5);
  if (rateIndex >= ADTS_RATES.length || frameLength < 7) return null;
  const headerLength = bytes[pos + 1] & 1 ? 7 : 9;
  return { sampleRate: ADTS_RATES[rateIndex], channels, frameLength, headerLength, profile, rateIndex };
}

/** Mostly printable ASCII, or starting like markup or JSON: an error page, not audio. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  const start = ascii(head, 0, Math.min(head.length, 16)).trimStart().toLowerCase();
  if (start.startsWith('<') || start.startsWith('{') || start.startsWith('[')) return true;
  let printable = 0;
  for (const b of head) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
  return head.length >= 64 && printable / head.length > 0.95;
}

function ascii(bytes: Uint8Array, pos: number, length: number): string {
  let out = '';
  for (let i = pos; i < pos + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}
