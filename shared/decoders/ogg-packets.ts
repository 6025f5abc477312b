import { concatBytes } from './audio';
import { crc32 } from './crc';

/** One packet of an Ogg logical stream, with what its page's header says. */
export interface OggPacket {
  data: Uint8Array;
  /** 0 for the first packet of a logical stream (a chained stream starts again at 0). */
  index: number;
  /** The granule position of its page (-1 when no packet ends on that page). */
  granule: number;
  /** Its page ends the logical stream. */
  lastPage: boolean;
  /** The last packet to end on its page: the granule position is where it ends. */
  endsPage: boolean;
  /** Handed out before its page was whole: its CRC is still to be checked. */
  early: boolean;
}

/** Says whether a packet may be handed out before its page's CRC has been checked. */
export type EarlyCheck = (packet: OggPacket, pageSpan: number) => boolean;

interface PageHeader {
  flags: number;
  granule: number;
  serial: number;
  sequence: number;
  segments: number;
  /** Header plus segment table plus body. */
  length: number;
}

const CONTINUED = 0x01;
export const FIRST_PAGE = 0x02;
export const LAST_PAGE = 0x04;
const HEADER = 27;

/**
 * Cuts an Ogg byte stream into the packets of one logical stream, as soon as each is whole:
 * a page of a second's audio (ffmpeg's and opusenc's default) gives its first packet after
 * a few hundred bytes, not after the whole page (spec F2 says Ogg Opus cannot stream; it
 * can). Whole pages are CRC-checked before their packets go out; a page still arriving hands
 * out packets early only when `earlyCheck` finds them plausible, and a page that then fails
 * its CRC is counted lost like any other. Lost pages are counted by the gaps in their
 * sequence numbers. A new first page (a chained stream, as servers that concatenate
 * per-sentence streams send) starts the packet index again at 0; pages of other
 * multiplexed streams are passed over.
 */
export class OggPacketReader {
  untouched = true;
  /** The current logical stream's first packet (its codec's header), once it is whole. */
  firstPacket: Uint8Array | null = null;
  private held: Uint8Array = new Uint8Array(0);
  private serial = -1;
  private nextSequence = -1;
  /** Ours has shown only its first page: a first page of another serial now is multiplexed beside it. */
  private inFirstPages = false;
  private packetIndex = 0;
  /** A packet begun on an earlier page, continued on the next one. */
  private partial: Uint8Array[] = [];
  /** How far into the page at held[0] packets have gone out early: its sequence, segment and body offset. */
  private early = { sequence: -1, segment: 0, offset: 0 };
  private badSinceGood = false;
  /** Good pages whose granule is known, and the granule of the last: the average page length. */
  private timedPages = 0;
  private lastGranule = -1;
  private granuleSpan = 0;

  constructor(private readonly earlyCheck: EarlyCheck = () => false) {}

  /** Granule units one page lasts on average (`fallback` until known): what a lost page is counted as. */
  unitsPerPage(fallback: number): number {
    return this.timedPages ? Math.round(this.granuleSpan / this.timedPages) : fallback;
  }

  /** A page damaged or cut off after the last good one: counted when the stream ends. */
  get lostAtEnd(): number {
    return this.badSinceGood || this.held.length > 0 ? 1 : 0;
  }

  /**
   * The granule position of the page the body was cut off inside, from its header (which
   * comes first), or -1: where the stream would have been at that page's end, so what the cut
   * lost can be measured rather than taken as an average page. Only a page of this stream
   * soon after the last good one counts (a damaged header names any granule).
   */
  cutPageGranule(): number {
    if (this.held.length < HEADER || this.nextSequence < 0) return -1;
    const page = readHeader(this.held, 0);
    if (!page || page.flags & FIRST_PAGE || page.serial !== this.serial || this.held.length >= page.length) return -1;
    return page.sequence >= this.nextSequence && page.sequence - this.nextSequence < 4 ? page.granule : -1;
  }

