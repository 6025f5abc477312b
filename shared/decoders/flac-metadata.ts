// What comes before a FLAC stream's first frame (https://xiph.org/flac/format.html): an
// optional ID3v2 tag, "fLaC", and metadata blocks, of which only STREAMINFO matters here.
import { streamInfo, type FlacStreamInfo } from './flac-frames';
import { id3Length } from './frame-headers';
import { BadAudioError } from './types';

/** Passes over the stream's header as it arrives, keeping none of it but STREAMINFO. */
export class FlacMetadataWalk {
  info: FlacStreamInfo | null = null;
  done = false;
  private phase: 'start' | 'magic' | 'blocks' = 'start';
  /** Bytes still to pass over (a tag, or a block being skipped). */
  private skip = 0;
  private lastBlock = false;

  /**
   * Walks b[at, length) and returns where it stopped: everything before is done with.
   * Throws BadAudioError when the stream does not start like FLAC.
   */
  walk(b: Uint8Array, at: number, length: number): number {
    while (!this.done) {
      const passed = Math.min(this.skip, length - at);
      at += passed;
      this.skip -= passed;
      if (this.skip > 0) return at;
      if (this.phase === 'start') {
        if (length - at < 10) return at;
        this.skip = id3Length(b.subarray(at, length));
        this.phase = 'magic';
      } else if (this.phase === 'magic') {
        if (length - at < 4) return at;
        if (b[at] !== 0x66 || b[at + 1] !== 0x4c || b[at + 2] !== 0x61 || b[at + 3] !== 0x43) {
          throw new BadAudioError('This is not a FLAC stream: it does not start with "fLaC".');
        }
        at += 4;
        this.phase = 'blocks';
      } else if (this.lastBlock) {
        this.done = true;
      } else {
        if (length - at < 4) return at;
        const size = (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
        const isInfo = (b[at] & 0x7f) === 0 && size >= 34;
        if (isInfo && length - at < 4 + 34) return at;
        if (isInfo) this.info = streamInfo(b, at + 4);
        this.lastBlock = (b[at] & 0x80) !== 0;
        at += 4;
        this.skip = size;
      }
    }
    return at;
  }
}
