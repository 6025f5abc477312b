import { id3Length } from '../../shared/decoders/frame-headers';
import { WAV_TAGS } from '../../shared/decoders/wav';
import { startsWith } from './stream-units';

/**
 * Bytes before a stream's first audio, as far as `head` shows them: an ID3v2 tag, Ogg's
 * header pages (granule position 0: OpusHead and OpusTags, Vorbis's or FLAC's headers), FLAC's
 * metadata blocks, WAV's and AIFF's chunks before the samples. 0 where the audio starts at
 * once (raw pcm, MP3 and ADTS frames) or the container is not one of these. A header that
 * runs past `head` counts as far as its lengths say; it is only a size, never trusted further.
 */
export function headerLength(head: Uint8Array): number {
  const tag = id3Length(head);
  return tag + containerHeader(head.subarray(tag));
}

function containerHeader(b: Uint8Array): number {
  if (startsWith(b, 'OggS')) return oggHeaderPages(b);
  if (startsWith(b, 'fLaC')) return flacMetadata(b);
  if ([...WAV_TAGS].some((tag) => startsWith(b, tag))) return riffBeforeData(b, !startsWith(b, 'RIFX'));
  if (startsWith(b, 'FORM')) return aiffBeforeSound(b);
  return 0;
}

/** Ogg pages whose granule position is 0 hold headers only. */
function oggHeaderPages(b: Uint8Array): number {
  let at = 0;
  while (at + 27 <= b.length && startsWith(b.subarray(at), 'OggS')) {
    for (let k = 6; k < 14; k++) if (b[at + k] !== 0) return at;
    const segments = b[at + 26];
    if (at + 27 + segments > b.length) return at;
    let body = 0;
    for (let k = 0; k < segments; k++) body += b[at + 27 + k];
    at += 27 + segments + body;
  }
  return at;
}

/** "fLaC", then metadata blocks until the one flagged last. */
function flacMetadata(b: Uint8Array): number {
  let at = 4;
  while (at + 4 <= b.length) {
    const last = b[at] & 0x80;
    at += 4 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
    if (last) return at;
  }
  return Math.min(at, b.length);
}

/** RIFF chunks (padded to even sizes) up to the samples of the "data" chunk. */
function riffBeforeData(b: Uint8Array, little: boolean): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 12;
  while (at + 8 <= b.length) {
    if (startsWith(b.subarray(at), 'data')) return at + 8;
    const size = view.getUint32(at + 4, little);
    at += 8 + size + (size & 1);
  }
  return Math.min(at, b.length);
}

/** AIFF's big-endian chunks up to the samples of "SSND", past its offset and block size. */
function aiffBeforeSound(b: Uint8Array): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 12;
  while (at + 8 <= b.length) {
    if (startsWith(b.subarray(at), 'SSND')) return at + 16 + (at + 12 <= b.length ? view.getUint32(at + 8) : 0);
    const size = view.getUint32(at + 4);
    at += 8 + size + (size & 1);
  }
  return Math.min(at, b.length);
}