  /** Takes the next bytes; returns the packets they completed and the pages found lost. */
  walk(bytes: Uint8Array): { packets: OggPacket[]; lostPages: number } {
    this.untouched = false;
    const b = concatBytes(this.held, bytes);
    const packets: OggPacket[] = [];
    let lostPages = 0;
    let p = 0;
    while (p + HEADER <= b.length) {
      const page = readHeader(b, p);
      if (!page) {
        p++;
        continue;
      }
      // A first page starts a stream (chained ones too, often under the same serial), but
      // another right after ours, before any page of ours, is a stream multiplexed with it
      // (RFC 3533 puts all first pages first): ours is the first, the one the probe named.
      const beside = page.flags & FIRST_PAGE && this.inFirstPages && page.serial !== this.serial;
      const ours = !beside && (this.serial < 0 || page.serial === this.serial || page.flags & FIRST_PAGE);
      if (p + HEADER + page.segments > b.length) break;
      if (p + page.length > b.length) {
        if (ours && this.isNext(page)) this.handOutEarly(b, p, page, packets);
        // A damaged segment table can claim up to 64 KB: do not wait for it if the next page is already here.
        const next = this.serial >= 0 ? this.findPage(b, p + HEADER, this.nextSequence + 1) : -1;
        if (next < 0) break;
        this.badSinceGood = true;
        this.forgetEarly();
        p = next;
        continue;
      }
      if (crc32(b, p, p + page.length, p + 22) !== new DataView(b.buffer, b.byteOffset + p).getUint32(22, true)) {
        this.badSinceGood = true;
        if (this.early.sequence === page.sequence) this.forgetEarly();
        p++;
        continue;
      }
      if (!ours) {
        // Another stream multiplexed with ours: not ours to read, and not damage.
        p += page.length;
        continue;
      }
      if (page.flags & FIRST_PAGE) {
        this.serial = page.serial;
        this.packetIndex = 0;
        this.partial = [];
        this.lastGranule = -1;
        // Its own numbering: whatever the stream before it ended on, nothing between was lost.
        this.nextSequence = -1;
        this.inFirstPages = true;
      } else if (page.sequence < this.nextSequence) {
        // Sent twice: the packets went out the first time.
        p += page.length;
        continue;
      }
      this.serial = page.serial;
      if (!(page.flags & FIRST_PAGE)) this.inFirstPages = false;
      const gap = this.nextSequence >= 0 && page.sequence > this.nextSequence ? page.sequence - this.nextSequence : 0;
      if (gap) this.partial = [];
      lostPages += gap;
      if (this.early.sequence !== page.sequence) this.forgetEarly();
      this.takePackets(b, p, page, this.early.segment, this.early.offset, false, packets);
      this.forgetEarly();
      this.countTime(page, gap);
      this.nextSequence = page.sequence + 1;
      this.badSinceGood = false;
      p += page.length;
    }
    this.held = b.slice(p);
    return { packets, lostPages };
  }

  reset(): void {
    this.untouched = true;
    this.firstPacket = null;
    this.held = new Uint8Array(0);
    this.serial = -1;
    this.nextSequence = -1;
    this.inFirstPages = false;
    this.packetIndex = 0;
    this.partial = [];
    this.forgetEarly();
    this.badSinceGood = false;
    this.timedPages = 0;
    this.lastGranule = -1;
    this.granuleSpan = 0;
  }

  /** The page the stream expects next (a first page is always read whole). */
  private isNext(page: PageHeader): boolean {
    return page.serial === this.serial && page.sequence === this.nextSequence && !(page.flags & FIRST_PAGE);
  }

  /** Hands out the whole packets of a page still arriving, while each passes the early check. */
  private handOutEarly(b: Uint8Array, p: number, page: PageHeader, packets: OggPacket[]): void {
    if (this.early.sequence !== page.sequence) this.early = { sequence: page.sequence, segment: 0, offset: 0 };
    const span = this.lastGranule >= 0 && page.granule > this.lastGranule ? page.granule - this.lastGranule : 0;
    if (!span) return;
    const found: OggPacket[] = [];
    const end = this.takePackets(b, p, page, this.early.segment, this.early.offset, true, found, (packet) => this.earlyCheck(packet, span));
    this.early = { sequence: page.sequence, ...end };
    packets.push(...found);
  }

