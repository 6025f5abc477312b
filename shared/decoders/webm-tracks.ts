// How a WebM audio track becomes an Ogg stream (Matroska codec mappings A_OPUS and A_VORBIS):
// its header packets, its rate, and how many samples each packet adds to the granule
// position, so the Ogg decoders' trims and loss counts apply to it unchanged.
import { opusPacketSamples } from './opus-packet';
import { parseVorbisHead } from './vorbis-head';
import { VorbisPacketLengths, vorbisModes } from './vorbis-packet';
import { BadAudioError } from './types';

export interface WebmTrack {
  number: number;
  codec: string;
  channels: number;
  codecPrivate: Uint8Array | null;
  codecDelayNs: number;
}

export interface OggMapping {
  /** Samples a second in the granule positions (48000 for Opus). */
  rate: number;
  /** The header packets, a page's worth at a time. */
  headerPages: Uint8Array[][];
  /** The samples a packet adds, or null when it does not read as one of this stream's. */
  samples(packet: Uint8Array): number | null;
  /** Whether a packet reads as one of this stream's, without counting it (to find blocks again after damage). */
  fits(packet: Uint8Array): boolean;
  /** What a packet that cannot say is taken to hold before any has. */
  typicalSamples: number;
}

export const PLAYABLE_WEBM_CODECS: ReadonlySet<string> = new Set(['A_OPUS', 'A_VORBIS']);

/** The Ogg mapping of a track Utter plays. */
export function oggMapping(track: WebmTrack, splitXiph: (b: Uint8Array) => Uint8Array[] | null): OggMapping {
  return track.codec === 'A_VORBIS' ? vorbisMapping(track, splitXiph) : opusMapping(track);
}

function opusMapping(track: WebmTrack): OggMapping {
  const head = track.codecPrivate && ascii(track.codecPrivate, 0, 8) === 'OpusHead' ? track.codecPrivate : opusHead(track);
  const streams = head[18] === 0 ? 1 : (head[19] ?? 1);
  return {
    rate: 48_000,
    headerPages: [[head], [OPUS_TAGS]],
    samples: (packet) => opusPacketSamples(packet, streams) || null,
    fits: (packet) => opusPacketSamples(packet, streams) > 0,
    typicalSamples: 960,
  };
}

/**
 * Vorbis's three headers are CodecPrivate, Xiph-laced. Each packet's length follows from its
 * block size and the one before it (Vorbis I §4.3.8), and the first gives none: the granule
 * positions are those libvorbis would count, so nothing is trimmed that was not sent.
 */
function vorbisMapping(track: WebmTrack, splitXiph: (b: Uint8Array) => Uint8Array[] | null): OggMapping {
  const headers = track.codecPrivate && track.codecPrivate[0] === 2 ? splitXiph(track.codecPrivate) : null;
  const [ident, comment, setup] = headers ?? [];
  if (!ident || !comment || !setup || ident[0] !== 1 || comment[0] !== 3 || setup[0] !== 5) {
    throw new BadAudioError('This WebM Vorbis stream cannot be played: its CodecPrivate does not hold the three Vorbis headers.');
  }
  const head = parseVorbisHead(ident);
  if (typeof head === 'string') throw new BadAudioError(`This WebM Vorbis stream cannot be played: ${head}.`);
  const modes = vorbisModes(setup);
  const lengths = modes && new VorbisPacketLengths(modes, head.blocks);
  return {
    rate: head.rate,
    headerPages: [[ident], [comment, setup]],
    samples: (packet) => lengths?.next(packet) ?? null,
    // Without the modes (a setup header libvorbis will refuse too) any audio packet may be one.
    fits: (packet) => (lengths ? lengths.fits(packet) : packet.length > 0 && !(packet[0] & 1)),
    typicalSamples: head.blocks[0] / 2,
  };
}

/** An OpusHead for a track that has none in CodecPrivate: mono or stereo, its CodecDelay as pre-skip. */
function opusHead(track: WebmTrack): Uint8Array {
  const channels = track.channels || 1;
  if (channels > 2) throw new BadAudioError(`This WebM Opus stream has ${channels} channels and no OpusHead to say how they are mapped.`);
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set([...'OpusHead'].map((c) => c.charCodeAt(0)));
  head[8] = 1;
  head[9] = channels;
  view.setUint16(10, Math.min(0xffff, Math.round((track.codecDelayNs * 48_000) / 1e9)), true);
  view.setUint32(12, 48_000, true);
  return head;
}

/** An OpusTags packet with no vendor and no comments (RFC 7845 §5.2). */
const OPUS_TAGS = Uint8Array.from([...'OpusTags'].map((c) => c.charCodeAt(0)).concat([0, 0, 0, 0, 0, 0, 0, 0]));

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}
