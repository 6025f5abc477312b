import { concatBytes } from '../../shared/decoders/audio';
import { id3Length } from '../../shared/decoders/frame-headers';

/** An ID3v2 header's length: how much of a body's start is held to tell whether a tag begins there. */
const TAG_HEADER_BYTES = 10;
const ID3 = [0x49, 0x44, 0x33];

/**
 * Drops the ID3v2 tags a body starts with, read by read. A tag holds a title or a cover
 * picture, never audio: dropped as it arrives, one of any size is neither held in memory nor
 * taken for the format of what follows (FLAC behind a 300 KB picture was probed as MP3), and
 * what follows is compared, cached and decoded as the audio it is. Tags later in a body are
 * the decoders' to skip.
 */
export class LeadingTags {
  /** Bytes of the current tag still to come. */
  private left = 0;
  /** A body's first bytes, too few yet to say whether a tag starts with them. */
  private held = new Uint8Array(0);
  private done = false;
  /** Bytes dropped so far. */
  dropped = 0;

  /** The bytes of a read that are not tag (possibly none). */
  strip(read: Uint8Array): Uint8Array {
    if (this.done) return read;
    let bytes = this.held.length ? concatBytes(this.held, read) : read;
    this.held = new Uint8Array(0);
    for (;;) {
      if (this.left) {
        const cut = Math.min(this.left, bytes.length);
        bytes = bytes.subarray(cut);
        this.left -= cut;
        this.dropped += cut;
        if (!bytes.length) return bytes;
        continue;
      }
      if (bytes.length < TAG_HEADER_BYTES && mayStartTag(bytes)) {
        this.held = bytes.slice();
        return new Uint8Array(0);
      }
      this.left = id3Length(bytes);
      if (!this.left) break;
    }
    this.done = true;
    return bytes;
  }

  /** At the body's end: the bytes held that never became a tag's header, once; else null. */
  leftover(): Uint8Array | null {
    const held = this.held;
    this.held = new Uint8Array(0);
    this.done = true;
    return held.length ? held : null;
  }
}

function mayStartTag(bytes: Uint8Array): boolean {
  return ID3.every((byte, i) => i >= bytes.length || bytes[i] === byte);
}

