import { OpusDecoder as LibOpus } from 'opus-decoder';
import { chainAudio, FirstBytes, silence } from './audio';
import { BadAudioError, type DecodedAudio } from './types';
import { OggPacketReader, isOggS, type OggPacket } from './ogg-packets';
import { opusPacketSamples } from './opus-packet';
import { VorbisPackets } from './vorbis';
import { isVorbisHead, VORBIS_TO_WAV_ORDER } from './vorbis-head';
import { isEbml, WebmRemux } from './webm';
import { WasmStreamDecoder, type LibraryAudio } from './wasm-decoder';

/** Opus always runs at 48 kHz; granule positions count these samples. */
const RATE = 48000;
/** What one lost page is counted as until the stream shows its own (a streaming server's 20 ms). */
const DEFAULT_PAGE = 960;
/** opus-decoder's input buffer: 3,840 bytes per channel (120 ms at 256 kbit/s). */
const MAX_PACKET_PER_CHANNEL = 3840;

/** What an OpusHead says (RFC 7845 §5.1). */
interface OpusHead {
  channels: number;
  preSkip: number;
  /** Linear gain to apply, from the Q7.8 dB output gain. */
  gain: number;
  streamCount: number;
  coupledStreamCount: number;
  mapping: number[];
  /** Channel mapping family: 0 mono or stereo, 1 surround (Vorbis order), others as the mapping says. */
  family: number;
  /** Surround (mapping family 1) is decoded in Vorbis order: the decoded channel for each WAV-order channel. */
  toWavOrder?: number[];
}

/**
 * Ogg Opus, packet by packet (spec F2 says it cannot stream; it can): the packets of a page
 * are decoded as they arrive, so a server that writes a page a second (ffmpeg's and
 * opusenc's default) is heard after its first 20 ms packet, not after its second page.
 * libopus (opus-decoder, WASM) decodes the packets; the Ogg layer, the pre-skip, the end
 * trim of the last page, the output gain and chained streams are handled here. Pages are
 * CRC-checked (damaged ones are counted, spec E2); a packet of a page still arriving goes
 * out early only when it is a well-formed Opus packet that fits the page's duration. Opus
 * and Vorbis in WebM are remuxed to such pages as they arrive (webm.ts), and Ogg Vorbis,
 * which servers that pipe through `ffmpeg -f ogg` send, is decoded from the same pages
 * (vorbis.ts).
 */
export class OpusDecoder extends WasmStreamDecoder {
  readonly format = 'opus' as const;
  /**
   * Loads the WASM as a mono decoder, which the first stream takes when its OpusHead asks
   * for mono; another layout, or a stream after the first, gets a decoder made for it.
   */
  private library: LibOpus | null = new LibOpus({ channels: MONO.channels, streamCount: MONO.streamCount, coupledStreamCount: MONO.coupledStreamCount, channelMappingTable: MONO.mapping });
  readonly ready = this.library!.ready;
  /** The layout `library` was made for, while it has decoded nothing (null once used). */
  private unusedLayout: string | null = layoutKey(MONO);
  private readonly pages = new OggPacketReader((packet, pageSpan) => this.plausible(packet, pageSpan));
  private head: OpusHead | null = null;
  /** Samples decoded in this logical stream, the pre-skip included: where the next packet starts. */
  private position = 0;
  /** Samples of the early packets of the page still arriving, against its granule span. */
  private earlyPage = { granule: -1, samples: 0 };
  /** The stream's usual packet length: what a packet that failed to decode is counted as. */
  private packetSamples = DEFAULT_PAGE;
  /** A WebM body's remuxer to Ogg (once its first bytes are EBML's). */
  private webm: WebmRemux | null = null;
  /** First bytes too few to tell Ogg from WebM; null once told. */
  private readonly magic = new FirstBytes();
  /** The Vorbis decoder, once a logical stream has been Vorbis (its head is set while one is). */
  private vorbis: VorbisPackets | null = null;

  protected async decodeBytes(bytes: Uint8Array): Promise<LibraryAudio> {
    const ogg = this.toOgg(bytes);
    if (!ogg.length) return { ...this.silence(), errors: [] };
    if (this.pages.untouched && ogg.length >= 4 && !isOggS(ogg, 0)) {
      throw new BadAudioError('This is not an Ogg Opus stream: it does not start with an Ogg page.');
    }
    return this.decodeOgg(ogg);
  }

