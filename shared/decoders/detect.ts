import type { AudioFormat } from '../audio-format';
import { adtsHeader, freeFormatAt, id3Length, looksLikeText, mpegHeader } from './frame-headers';
import type { ProbeResult } from './types';
import { aiffKind, isAiff, readAiffHeader } from './aiff-header';
import { isOggFlacHead } from './ogg-flac';
import { isVorbisHead, parseVorbisHead } from './vorbis-head';
import { ebmlDocName, isEbml, webmAudioCodec, webmCodecName } from './webm';
import { PLAYABLE_WEBM_CODECS } from './webm-tracks';
import { WAV_TAGS } from './wav';

/** What the caller knows besides the bytes. Content types are hints only: servers mislabel. */
export interface ProbeHint {
  requested?: AudioFormat;
  contentType?: string | null;
  pcmSampleRate?: number;
}

/** Past this an ID3 tag is not waited for: the stream is called mp3 without a rate. */
const ID3_LIMIT = 64 * 1024;
/** Past this, bytes that matched nothing are not audio. */
const MAGIC_LIMIT = 4096;

/**
 * Decides the format from the first bytes of a stream: RIFF/WAVE, OggS + OpusHead, fLaC,
 * ID3 or two MPEG frame headers in a row, two ADTS headers in a row. Raw PCM has no magic:
 * it is assumed only when pcm was asked for. Text (an HTML error page sent with status
 * 200, JSON) is never audio: null. 'need-more' means the bytes so far cannot decide.
 */
export function probeFormat(bytes: Uint8Array, hint: ProbeHint = {}): ProbeResult | 'need-more' | null {
  if (bytes.length < 4) return 'need-more';
  const tag = ascii(bytes, 0, 4);
  if (WAV_TAGS.has(tag)) return bytes.length < 12 ? 'need-more' : ascii(bytes, 8, 4) === 'WAVE' ? probeWav(bytes, tag !== 'RIFX') : null;
  if (tag === 'OggS') return probeOgg(bytes);
  if (tag === 'fLaC') return probeFlac(bytes, 0);
  if (isEbml(bytes)) return probeWebm(bytes);
  if (isAiff(bytes)) return probeAiff(bytes);
  if (tag.startsWith('ID3')) return probeId3(bytes);
  // MP4/M4A (AAC from some servers): its index may come after the audio, so no frame can
  // be found before the end. Not streamable: decoded whole (spec F4).
  if (bytes.length >= 8 && ascii(bytes, 4, 4) === 'ftyp') return { format: 'aac', wholeFile: true };
  const framed = probeFrames(bytes, 0);
  if (framed) return framed;
  // Raw PCM (asked for) is not held back for MP3 that a later byte might prove.
  const pcm = isPcmRequest(hint);
  const afterJunk = probeMpegAfterJunk(bytes, !pcm);
  if (afterJunk) return afterJunk;
  // Audio no decoder here reads is not raw PCM either, even when pcm was asked for.
  if (looksLikeText(bytes) || unplayableAudio(bytes)) return null;
  if (pcm) return { format: 'pcm', sampleRate: pcmRate(hint), channels: pcmChannels(hint), ...(isL16(hint) ? { bigEndian: true } : {}) };
  // Up to three frames tell a free-format MP3, which unplayableAudio names.
  return bytes.length < MAGIC_LIMIT || freeFormatAt(bytes, 0) === undefined ? 'need-more' : null;
}

function isPcmRequest(hint: ProbeHint): boolean {
  const type = hint.contentType?.toLowerCase() ?? '';
  return hint.requested === 'pcm' || /audio\/(pcm|l16)\b/.test(type);
}

/** RFC 2586's `audio/L16` is network byte order, unlike OpenAI's `pcm`. */
function isL16(hint: ProbeHint): boolean {
  return /audio\/l16\b/i.test(hint.contentType ?? '');
}

/** `audio/pcm;rate=22050` where the server says it, else the setting, else 24000. */
function pcmRate(hint: ProbeHint): number {
  const match = /rate\s*=\s*"?(\d+)/i.exec(hint.contentType ?? '');
  const rate = match ? Number(match[1]) : NaN;
  return rate >= 8000 && rate <= 384000 ? rate : (hint.pcmSampleRate ?? 24000);
}

