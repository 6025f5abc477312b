// Frame headers of the formats whose frames Utter cuts itself: MPEG audio (mp3), ADTS (aac),
// and the ID3v2 tag that may precede an MP3. Shared by probing and the decoders.

const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
/** kbit/s by [layer][index]; layer 1 = III, 2 = II, 3 = I. */
const MPEG1_KBPS = [
  [],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
];
const MPEG2_KBPS = [
  [],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
];
/** ADTS sampling_frequency_index → Hz (ISO 14496-3, Table 1.18). */
export const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The parts of an MPEG audio frame header that Utter needs. */
export interface MpegHeader {
  sampleRate: number;
  channels: number;
  frameLength: number;
  /** Samples per channel in the frame: 384 (layer I), 1152, or 576 (layer III of MPEG-2/2.5). */
  samples: number;
}

/**
 * Parses an MPEG-1/2/2.5 Layer I/II/III frame header at `pos`, or null. Free-format and
 * reserved values are refused, so chance bytes in other data rarely pass.
 */
export function mpegHeader(bytes: Uint8Array, pos: number): MpegHeader | null {
  if (pos + 4 > bytes.length) return null;
  const b1 = bytes[pos + 1];
  const b2 = bytes[pos + 2];
  const b3 = bytes[pos + 3];
  if (bytes[pos] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
  const layer = (b1 >> 1) & 3; // 1 = III, 2 = II, 3 = I, 0 reserved
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || (b3 & 3) === 2) return null;
  const sampleRate = MPEG_RATES[version][rateIndex];
  const bitrate = (version === 3 ? MPEG1_KBPS : MPEG2_KBPS)[layer][bitrateIndex] * 1000;
  const padding = (b2 >> 1) & 1;
  const frameLength =
    layer === 3
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((layer === 1 && version !== 3 ? 72 : 144) * bitrate) / sampleRate) + padding;
  const samples = layer === 3 ? 384 : layer === 1 && version !== 3 ? 576 : 1152;
  return { sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, frameLength, samples };
}

/** mpg123's largest frame (MAXFRAMESIZE): the next free-format frame is looked for no further. */
const MAX_FREE_FRAME = 3456;

/**
 * Whether a free-format MP3 starts at `pos` (bitrate index 0: a bitrate outside the table,
 * as LAME's --freeformat writes), undefined when the bytes end before it is known. Only
 * the distance to the next frame tells such a frame's length, so the next two frames must
 * follow at one length: a chance sync word in other data does not pass.
 */
export function freeFormatAt(bytes: Uint8Array, pos: number): boolean | undefined {
  if (!freeFormatHeader(bytes, pos)) return false;
  const slot = ((bytes[pos + 1] >> 1) & 3) === 3 ? 4 : 1; // layer I counts in 4-byte slots
  const padding = (at: number) => ((bytes[at + 2] >> 1) & 1) * slot;
  const sameStream = (at: number) =>
    freeFormatHeader(bytes, at) && bytes[at + 1] === bytes[pos + 1] && (bytes[at + 2] & 0xfc) === (bytes[pos + 2] & 0xfc) && bytes[at + 3] >> 6 === bytes[pos + 3] >> 6;
  // The smallest frame holds its header and the side information.
  for (let next = pos + 4 + 9; next <= pos + MAX_FREE_FRAME + slot; next++) {
    if (next + 4 > bytes.length) return undefined;
    if (!sameStream(next)) continue;
    const third = next + (next - pos - padding(pos)) + padding(next);
    if (third + 4 > bytes.length) return undefined;
    if (sameStream(third)) return true;
  }
  return false;
}

/** A frame header at `pos` whose bitrate index is 0 (free format), all else valid. */
function freeFormatHeader(bytes: Uint8Array, pos: number): boolean {
  if (pos + 4 > bytes.length || bytes[pos] !== 0xff || (bytes[pos + 1] & 0xe0) !== 0xe0 || bytes[pos + 2] >> 4 !== 0) return false;
  return ((bytes[pos + 1] >> 3) & 3) !== 1 && ((bytes[pos + 1] >> 1) & 3) !== 0 && ((bytes[pos + 2] >> 2) & 3) !== 3 && (bytes[pos + 3] & 3) !== 2;
}

/**
 * Where the Xing/Info tag (LAME's, and the VBR header of other encoders) sits in the MPEG
 * frame at `pos`, or -1 when the frame holds none. The tag follows the side information,
 * whose size depends on the MPEG version and channels. A frame with it is the first of a
 * file and carries no audio.
 */
export function xingTagAt(bytes: Uint8Array, pos: number): number {
  if (pos + 4 > bytes.length || bytes[pos] !== 0xff || (bytes[pos + 1] & 0xe0) !== 0xe0) return -1;
  const mpeg1 = (bytes[pos + 1] & 0x18) === 0x18;
  const mono = (bytes[pos + 3] & 0xc0) === 0xc0;
  const tag = pos + 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17);
  if (tag + 4 > bytes.length) return -1;
  const name = String.fromCharCode(bytes[tag], bytes[tag + 1], bytes[tag + 2], bytes[tag + 3]);
  return name === 'Xing' || name === 'Info' ? tag : -1;
}