  /** Ogg as it came, or WebM remuxed to Ogg; the first bytes are held until they tell which. */
  private toOgg(bytes: Uint8Array): Uint8Array {
    if (this.webm) return this.fromWebm(this.webm.push(bytes));
    if (this.magic.told) return bytes;
    const first = this.magic.take(bytes);
    if (!first || !isEbml(first)) return first ?? new Uint8Array(0);
    this.webm = new WebmRemux();
    return this.fromWebm(this.webm.push(first));
  }

  private fromWebm(ogg: Uint8Array): Uint8Array {
    const webm = this.webm!;
    this.stats.skippedFrames += webm.lost;
    this.stats.skippedSamples += webm.lostSamples;
    webm.lost = 0;
    webm.lostSamples = 0;
    return ogg;
  }

  private async decodeOgg(bytes: Uint8Array): Promise<LibraryAudio> {
    const blocks: DecodedAudio[] = [];
    const errors: unknown[] = [];
    let walked = this.pages.walk(bytes);
    for (;;) {
      this.countLost(walked.lostPages);
      if (!(await this.decodePackets(walked.packets, blocks, errors))) break;
      // The packets of a page still arriving were judged before the headers cut with them were
      // read, and a Vorbis packet is judged by its setup header: judged again now. ffmpeg's
      // Ogg Vorbis gave no audio from its first 4 KB, and then none until its next write.
      walked = this.pages.walk(new Uint8Array(0));
    }
    return { ...chainAudio(blocks.length ? blocks : [this.silence()]), errors };
  }

  /** Decodes packets into `blocks` (errors into `errors`); true when a stream's headers (its first three packets) were among them. */
  private async decodePackets(packets: OggPacket[], blocks: DecodedAudio[], errors: unknown[]): Promise<boolean> {
    const headers = packets.some((packet) => packet.index <= 2);
    for (const packet of packets) {
      if (packet.index === 0) {
        await this.startStream(packet);
        continue;
      }
      if (this.vorbis?.head) {
        const { audio, failed, lostSamples } = this.vorbis.take(packet);
        // Counted here, not as errors: a Vorbis packet's length is known only from its page's granule.
        if (failed) this.stats.skippedFrames++;
        this.stats.skippedSamples += lostSamples;
        if (audio) blocks.push(audio);
        continue;
      }
      // The comment header, which may span pages.
      if (packet.index === 1 || !this.head || !this.library) continue;
      if (packet.data.length > MAX_PACKET_PER_CHANNEL * this.head.channels || !opusPacketSamples(packet.data, this.head.streamCount)) {
        errors.push(packet);
        continue;
      }
      const decoded = this.library.decodeFrame(packet.data);
      errors.push(...decoded.errors);
      // A packet that gives no audio and no error is lost all the same: counted, never silent.
      if (!decoded.samplesDecoded && !decoded.errors.length) errors.push(packet);
      const trimmed = this.trim(packet, decoded.channelData, decoded.samplesDecoded);
      const kept = this.head.toWavOrder?.map((channel) => trimmed[channel]) ?? trimmed;
      // Back in step after lost pages: the last trim, on the stream's last page, is then exact.
      if (packet.endsPage && packet.granule >= 0) this.position = packet.granule;
      blocks.push({ channelData: kept, samplesDecoded: kept[0]?.length ?? 0, sampleRate: RATE });
    }
    return headers;
  }

  private silence(): DecodedAudio {
    const vorbis = this.vorbis?.head;
    return vorbis ? silence(vorbis.rate, vorbis.channels) : silence(RATE, this.head?.channels ?? 1);
  }

  silenceReason(): string | null {
    if (this.vorbis?.head && this.vorbis.failed && !this.vorbis.heard) return `none of its ${this.vorbis.failed} Vorbis packets decoded (a damaged setup header spoils them all)`;
    return this.webm?.endedBeforeAudio ? 'the WebM stream ended before its first Cluster of audio (a damaged header can hide the rest)' : null;
  }