/** `audio/L16;rate=24000;channels=2` (RFC 2586) where the server says it, else mono. */
function pcmChannels(hint: ProbeHint): number {
  const match = /channels\s*=\s*"?(\d+)/i.exec(hint.contentType ?? '');
  const channels = match ? Number(match[1]) : 1;
  return channels >= 1 && channels <= 8 ? channels : 1;
}

/** `little` is false for RIFX, RIFF big-endian. */
function probeWav(bytes: Uint8Array, little: boolean): ProbeResult | 'need-more' {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const id = ascii(bytes, pos, 4);
    const size = view.getUint32(pos + 4, little);
    if (id === 'fmt ') {
      if (pos + 24 > bytes.length) return 'need-more';
      return { format: 'wav', channels: view.getUint16(pos + 10, little), sampleRate: view.getUint32(pos + 12, little) };
    }
    if (id === 'data') break;
    pos += 8 + size + (size & 1);
  }
  // A chunk before fmt larger than the probe: it is a WAV all the same.
  return bytes.length < MAGIC_LIMIT ? 'need-more' : { format: 'wav' };
}

/** The first bytes of a first Ogg page's packet, for codecs Utter has no decoder for. */
const OGG_CODECS: [string, string][] = [
  ['Speex   ', 'Ogg Speex'],
];

/**
 * Names audio that no decoder here reads (Ogg Speex, AAC in Matroska, AIFF-C MACE, …), so that its refusal
 * says what came and what to do, not that it was not audio. Null for anything else.
 */
export function unplayableAudio(bytes: Uint8Array): string | null {
  const tag = ascii(bytes, 0, 4);
  if (tag === 'OggS' && bytes.length >= 27) {
    const body = 27 + bytes[26];
    return OGG_CODECS.find(([magic]) => ascii(bytes, body, magic.length) === magic)?.[1] ?? null;
  }
  if (isEbml(bytes)) {
    const audio = webmAudioCodec(bytes);
    if (audio === null) return 'WebM (Matroska) without audio';
    return audio === 'need-more' ? 'WebM (Matroska)' : PLAYABLE_WEBM_CODECS.has(audio.codec) ? null : `${ebmlDocName(bytes)} (${webmCodecName(audio.codec)})`;
  }
  if (isAiff(bytes)) return probeAiff(bytes) === null ? aiffKind(bytes) : null;
  if (tag === 'caff') return 'Core Audio (CAF)';
  // Its chunks are named by GUIDs: "riff" and "wave" begin the first two.
  if (tag === 'riff' && ascii(bytes, 24, 4) === 'wave') return 'Sony Wave64 (W64)';
  if (tag === '.snd') return 'Sun/NeXT (.au)';
  const named = MAGIC_NAMES.find(([magic]) => magic.every((byte, i) => bytes[i] === byte))?.[1];
  if (named) return named;
  const dolby = dolbyDigital(bytes);
  if (dolby) return dolby;
  if (ascii(bytes, 0, 5) === '#!AMR') return 'AMR';
  if (isLoas(bytes)) return 'AAC in LATM/LOAS';
  // mpg123 measures a free-format frame by seeking ahead, which a stream fed to it cannot do.
  if (freeFormatAt(bytes, id3Length(bytes))) return 'free-format MP3';
  return null;
}

/** Formats no decoder here reads, by their first bytes. */
const MAGIC_NAMES: [number[], string][] = [
  // ASF's header object GUID: WMA.
  [[0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c], 'Windows Media Audio (ASF)'],
  [[0x7f, 0xfe, 0x80, 0x01], 'DTS'],
  [[...'wvpk'].map((c) => c.charCodeAt(0)), 'WavPack'],
  [[...'MAC '].map((c) => c.charCodeAt(0)), "Monkey's Audio"],
  [[...'MPCK'].map((c) => c.charCodeAt(0)), 'Musepack'],
  [[...'TTA1'].map((c) => c.charCodeAt(0)), 'True Audio (TTA)'],
];

