// An Ogg Opus muxer (RFC 7845 on RFC 3533): OpusHead and OpusTags pages, then the audio
// packets with their granule positions at 48 kHz, and an end-of-stream page whose granule
// tells the decoder where the audio ends. Pure: it only arranges bytes.
import { concatBytes } from '../decoders/audio';
import { oggPage } from '../decoders/ogg-packets';

/** Opus counts every position at 48 kHz, whatever the input rate was (RFC 7845 §4). */
export const OPUS_RATE = 48_000;
/** Packets per page: one second of 20 ms packets keeps pages small and seeking cheap. */
const PACKETS_PER_PAGE = 50;

const HEADER_BOS = 0x02;
const HEADER_EOS = 0x04;

/** Builds an Ogg Opus stream page by page: feed it packets, then end it. */
export class OggOpusMuxer {
  private sequence = 0;
  private readonly serial: number;
  private packets: Uint8Array[] = [];
  /** Lacing values the packets waiting for a page take. */
  private segments = 0;
  /** Granule position: 48 kHz samples the packets given so far decode to (the pre-skip among them). */
  private granule = 0;

  constructor(
    private readonly channels: number,
    /** Samples at 48 kHz the decoder drops from the start (the encoder's look-ahead). */
    private readonly preSkip: number,
    /** The rate the audio had before it was resampled to 48 kHz (only informative). */
    private readonly inputRate: number,
    private readonly vendor = 'Utter',
    serial = Math.floor(Math.random() * 0xffffffff),
  ) {
    this.serial = serial >>> 0;
  }

  /** The two header pages: OpusHead (beginning of stream), then OpusTags. */
  headers(): Uint8Array {
    const head = new Uint8Array(19);
    const view = new DataView(head.buffer);
    head.set(ascii('OpusHead'));
    head[8] = 1; // version
    head[9] = this.channels;
    view.setUint16(10, this.preSkip, true);
    view.setUint32(12, this.inputRate, true);
    view.setInt16(16, 0, true); // output gain
    head[18] = 0; // mapping family 0: mono or stereo
    const vendor = ascii(this.vendor);
    const tags = new Uint8Array(8 + 4 + vendor.length + 4);
    const tagView = new DataView(tags.buffer);
    tags.set(ascii('OpusTags'));
    tagView.setUint32(8, vendor.length, true);
    tags.set(vendor, 12);
    tagView.setUint32(12 + vendor.length, 0, true); // no comments
    return concatBytes(this.page([head], 0, HEADER_BOS), this.page([tags], 0, 0));
  }

  /** Adds one packet of `samples` (48 kHz); returns the page it completed, if any. */
  add(packet: Uint8Array, samples: number): Uint8Array | null {
    // A page has room for 255 lacing values: a page that could not take this packet goes first.
    // A full page waits for the next packet, so the last page always has one to mark the end with.
    const segments = Math.floor(packet.length / 255) + 1;
    const full = this.segments + segments > 255 || this.packets.length >= PACKETS_PER_PAGE ? this.flush(0) : null;
    this.packets.push(packet);
    this.segments += segments;
    this.granule += samples;
    return full;
  }

  /**
   * The last page, marked end of stream. `totalSamples` (48 kHz, without pre-skip) is the
   * audio's true length: the decoder trims the padding of the last packet to it.
   */
  end(totalSamples: number): Uint8Array {
    this.granule = Math.min(this.granule, this.preSkip + totalSamples);
    return this.flush(HEADER_EOS);
  }

  private flush(flags: number): Uint8Array {
    const page = this.page(this.packets, this.granule, flags);
    this.packets = [];
    this.segments = 0;
    return page;
  }

  private page(packets: Uint8Array[], granule: number, flags: number): Uint8Array {
    return oggPage(packets, granule, flags, this.serial, this.sequence++);
  }
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}
