import type { AudioFormat } from '../audio-format';
import { streamHeaderLength } from './flac-frames';
import { isOggS } from './ogg-packets';
import { isEbml, webmHeaderLength } from './webm';

/**
 * What a fresh decoder must be given before it can take up a stream at its next sync point,
 * cut from the stream's first bytes: FLAC's `fLaC` and metadata, Ogg's header pages
 * (OpusHead and OpusTags, Vorbis's three headers, Ogg FLAC's: every page before the first
 * with a granule position), WebM's header
 * and tracks (up to the first Cluster's blocks). MP3 and AAC frames carry their own headers:
 * nothing. null when the format cannot be taken up mid-stream
 * (pcm and wav: any byte is a sample, so there is no sync point to find), or when the
 * header is not all there.
 */
export function resumeHeader(format: AudioFormat, head: Uint8Array): Uint8Array | null {
  switch (format) {
    case 'mp3':
    case 'aac':
      return new Uint8Array(0);
    case 'flac': {
      const length = isOggS(head, 0) ? oggHeaderPagesLength(head) : safe(() => streamHeaderLength(head));
      return length > 0 ? head.slice(0, length) : null;
    }
    case 'opus': {
      const length = isEbml(head) ? webmHeaderLength(head) : oggHeaderPagesLength(head);
      return length > 0 ? head.slice(0, length) : null;
    }
    default:
      return null;
  }
}

/** Length of the Ogg pages before the first that ends a packet of audio, or -1. */
function oggHeaderPagesLength(b: Uint8Array): number {
  let p = 0;
  while (p + 27 <= b.length && isOggS(b, p)) {
    const view = new DataView(b.buffer, b.byteOffset + p);
    if (view.getUint32(6, true) !== 0 || view.getUint32(10, true) !== 0) return p > 0 ? p : -1;
    const segments = b[p + 26];
    if (p + 27 + segments > b.length) return -1;
    let length = 27 + segments;
    for (let i = 0; i < segments; i++) length += b[p + 27 + i];
    p += length;
  }
  return -1;
}

function safe(step: () => number): number {
  try {
    return step();
  } catch {
    return -1;
  }
}