  /**
   * Packets of the page at `p` from segment `segment` (body offset `offset`) on, as far as the
   * bytes (and `accept`) go; a packet left open at the page's end waits for the next page.
   * Returns where it stopped.
   */
  private takePackets(
    b: Uint8Array,
    p: number,
    page: PageHeader,
    segment: number,
    offset: number,
    early: boolean,
    packets: OggPacket[],
    accept: (packet: OggPacket) => boolean = () => true,
  ): { segment: number; offset: number } {
    const table = p + HEADER;
    const body = table + page.segments;
    let dropping = false;
    if (segment === 0) {
      // A continued page's first packet ends one begun before: without that beginning it is lost.
      if (page.flags & CONTINUED) dropping = this.partial.length === 0;
      else this.partial = [];
    }
    let lastEnd = page.segments - 1;
    while (lastEnd >= 0 && b[table + lastEnd] === 255) lastEnd--;
    let start = offset;
    let size = 0;
    for (let s = segment; s < page.segments; s++) {
      size += b[table + s];
      if (b[table + s] === 255) continue;
      if (body + start + size > b.length) break;
      const piece = b.subarray(body + start, body + start + size);
      if (!dropping) {
        const data = this.partial.length ? concatBytes(...this.partial, piece) : piece.slice();
        const packet: OggPacket = { data, index: this.packetIndex, granule: page.granule, lastPage: (page.flags & LAST_PAGE) !== 0, endsPage: s === lastEnd, early };
        if (!accept(packet)) break;
        if (packet.index === 0) this.firstPacket = data;
        packets.push(packet);
        this.packetIndex++;
        this.partial = [];
      }
      dropping = false;
      start += size;
      size = 0;
      segment = s + 1;
    }
    // A whole page: what is left of it begins a packet that goes on in the next.
    if (!early && segment < page.segments && !dropping) this.partial.push(b.slice(body + start, p + page.length));
    return { segment, offset: start };
  }

  private countTime(page: PageHeader, lostBefore: number): void {
    if (page.granule < 0) return;
    if (this.lastGranule >= 0 && page.granule > this.lastGranule) {
      // The lost pages lie inside this granule span.
      this.timedPages += 1 + lostBefore;
      this.granuleSpan += page.granule - this.lastGranule;
    }
    this.lastGranule = page.granule;
  }

  private forgetEarly(): void {
    this.early = { sequence: -1, segment: 0, offset: 0 };
  }

  /** Where a page of this stream with the given sequence number starts, or -1. */
  private findPage(b: Uint8Array, from: number, sequence: number): number {
    for (let i = from; i + HEADER <= b.length; i++) {
      const page = readHeader(b, i);
      if (page && page.serial === this.serial && page.sequence === sequence) return i;
    }
    return -1;
  }
}

function readHeader(b: Uint8Array, p: number): PageHeader | null {
  if (!isOggS(b, p) || b[p + 4] !== 0) return null;
  const view = new DataView(b.buffer, b.byteOffset + p);
  const segments = b[p + 26];
  let length = HEADER + segments;
  for (let i = 0; i < segments && p + HEADER + i < b.length; i++) length += b[p + HEADER + i];
  // All ones marks a page on which no packet ends.
  const granule = view.getInt32(10, true) === -1 ? -1 : view.getUint32(6, true) + view.getUint32(10, true) * 2 ** 32;
  return { flags: b[p + 5], granule, serial: view.getUint32(14, true), sequence: view.getUint32(18, true), segments, length };
}

export function isOggS(b: Uint8Array, p: number): boolean {
  return b[p] === 0x4f && b[p + 1] === 0x67 && b[p + 2] === 0x67 && b[p + 3] === 0x53;
}

/** One Ogg page holding whole packets (each laced in 255-byte segments, RFC 3533 §6). */
export function oggPage(packets: Uint8Array[], granule: number, flags: number, serial: number, sequence: number): Uint8Array {
  const lacing: number[] = [];
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(255, left));
      if (left < 255) break;
    }
  }
  if (lacing.length > 255) throw new Error(`an Ogg page holds at most 255 segments, not ${lacing.length}`);
  const body = concatBytes(...packets);
  const page = new Uint8Array(27 + lacing.length + body.length);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53]);
  page[4] = 0;
  page[5] = flags;
  view.setUint32(6, granule % 2 ** 32, true);
  view.setUint32(10, Math.floor(granule / 2 ** 32), true);
  view.setUint32(14, serial >>> 0, true);
  view.setUint32(18, sequence, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  page.set(body, 27 + lacing.length);
  view.setUint32(22, crc32(page, 0, page.length, 22), true);
  return page;
}