/** One ADTS frame header (ISO 14496-3, 1.A.2.2). */
export interface AdtsHeader {
  /** ADTS profile: the MPEG-4 audio object type minus one (1 = AAC LC). */
  profile: number;
  rateIndex: number;
  sampleRate: number;
  /** channel_configuration; 0 means "in a program config element", which Utter refuses. */
  channels: number;
  /** Whole frame, header included. */
  frameLength: number;
  /** 7, or 9 with the CRC. */
  headerLength: number;
  /** Raw data blocks in the frame (1 in practice). */
  blocks: number;
}

/** Parses an ADTS header at `pos`, or null. */
export function adtsHeader(bytes: Uint8Array, pos: number): AdtsHeader | null {
  if (pos + 7 > bytes.length) return null;
  // Sync word, MPEG-4 or -2 id, layer 00.
  if (bytes[pos] !== 0xff || (bytes[pos + 1] & 0xf6) !== 0xf0) return null;
  const profile = (bytes[pos + 2] >> 6) & 3;
  const rateIndex = (bytes[pos + 2] >> 2) & 0xf;
  const channels = ((bytes[pos + 2] & 1) << 2) | (bytes[pos + 3] >> 6);
  const frameLength = ((bytes[pos + 3] & 3) << 11) | (bytes[pos + 4] << 3) | (bytes[pos + 5] >> 5);
  const headerLength = bytes[pos + 1] & 1 ? 7 : 9;
  if (rateIndex >= ADTS_RATES.length || frameLength <= headerLength) return null;
  return { profile, rateIndex, sampleRate: ADTS_RATES[rateIndex], channels, frameLength, headerLength, blocks: (bytes[pos + 6] & 3) + 1 };
}

/** Length of the ID3v2 tag at `pos` (header, body and footer), or 0 when there is none. */
export function id3Length(bytes: Uint8Array, pos = 0): number {
  if (pos + 10 > bytes.length || bytes[pos] !== 0x49 || bytes[pos + 1] !== 0x44 || bytes[pos + 2] !== 0x33) return 0;
  // Versions 2.2 to 2.4, and sizes in 7-bit bytes: "ID3" met by chance in audio is no tag.
  if (bytes[pos + 3] < 2 || bytes[pos + 3] > 4 || (bytes[pos + 6] | bytes[pos + 7] | bytes[pos + 8] | bytes[pos + 9]) & 0x80) return 0;
  const size = ((bytes[pos + 6] & 0x7f) << 21) | ((bytes[pos + 7] & 0x7f) << 14) | ((bytes[pos + 8] & 0x7f) << 7) | (bytes[pos + 9] & 0x7f);
  return 10 + size + (bytes[pos + 5] & 0x10 ? 10 : 0);
}

/**
 * Length of the APE tag at `pos` (after an MP3, as mp3gain and foobar2000 write), or 0 when
 * none starts there. Met first, a tag shows its header (flag bit 29), whose size counts all
 * but itself; a lone footer is 32 bytes. Needs 32 bytes.
 */
export function apeTagLength(bytes: Uint8Array, pos: number): number {
  if (pos + 32 > bytes.length || !startsWithAscii(bytes, pos, 'APETAGEX')) return 0;
  const size = (bytes[pos + 12] | (bytes[pos + 13] << 8) | (bytes[pos + 14] << 16) | (bytes[pos + 15] << 24)) >>> 0;
  return bytes[pos + 23] & 0x20 && size > 0 && size <= MAX_APE ? 32 + size : 32;
}

/** Larger APE tags are taken for chance bytes (cover art rarely passes a few MB). */
const MAX_APE = 64 * 1024 * 1024;
/** Longest Lyrics3 tag: v2 gives its size in six digits. */
const MAX_LYRICS3 = 11 + 999_999 + 15;

/**
 * Length of the Lyrics3 tag at `pos` (before an ID3v1 tag, after an MP3), 0 when none
 * starts there, undefined when its end is not in the bytes yet. Only its end says how long
 * it is: "LYRICS200" (v2) or "LYRICSEND" (v1).
 */
export function lyrics3Length(bytes: Uint8Array, pos: number): number | undefined {
  if (!startsWithAscii(bytes, pos, 'LYRICSBEGIN')) return 0;
  const limit = Math.min(bytes.length, pos + MAX_LYRICS3);
  for (let q = pos + 11; q + 9 <= limit; q++) {
    if (bytes[q] === 0x4c && (startsWithAscii(bytes, q, 'LYRICS200') || startsWithAscii(bytes, q, 'LYRICSEND'))) return q + 9 - pos;
  }
  return limit < pos + MAX_LYRICS3 ? undefined : 0;
}

function startsWithAscii(bytes: Uint8Array, pos: number, text: string): boolean {
  if (pos + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[pos + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Printable ASCII that starts like markup or JSON, or is mostly printable: an error page
 * sent with status 200, not audio (spec E4). Raw PCM can start with `<` or `{` by chance,
 * but not with 32 printable bytes in a row.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // UTF-8 BOM
  const lead = bytes.subarray(start, start + 32);
  let printableLead = 0;
  while (printableLead < lead.length && isPrintable(lead[printableLead])) printableLead++;
  const first = lead.find((b) => b > 0x20);
  if (printableLead === lead.length && lead.length >= 2 && (first === 0x3c || first === 0x7b || first === 0x5b)) return true; // < { [
  const head = bytes.subarray(0, 512);
  let printable = 0;
  for (const b of head) if (isPrintable(b)) printable++;
  return head.length >= 64 && printable / head.length > 0.95;
}

function isPrintable(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09;
}