/** AC-3 words per frame at 48, 44.1 and 32 kHz, for each pair of frame size codes (ATSC A/52 table 5.18). */
const AC3_WORDS = [
  [64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1152, 1280],
  [69, 87, 104, 121, 139, 174, 208, 243, 278, 348, 417, 487, 557, 696, 835, 975, 1114, 1253, 1393],
  [96, 120, 144, 168, 192, 240, 288, 336, 384, 480, 576, 672, 768, 960, 1152, 1344, 1536, 1728, 1920],
];

/**
 * 'AC-3' or 'E-AC-3' when a Dolby Digital frame starts the bytes and the next one starts where
 * it ends: the sync word is two bytes, which raw PCM holds by chance.
 */
function dolbyDigital(bytes: Uint8Array): string | null {
  const frameAt = (p: number): { bytes: number; name: string } | null => {
    if (p + 6 > bytes.length || bytes[p] !== 0x0b || bytes[p + 1] !== 0x77) return null;
    const bsid = bytes[p + 5] >> 3;
    if (bsid > 10 && bsid <= 16) return { bytes: ((((bytes[p + 2] & 0x07) << 8) | bytes[p + 3]) + 1) * 2, name: 'E-AC-3 (Dolby Digital Plus)' };
    const rate = bytes[p + 4] >> 6;
    const code = bytes[p + 4] & 0x3f;
    if (bsid > 8 || rate === 3 || code >= 38) return null;
    return { bytes: (AC3_WORDS[rate][code >> 1] + (rate === 1 ? code & 1 : 0)) * 2, name: 'AC-3 (Dolby Digital)' };
  };
  const first = frameAt(0);
  return first && frameAt(first.bytes) ? first.name : null;
}

/** LOAS (ffmpeg's `-f latm`): an 11-bit sync and a 13-bit length, the next sync where it says. */
function isLoas(bytes: Uint8Array): boolean {
  const syncAt = (p: number): boolean => bytes[p] === 0x56 && (bytes[p + 1] & 0xe0) === 0xe0;
  if (bytes.length < 3 || !syncAt(0)) return false;
  const next = 3 + (((bytes[1] & 0x1f) << 8) | bytes[2]);
  return next + 2 <= bytes.length && syncAt(next);
}

function probeOgg(bytes: Uint8Array): ProbeResult | 'need-more' | null {
  if (bytes.length < 27) return 'need-more';
  const body = 27 + bytes[26];
  if (bytes.length < body + 19) return 'need-more';
  // Ogg Vorbis (ffmpeg's default in Ogg) is read by the Opus decoder's Ogg reader.
  if (isVorbisHead(bytes.subarray(body))) {
    if (bytes.length < body + 30) return 'need-more';
    const head = parseVorbisHead(bytes.subarray(body, body + 30));
    return typeof head === 'string' ? null : { format: 'opus', sampleRate: head.rate, channels: head.channels };
  }
  // FLAC in Ogg is unwrapped by the FLAC decoder: "fLaC" and STREAMINFO follow its 9-byte mapping header.
  if (isOggFlacHead(bytes.subarray(body))) return ascii(bytes, body + 9, 4) === 'fLaC' ? probeFlac(bytes, body + 9) : null;
  // Speex in Ogg is not an OpenAI format and no decoder here reads it.
  if (ascii(bytes, body, 8) !== 'OpusHead') return null;
  // Opus always decodes at 48 kHz, whatever rate the encoder was fed (RFC 7845, section 5.1).
  return { format: 'opus', sampleRate: 48000, channels: bytes[body + 9] };
}

/** AIFF is read by the WAV decoder: the same samples, big-endian, in other chunks. */
function probeAiff(bytes: Uint8Array): ProbeResult | 'need-more' | null {
  try {
    const header = readAiffHeader(bytes);
    if (header) return { format: 'wav', sampleRate: header.layout.rate, channels: header.layout.channels };
  } catch {
    return null; // a compression no decoder here reads: named by unplayableAudio
  }
  return bytes.length < MAGIC_LIMIT ? 'need-more' : { format: 'wav' };
}

/** Opus and Vorbis in WebM are remuxed to Ogg as they arrive; other codecs in WebM are named by unplayableAudio. */
function probeWebm(bytes: Uint8Array): ProbeResult | 'need-more' | null {
  const audio = webmAudioCodec(bytes);
  if (audio === null || audio === 'need-more') return audio;
  return PLAYABLE_WEBM_CODECS.has(audio.codec) ? { format: 'opus', sampleRate: audio.sampleRate, channels: audio.channels } : null;
}

