/**
 * How long a Vorbis audio packet is, without decoding it: what lets the packets of a page still
 * arriving be checked and played before its CRC (as Opus's are). A packet's first byte holds
 * its mode, and the mode says whether the block is short or long; the modes are listed last in
 * the setup header, after codebooks of no fixed length, so they are found by reading it from
 * its end, as FFmpeg's and liboggz's Vorbis parsers do.
 */

/** Each mode's block flag (true: a long block), from the setup header; null when they cannot be found. */
export function vorbisModes(setup: Uint8Array): boolean[] | null {
  // Vorbis packs bits from each byte's lowest up, so the bits read backwards are the bytes
  // reversed, each read from its highest bit down.
  const total = setup.length * 8;
  const bit = (n: number): number => (setup[setup.length - 1 - (n >> 3)] >> (7 - (n & 7))) & 1;
  const bits = (from: number, count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i++) value = (value << 1) | bit(from + i);
    return value;
  };
  // The framing bit ends the header; the zero bits after it are padding.
  let at = 0;
  while (at < total - 97 && !bit(at)) at++;
  if (at >= total - 97) return null;
  at++;
  const framing = at;
  // Backwards, each mode is its mapping (8 bits, under 64), transform and window types (16 bits each, zero), then its block flag.
  let count = 0;
  let found = 0;
  while (total - at >= 97 && count < 64) {
    if (bits(at, 8) > 63 || bits(at + 8, 16) || bits(at + 24, 16)) break;
    at += 41;
    count++;
    // Before the modes, 6 bits hold their count less one: where they agree, the list may end here.
    if (bits(at, 6) + 1 === count) found = count;
  }
  if (!found) return null;
  const flags: boolean[] = new Array(found);
  for (let i = found - 1, pos = framing; i >= 0; i--, pos += 41) flags[i] = bit(pos + 40) === 1;
  return flags;
}

/** An audio packet's block size, and the previous block's where the packet says it (long blocks); null for a header or damage. */
export function vorbisPacketBlocks(packet: Uint8Array, modes: boolean[], blocks: [number, number]): { current: number; previous: number | null } | null {
  if (!packet.length || packet[0] & 1) return null;
  // The mode number takes as many bits as the highest mode needs, after the packet-type bit.
  const modeBits = modes.length > 1 ? 32 - Math.clz32(modes.length - 1) : 0;
  const mode = (packet[0] >> 1) & ((1 << modeBits) - 1);
  if (mode >= modes.length) return null;
  if (!modes[mode]) return { current: blocks[0], previous: null };
  // A long block's next bit says whether the block before it was long (modes number at most 63, so it is in this byte or the next).
  const at = 1 + modeBits;
  const byte = packet[at >> 3];
  if (byte === undefined) return null;
  return { current: blocks[1], previous: blocks[(byte >> (at & 7)) & 1] };
}

/**
 * The samples each audio packet gives in turn, as libvorbis returns them: none for the
 * first, then a quarter of the block before plus a quarter of its own (the overlap). A
 * packet that does not read as audio gives null and leaves the count where it was, as
 * libvorbis, refusing it, does.
 */
export class VorbisPacketLengths {
  private previous = 0;

  constructor(
    private readonly modes: boolean[],
    private readonly blocks: [number, number],
  ) {}

  next(packet: Uint8Array): number | null {
    const block = vorbisPacketBlocks(packet, this.modes, this.blocks);
    if (!block) return null;
    const samples = this.previous ? (this.previous + block.current) / 4 : 0;
    this.previous = block.current;
    return samples;
  }

  /** Whether a packet reads as audio of this stream, without counting it. */
  fits(packet: Uint8Array): boolean {
    return vorbisPacketBlocks(packet, this.modes, this.blocks) !== null;
  }
}
