import { concatBytes } from './audio';
import { OggPacketReader } from './ogg-packets';
import { BadAudioError } from './types';

/** The first packet of an Ogg FLAC stream: 0x7F "FLAC", the mapping's version, a header count, then "fLaC" and STREAMINFO. */
const MAGIC = [0x7f, 0x46, 0x4c, 0x41, 0x43];
/** Where "fLaC" starts in it, and its length through STREAMINFO (a 4-byte block header and 34 bytes). */
const NATIVE_AT = 9;
const NATIVE_HEAD = 4 + 4 + 34;

/** Whether an Ogg stream's first packet begins an Ogg FLAC stream (the Ogg FLAC mapping, version 1). */
export function isOggFlacHead(packet: Uint8Array): boolean {
  return packet.length >= MAGIC.length && MAGIC.every((byte, i) => packet[i] === byte);
}

/**
 * FLAC in Ogg (`flac --ogg`, and `ffmpeg -f ogg` where it has no Vorbis encoder) back to the
 * native FLAC stream it carries, as the pages arrive: "fLaC" and STREAMINFO from the first
 * packet, then each audio packet, which is one whole FLAC frame. The FLAC decoder then counts
 * frames lost to damaged pages from the gaps in their numbers, and checks each frame's own
 * CRCs, so a frame of a page still arriving goes on at once. Other metadata (tags, a picture)
 * is left out. A chained stream starts a new "fLaC", as a joined file does.
 */
export class OggFlacRemux {
  private readonly pages = new OggPacketReader(() => true);
  /** The metadata packets after the first (tags, a picture) are behind: frames have begun. */
  private inFrames = false;

  push(bytes: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    for (const packet of this.pages.walk(bytes).packets) {
      if (packet.index === 0) {
        out.push(this.start(packet.data));
        continue;
      }
      // Metadata blocks never begin as a frame does (type 127 is invalid).
      if (!this.inFrames && !isFrameStart(packet.data)) continue;
      this.inFrames = true;
      out.push(packet.data);
    }
    return out.length === 1 ? out[0] : concatBytes(...out);
  }

  /** A page damaged or cut off by the end of the body: its frames are lost without a later frame number to show it. */
  get lostAtEnd(): number {
    return this.pages.lostAtEnd;
  }

  /** Samples a page lasts on average: what a page lost at the end is counted as. */
  samplesPerPage(): number {
    return this.pages.unitsPerPage(4096);
  }

  private start(first: Uint8Array): Uint8Array {
    if (!isOggFlacHead(first) || first.length < NATIVE_AT + NATIVE_HEAD || first[NATIVE_AT] !== 0x66) {
      throw new BadAudioError('This Ogg FLAC stream\'s first packet does not hold "fLaC" and its STREAMINFO.');
    }
    if (first[5] !== 1) throw new BadAudioError(`This Ogg FLAC stream is of mapping version ${first[5]}.${first[6]}; only 1.x exists.`);
    this.inFrames = false;
    const native = first.slice(NATIVE_AT, NATIVE_AT + NATIVE_HEAD);
    // STREAMINFO is the only metadata passed on: its block is marked the last.
    native[4] |= 0x80;
    return native;
  }
}

/** A FLAC frame's sync code (14 ones, then a zero and the blocking-strategy bit). */
function isFrameStart(packet: Uint8Array): boolean {
  return packet.length >= 2 && packet[0] === 0xff && (packet[1] & 0xfe) === 0xf8;
}
