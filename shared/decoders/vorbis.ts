import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { BadAudioError, type DecodedAudio } from './types';
import type { OggPacket } from './ogg-packets';
import { parseVorbisHead, VORBIS_TO_WAV_ORDER, type VorbisHead } from './vorbis-head';
import { vorbisModes, vorbisPacketBlocks } from './vorbis-packet';

/**
 * The packet decoder inside OggVorbisDecoder (version pinned): Utter's own Ogg reader has
 * CRC-checked and counted the pages, so libvorbis is given packets, not Ogg bytes.
 */
interface PacketLibrary {
  sendSetupHeader(packet: Uint8Array): void;
  initDsp(): void;
  decodePackets(packets: Uint8Array[]): DecodedAudio & { errors: unknown[] };
  free(): void;
}

/** The library copies each packet into an input buffer of this size. */
const MAX_PACKET = 128 * 1024;

/**
 * Ogg Vorbis, packet by packet: what `ffmpeg -f ogg` sends unless told otherwise, and what
 * servers that pipe through it send when asked for opus. libvorbis (WASM) decodes; the
 * headers, the end trim of the last page and the channel order are handled here. As with
 * Opus, the packets of a page still arriving may play before its CRC is checked, while each
 * is a well-formed audio packet whose length (from the setup header's modes) fits the page.
 */
export class VorbisPackets {
  head: VorbisHead | null = null;
  /** The identification packet this stream began with: the Ogg reader's first packet while it is this stream's. */
  ident: Uint8Array | null = null;
  /** Each mode's block flag, from the setup header (null until it is read, or when it cannot be). */
  private modes: boolean[] | null = null;
  /** The early packets of the page still arriving: its granule, their samples at least, and the last one's block. */
  private earlyPage = { granule: -1, samples: 0, block: 0 };
  /** Packets decoded so far in this logical stream, in samples: where the next one starts. */
  private position = 0;
  private library: PacketLibrary | null = null;
  private wrapper: OggVorbisDecoder | null = null;
  /** The setup header has been given: audio packets can be decoded. */
  private set = false;
  /** The first audio packet has been given (libvorbis only primes its overlap with it). */
  private primed = false;
  /** A page has ended in this stream: where the first ends is where the audio starts (a stream may begin past 0), not a loss, unless packets on it failed. */
  private pageEnded = false;
  /** The furthest granule position seen on a packet, early ones included: where a body cut short was to reach. */
  private furthest = 0;
  /** Packets that failed, and whether any gave audio, in this logical stream. */
  failed = 0;
  heard = false;

  /** A new logical stream: its identification header. */
  async start(ident: Uint8Array): Promise<void> {
    const head = parseVorbisHead(ident);
    if (typeof head === 'string') throw new BadAudioError(`This Ogg Vorbis stream cannot be played: ${head}.`);
    // Each stream gets a fresh libvorbis: its headers are read once.
    this.free();
    const wrapper = (this.wrapper = new OggVorbisDecoder());
    await wrapper.ready;
    if (this.wrapper !== wrapper) throw new BadAudioError('This Vorbis decoder was freed while it loaded.');
    const library = (wrapper as unknown as { _decoder?: PacketLibrary })._decoder;
    if (typeof library?.decodePackets !== 'function') throw new Error('@wasm-audio-decoders/ogg-vorbis has changed: its packet decoder is not where Utter looks for it.');
    this.library = library;
    library.sendSetupHeader(ident);
    this.head = head;
    this.ident = ident;
    this.modes = null;
    this.position = 0;
    this.set = false;
    this.primed = false;
    this.pageEnded = false;
    this.furthest = 0;
    this.failed = 0;
    this.heard = false;
  }