  codecName(): string {
    const container = this.webm ? 'WebM' : 'Ogg';
    return this.vorbis?.head ? `${container} Vorbis` : this.webm ? 'WebM Opus' : 'Opus';
  }

  protected async flushLibrary(): Promise<LibraryAudio | null> {
    // The last block of a WebM body may end a group only the end of the body closes.
    const tail = this.webm ? this.fromWebm(this.webm.end()) : this.magic.end();
    const audio = tail.length ? await this.decodeOgg(tail) : null;
    if (this.pages.untouched) return audio;
    // A page damaged or cut off by the end of the stream is lost: count it.
    const lost = this.pages.lostAtEnd;
    const measured = lost ? this.lostToCut() : null;
    if (measured !== null) {
      this.stats.skippedFrames += lost;
      this.stats.skippedSamples += measured;
    } else {
      this.countLost(lost);
      if (lost && this.vorbis?.head) this.stats.skippedSamples += this.vorbis.lostAtEnd() ?? this.pages.unitsPerPage(0);
    }
    return audio;
  }

  /**
   * What a body cut off inside a page lost, measured from that page's granule position: from
   * where the audio given so far ends (past the pre-skip) to where the page would have ended.
   * Null when the page's header did not come, or says something no page could (over 10 s).
   */
  private lostToCut(): number | null {
    const granule = this.pages.cutPageGranule();
    if (granule < 0) return null;
    const vorbis = this.vorbis?.head ? this.vorbis : null;
    const from = vorbis ? vorbis.playedTo : Math.max(this.position, this.head?.preSkip ?? 0);
    const rate = vorbis?.head ? vorbis.head.rate : 48_000;
    const lost = granule - from;
    return lost >= 0 && lost <= 10 * rate ? lost : null;
  }

  protected async resetLibrary(): Promise<void> {
    this.pages.reset();
    this.webm = null;
    this.magic.reset();
    this.head = null;
    this.vorbis?.free();
    this.position = 0;
    this.earlyPage = { granule: -1, samples: 0 };
    // The library is made anew for the next stream's OpusHead (startStream).
  }

  protected freeLibrary(): void {
    this.vorbis?.free();
    const library = this.library;
    this.library = null;
    // Freed only once loaded: opus-decoder throws when freed before its WASM is.
    library?.ready.then(
      () => library.free(),
      () => undefined,
    );
  }

  protected errorSamples(): number {
    return this.packetSamples;
  }

  private async startStream(packet: OggPacket): Promise<void> {
    if (isVorbisHead(packet.data)) {
      this.vorbis ??= new VorbisPackets();
      this.head = null;
      return this.vorbis.start(packet.data);
    }
    this.vorbis?.free();
    const head = parseOpusHead(packet.data);
    if (!head) {
      const carried = this.head ? 'A chained Ogg stream carries neither Opus nor Vorbis (no OpusHead on its first page).' : 'This Ogg stream carries neither Opus nor Vorbis (no OpusHead in its first page).';
      throw new BadAudioError(carried);
    }
    const malformed = malformedHead(head);
    if (malformed) throw new BadAudioError(`This Opus stream's header is malformed: ${malformed}.`);
    this.head = head;
    this.position = 0;
    this.earlyPage = { granule: -1, samples: 0 };
    const layout = layoutKey(head);
    // Making a libopus instance took 7–15 ms in Node on a busy machine, on the way to first audio.
    if (this.library && this.unusedLayout === layout) {
      this.unusedLayout = null;
      return;
    }
    this.unusedLayout = null;
    this.library?.free();
    // Mapping family 0 is mono or stereo; the others say their streams and mapping.
    this.library = new LibOpus({ channels: head.channels, streamCount: head.streamCount, coupledStreamCount: head.coupledStreamCount, channelMappingTable: head.mapping });
    await this.library.ready;
  }

  /** The part of a packet's audio inside the stream: after the pre-skip and, on the last page, up to its granule. */
  private trim(packet: OggPacket, channels: Float32Array[], count: number): Float32Array[] {
    const head = this.head!;
    const start = this.position;
    this.position += count;
    if (count) this.packetSamples = count;
    const end = packet.lastPage && packet.granule >= 0 ? packet.granule : Infinity;
    const from = Math.max(0, head.preSkip - start);
    const to = Math.max(from, Math.min(count, end - start));
    if (from === 0 && to === count && head.gain === 1) return channels;
    return channels.map((channel) => {
      const kept = channel.slice(from, to);
      if (head.gain !== 1) for (let i = 0; i < kept.length; i++) kept[i] *= head.gain;
      return kept;
    });
  }

