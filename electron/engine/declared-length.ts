// How long a response says its audio is, from the audio's own header: a WAV's data chunk,
// an AIFF's SSND chunk, or an MP3's Xing/Info byte count. A body that ends cleanly before that was cut short
// (a proxy, a server that died mid-write) and must not play as if complete.
import { isAiff, readAiffHeader } from '../../shared/decoders/aiff-header';
import { id3Length, xingTagAt } from '../../shared/decoders/frame-headers';

/** Bytes the whole stream should have, or null when its header does not say (or says "unknown"). */
export function declaredLength(head: Uint8Array, format: string): number | null {
  if (format === 'wav') return wavLength(head);
  if (format === 'mp3') return mp3Length(head);
  return null;
}

/** Sizes streaming servers write when they do not know the length yet. */
const isPlaceholder = (size: number): boolean => size === 0 || size >= 0x7fff0000;

function wavLength(head: Uint8Array): number | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length >= 12 && isAiff(head)) return aiffLength(head);
  if (head.length < 12 || ascii(head, 0, 4) !== 'RIFF' || ascii(head, 8, 4) !== 'WAVE') return null;
  for (let offset = 12; offset + 8 <= head.length; ) {
    const size = view.getUint32(offset + 4, true);
    if (ascii(head, offset, 4) === 'data') return isPlaceholder(size) ? null : offset + 8 + size;
    offset += 8 + size + (size % 2);
  }
  return null;
}

function aiffLength(head: Uint8Array): number | null {
  try {
    const header = readAiffHeader(head);
    return header && Number.isFinite(header.dataSize) && !isPlaceholder(header.dataSize) ? header.dataAt + header.dataSize : null;
  } catch {
    return null;
  }
}

/** The byte count of an MP3's Xing/Info tag, after any ID3v2 tag. */
function mp3Length(head: Uint8Array): number | null {
  const start = id3Length(head);
  const tag = xingTagAt(head, start);
  if (tag < 0 || tag + 16 > head.length) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const flags = view.getUint32(tag + 4);
  if (!(flags & 0x2)) return null;
  // The byte count follows the frame count when that is present too.
  const bytes = view.getUint32(tag + 8 + (flags & 0x1 ? 4 : 0));
  return isPlaceholder(bytes) ? null : start + bytes;
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return offset + length <= bytes.length ? String.fromCharCode(...bytes.subarray(offset, offset + length)) : '';
}