function probeFlac(bytes: Uint8Array, at: number): ProbeResult | 'need-more' | null {
  if (bytes.length < at + 8 + 18) return 'need-more';
  if ((bytes[at + 4] & 0x7f) !== 0) return null; // STREAMINFO must come first
  // STREAMINFO: 20 bits of sample rate, then 3 bits of channels - 1.
  const p = at + 8 + 10;
  const sampleRate = (bytes[p] << 12) | (bytes[p + 1] << 4) | (bytes[p + 2] >> 4);
  const channels = ((bytes[p + 2] >> 1) & 0x7) + 1;
  return { format: 'flac', sampleRate: sampleRate || undefined, channels };
}

/** An ID3 tag says "audio follows": usually MP3, sometimes ADTS or FLAC. */
function probeId3(bytes: Uint8Array): ProbeResult | 'need-more' | null {
  if (bytes.length < 10) return 'need-more';
  const end = id3Length(bytes);
  if (end > ID3_LIMIT) return { format: 'mp3' };
  if (bytes.length < end + 4) return 'need-more';
  if (ascii(bytes, end, 4) === 'fLaC') return probeFlac(bytes, end);
  if (freeFormatAt(bytes, end) === undefined) return 'need-more';
  return probeFrames(bytes, end);
}

/**
 * MPEG audio or ADTS at `at`. One sync word happens by chance in PCM, so the next frame
 * must start where the first says it ends, with the same rate.
 */
function probeFrames(bytes: Uint8Array, at: number): ProbeResult | 'need-more' | null {
  const mpeg = mpegHeader(bytes, at);
  if (mpeg) {
    const next = at + mpeg.frameLength;
    if (bytes.length < next + 4) return bytes.length < at + MAGIC_LIMIT ? 'need-more' : null;
    if (mpegHeader(bytes, next)?.sampleRate === mpeg.sampleRate) return { format: 'mp3', sampleRate: mpeg.sampleRate, channels: mpeg.channels };
  }
  const adts = adtsHeader(bytes, at);
  if (adts && adts.channels > 0) {
    const next = at + adts.frameLength;
    if (bytes.length < next + 7) return bytes.length < at + MAGIC_LIMIT ? 'need-more' : null;
    const second = adtsHeader(bytes, next);
    if (second && second.rateIndex === adts.rateIndex && second.channels === adts.channels) {
      return { format: 'aac', sampleRate: adts.sampleRate, channels: adts.channels };
    }
  }
  return null;
}

/** Frames in a row that make MPEG audio of bytes after junk, where one or two could be chance. */
const FRAMES_AFTER_JUNK = 3;

/**
 * MPEG audio that stray bytes come before (a proxy's, a server's bug: ffmpeg and mpg123 play
 * it, and the MP3 decoder passes over them): an ID3 tag, or three frames in a row, starting
 * in the first 4 KB. With `wait`, 'need-more' while a start found there runs past the bytes
 * in hand; without, only what the bytes in hand prove.
 */
function probeMpegAfterJunk(bytes: Uint8Array, wait: boolean): ProbeResult | 'need-more' | null {
  for (let at = 1; at < Math.min(bytes.length, MAGIC_LIMIT); at++) {
    if (bytes[at] === 0x49 && id3Length(bytes, at) > 0) {
      const tagged = probeId3(bytes.subarray(at));
      if (tagged === 'need-more' ? wait : tagged?.format === 'mp3') return tagged;
    }
    if (bytes[at] !== 0xff) continue;
    const first = mpegHeader(bytes, at);
    let pos = at;
    for (let frame = 0; first && frame < FRAMES_AFTER_JUNK; frame++) {
      const header = mpegHeader(bytes, pos);
      if (pos + 4 > bytes.length) {
        if (wait) return 'need-more';
        break;
      }
      if (header?.sampleRate !== first.sampleRate) break;
      if (frame === FRAMES_AFTER_JUNK - 1) return { format: 'mp3', sampleRate: first.sampleRate, channels: first.channels };
      pos += header.frameLength;
    }
  }
  return null;
}

function ascii(bytes: Uint8Array, pos: number, length: number): string {
  let out = '';
  for (let i = pos; i < pos + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}