  /**
   * One packet after the identification header: the comment header is passed over, the
   * setup header readies the decoder, and audio comes out trimmed to the stream's end.
   * A packet that fails counts once. Lost samples, whether in packets that failed or in pages
   * damaged or missing, are what the granule position at a page's end says should have come
   * and did not: exact, and a damaged page whose packets already played early costs nothing.
   */
  take(packet: OggPacket): { audio: DecodedAudio | null; failed: boolean; lostSamples: number } {
    const library = this.library;
    if (!library || !this.head || packet.index === 1) return { audio: null, failed: false, lostSamples: 0 };
    if (!this.set) {
      if (packet.index !== 2 || packet.data[0] !== 5) throw new BadAudioError('This Ogg Vorbis stream has no setup header where its third packet should be.');
      library.sendSetupHeader(packet.data);
      library.initDsp();
      this.set = true;
      this.modes = vorbisModes(packet.data);
      return { audio: null, failed: false, lostSamples: 0 };
    }
    // Bit 0 set marks a header: one among the audio is damage.
    let failed = packet.data.length === 0 || packet.data.length > MAX_PACKET || (packet.data[0] & 1) === 1;
    let audio: DecodedAudio | null = null;
    if (!failed) {
      const decoded = library.decodePackets([packet.data]);
      // After the first packet, one that gives nothing failed, whether or not libvorbis said so.
      failed = decoded.errors.length > 0 || (this.primed && decoded.samplesDecoded === 0);
      this.primed = true;
      audio = this.trim(packet, decoded.channelData, decoded.samplesDecoded);
      if (audio.samplesDecoded) this.heard = true;
    }
    if (failed) this.failed++;
    let lostSamples = 0;
    this.furthest = Math.max(this.furthest, packet.granule);
    // Back in step at each page's end: the last trim is then exact, and what was lost is known.
    if (packet.endsPage && packet.granule >= 0) {
      if (this.pageEnded || this.failed) lostSamples = Math.max(0, packet.granule - this.position);
      this.position = packet.granule;
      this.pageEnded = true;
    }
    return { audio, failed, lostSamples };
  }

  /** Where the audio given so far ends, in samples of this stream's granule positions. */
  get playedTo(): number {
    return this.position;
  }

  /** What a body cut short inside a page lost, when its packets said where the page ends; null when none did. */
  lostAtEnd(): number | null {
    return this.furthest > this.position ? this.furthest - this.position : null;
  }

  /**
   * Whether a packet of a page still arriving may be decoded before the page's CRC is checked:
   * an audio packet of a mode the setup header has, and the page's early packets no longer
   * than its granule span. Lengths are taken at their least where the packet does not say
   * its previous block, so a page's own packets always fit; damage that invents packets soon overruns it.
   */
  plausible(packet: OggPacket, pageSpan: number): boolean {
    if (!this.modes || !this.head || packet.index < 3) return false;
    const blocks = vorbisPacketBlocks(packet.data, this.modes, this.head.blocks);
    if (!blocks || packet.data.length > MAX_PACKET) return false;
    if (this.earlyPage.granule !== packet.granule) this.earlyPage = { granule: packet.granule, samples: 0, block: this.head.blocks[0] };
    const samples = ((blocks.previous ?? this.earlyPage.block) + blocks.current) / 4;
    if (this.earlyPage.samples + samples > pageSpan) return false;
    this.earlyPage.samples += samples;
    this.earlyPage.block = blocks.current;
    return true;
  }

  free(): void {
    this.library = null;
    this.ident = null;
    this.modes = null;
    // Freed once loaded: the library throws when freed before its WASM is.
    const wrapper = this.wrapper;
    wrapper?.ready.then(
      () => wrapper.free(),
      () => undefined,
    );
    this.wrapper = null;
    this.head = null;
  }

  /** The packet's audio up to the last page's granule, in WAV channel order. */
  private trim(packet: OggPacket, channels: Float32Array[], count: number): DecodedAudio {
    const start = this.position;
    this.position += count;
    const end = packet.lastPage && packet.granule >= 0 ? packet.granule : Infinity;
    const kept = Math.max(0, Math.min(count, end - start));
    const trimmed = kept === count ? channels : channels.map((channel) => channel.subarray(0, kept));
    const ordered = VORBIS_TO_WAV_ORDER[trimmed.length]?.map((channel) => trimmed[channel]) ?? trimmed;
    return { channelData: ordered, samplesDecoded: kept, sampleRate: this.head!.rate };
  }
}