  /** Whether a packet of a page still arriving may be decoded before the page's CRC is checked. */
  private plausible(packet: OggPacket, pageSpan: number): boolean {
    // (Asked while the pages are cut, before this call has read the OpusHead they may hold.)
    // A Vorbis stream's own check, once its setup header is read (before that, its packets wait for their page's CRC).
    const first = this.pages.firstPacket;
    if (first && isVorbisHead(first)) return this.vorbis?.ident === first && this.vorbis.plausible(packet, pageSpan);
    if (packet.index < 2) return false;
    const samples = opusPacketSamples(packet.data, this.head?.streamCount ?? 1);
    if (!samples) return false;
    if (this.earlyPage.granule !== packet.granule) this.earlyPage = { granule: packet.granule, samples: 0 };
    // The page's packets last its granule span; damage that invents packets soon overruns it.
    if (this.earlyPage.samples + samples > pageSpan) return false;
    this.earlyPage.samples += samples;
    return true;
  }

  private countLost(pages: number): void {
    if (!pages) return;
    this.stats.skippedFrames += pages;
    // A Vorbis stream's losses are measured from its granule positions (vorbis.ts).
    if (!this.vorbis?.head) this.stats.skippedSamples += pages * this.pages.unitsPerPage(DEFAULT_PAGE);
  }
}

/** The layout of the decoder the constructor makes. */
const MONO = { channels: 1, streamCount: 1, coupledStreamCount: 0, mapping: [0] };

function layoutKey(head: Pick<OpusHead, 'channels' | 'streamCount' | 'coupledStreamCount' | 'mapping'>): string {
  return `${head.channels}/${head.streamCount}/${head.coupledStreamCount}/${head.mapping.join(',')}`;
}

/** The OpusHead header packet, or null when this is not one (RFC 7845 §5.1). */
function parseOpusHead(b: Uint8Array): OpusHead | null {
  const magic = 'OpusHead';
  if (b.length < 19 || [...magic].some((c, i) => b[i] !== c.charCodeAt(0))) return null;
  // Version 0.x (the major version is the top four bits) is the only one defined.
  if (b[8] >> 4 !== 0) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const channels = b[9];
  const family = b[18];
  if (!channels) return null;
  const gain = 10 ** (view.getInt16(16, true) / (20 * 256));
  if (family === 0) {
    return { channels, preSkip: view.getUint16(10, true), gain, family, streamCount: 1, coupledStreamCount: channels - 1, mapping: channels === 2 ? [0, 1] : [0] };
  }
  if (b.length < 21 + channels) return null;
  const toWavOrder = family === 1 ? VORBIS_TO_WAV_ORDER[channels] : undefined;
  return { channels, preSkip: view.getUint16(10, true), gain, family, streamCount: b[19], coupledStreamCount: b[20], mapping: [...b.subarray(21, 21 + channels)], toWavOrder };
}

/** What makes an OpusHead's channel mapping impossible (RFC 7845 §5.1.1), or null. */
function malformedHead(head: OpusHead): string | null {
  const { channels, streamCount, coupledStreamCount, mapping } = head;
  if (head.family === 0 && channels > 2) return `${channels} channels in mapping family 0, which has at most 2`;
  if (head.family === 1 && channels > 8) return `${channels} channels in the surround mapping, which has at most 8`;
  if (streamCount < 1) return 'it declares no Opus streams';
  if (coupledStreamCount > streamCount || streamCount + coupledStreamCount > 255) return `${coupledStreamCount} coupled streams of ${streamCount}`;
  // 255 is a silent channel; any other index names a decoded channel.
  const bad = mapping.find((index) => index !== 255 && index >= streamCount + coupledStreamCount);
  if (bad !== undefined) return `channel mapped to stream channel ${bad} of ${streamCount + coupledStreamCount}`;
  return null;
}
