// WebM (Matroska) Opus or Vorbis, remuxed as its bytes arrive into the Ogg pages OpusDecoder
// reads (https://www.matroska.org/technical/elements.html; the codec mappings are in
// webm-tracks.ts): for Opus, CodecPrivate is the OpusHead, CodecDelay the pre-skip, and a last
// block's DiscardPadding the end trim. Browsers' MediaRecorder and some speech services send
// Opus, and `ffmpeg -f webm` sends Vorbis where it has no Opus encoder. Live writers leave the
// Segment's and the Clusters' sizes unknown, so containers are entered, never measured.
import { concatBytes } from './audio';
import { FIRST_PAGE, LAST_PAGE, oggPage } from './ogg-packets';
import { BadAudioError } from './types';
import { parseVorbisHead } from './vorbis-head';
import { oggMapping, PLAYABLE_WEBM_CODECS, type OggMapping, type WebmTrack } from './webm-tracks';

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const AUDIO = 0xe1;
const BLOCK_GROUP = 0xa0;
const SIMPLE_BLOCK = 0xa3;
const BLOCK = 0xa1;
const DISCARD_PADDING = 0x75a2;
const TRACK_NUMBER = 0xd7;
const CODEC_ID = 0x86;
const CODEC_PRIVATE = 0x63a2;
const CODEC_DELAY = 0x56aa;
const CHANNELS = 0x9f;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const CLUSTER_TIMECODE = 0xe7;

/** Entered, not skipped: their children are read as they come. */
const CONTAINERS = new Set([SEGMENT, CLUSTER, TRACKS, TRACK_ENTRY, AUDIO, INFO]);
/** Every element whose children follow its header, as a walker that only measures sees them. */
export const WEBM_MASTERS: ReadonlySet<number> = new Set([...CONTAINERS, BLOCK_GROUP]);
export const WEBM_IDS = { EBML, CLUSTER, SIMPLE_BLOCK, BLOCK } as const;
/** Read whole. */
const LEAVES = new Set([SIMPLE_BLOCK, BLOCK, DISCARD_PADDING, TRACK_NUMBER, CODEC_ID, CODEC_PRIVATE, CODEC_DELAY, CHANNELS, TIMECODE_SCALE, CLUSTER_TIMECODE]);
/** The Segment's children: Cluster, Cues, Tags, SeekHead, Info, Tracks, Chapters, Attachments. */
const SEGMENT_CHILDREN = new Set([CLUSTER, 0x1c53bb6b, 0x1254c367, 0x114d9b74, INFO, TRACKS, 0x1043a770, 0x1941a469]);
/**
 * What may follow inside the clusters: a Cluster's children (Timecode, Position, PrevSize,
 * SimpleBlock, BlockGroup, EncryptedBlock, SilentTracks), Void and CRC-32, and the Segment's
 * children. Anything else there is damage: reading goes on at the next whole block or Cluster.
 */
const AFTER_CLUSTERS = new Set([CLUSTER_TIMECODE, 0xa7, 0xab, SIMPLE_BLOCK, BLOCK_GROUP, 0xaf, 0x5854, 0xec, 0xbf, SEGMENT, EBML, ...SEGMENT_CHILDREN]);
/** No block or header field Utter meets is larger: past this one is damage. */
const MAX_ELEMENT = 1 << 20;
/** A block found after damage must be followed by one of these. */
const NEXT_AFTER_BLOCK = new Set([SIMPLE_BLOCK, BLOCK_GROUP, 0xec, 0xbf]);

/** Whether these bytes start an EBML document (WebM, Matroska). */
export function isEbml(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3;
}

/**
 * The first audio track's codec of a WebM stream's first bytes ("A_OPUS", "A_VORBIS"), with
 * its channels and rate where the track says them; 'need-more', or null when there is none.
 */
export function webmAudioCodec(head: Uint8Array): { codec: string; channels: number; sampleRate?: number } | 'need-more' | null {
  const remux = new WebmRemux();
  try {
    remux.push(head);
  } catch {
    // Refused at the first Cluster: the tracks were read before it.
  }
  const track = remux.tracks.find((t) => t.codec.startsWith('A_'));
  // Opus's and Vorbis's channels and rate are in their headers, which follow the codec's name.
  if (track && !PLAYABLE_WEBM_CODECS.has(track.codec)) return { codec: track.codec, channels: track.channels || 1 };
  if (!track) return remux.inClusters || remux.lostSync ? null : 'need-more';
  if (!track.codecPrivate && !remux.inClusters) return 'need-more';
  if (track.codec === 'A_OPUS') return { codec: track.codec, channels: track.codecPrivate?.[9] || track.channels || 1, sampleRate: 48_000 };
  // Vorbis: the identification header, first of the three laced in CodecPrivate.
  const ident = track.codecPrivate ? laced(track.codecPrivate, 1)?.[0] : undefined;
  const vorbis = ident ? parseVorbisHead(ident) : null;
  if (vorbis && typeof vorbis !== 'string') return { codec: track.codec, channels: vorbis.channels, sampleRate: vorbis.rate };
  return { codec: track.codec, channels: track.channels || 1 };
}

/** What the EBML header's DocType calls the file: "Matroska" (an .mka, .mkv) or "WebM" (also when it does not say). */
export function ebmlDocName(head: Uint8Array): 'WebM' | 'Matroska' {
  const id = vint(head, 0, true);
  const size = id && id !== 'bad' ? vint(head, id.length, false) : null;
  if (!id || id === 'bad' || !size || size === 'bad') return 'WebM';
  const end = Math.min(head.length, id.length + size.length + size.value);
  for (let at = id.length + size.length; at < end; ) {
    const child = vint(head, at, true);
    const length = child && child !== 'bad' ? vint(head, at + child.length, false) : null;
    if (!child || child === 'bad' || !length || length === 'bad') break;
    const from = at + child.length + length.length;
    // DocType (42 82): "webm" or "matroska".
    if (child.value === 0x4282) return String.fromCharCode(...head.subarray(from, from + Math.min(length.value, 16))).replace(/\0+$/, '') === 'matroska' ? 'Matroska' : 'WebM';
    at = from + length.value;
  }
  return 'WebM';
}

/** A Matroska audio codec ID as a listener knows it: "A_VORBIS" is Vorbis. */
export function webmCodecName(codec: string): string {
  const names: Record<string, string> = { A_VORBIS: 'Vorbis', A_OPUS: 'Opus', A_AAC: 'AAC', A_FLAC: 'FLAC', 'A_MPEG/L3': 'MP3', A_AC3: 'AC-3', A_EAC3: 'E-AC-3' };
  if (names[codec]) return names[codec];
  if (codec.startsWith('A_PCM')) return 'PCM';
  // A damaged header's name is not worth repeating.
  return /^A_[\x20-\x7e]{1,40}$/.test(codec) ? codec.slice(2) : 'an unknown codec';
}

/** The bytes up to a WebM stream's first block, which a fresh decoder needs to take it up mid-stream; -1 until they are all here. */
export function webmHeaderLength(head: Uint8Array): number {
  const remux = new WebmRemux();
  try {
    remux.push(head);
  } catch {
    return -1;
  }
  return remux.headerLength;
}

/**
 * Takes WebM bytes in any chunking and gives back Ogg bytes: the header pages once the
 * tracks are known, then a page for each Opus or Vorbis packet, whose granule position counts
 * its samples (Opus's pre-skip among them), so the Ogg decoder's trims and damage counts
 * apply. Files joined in one body become chained Ogg streams.
 */
export class WebmRemux {
  readonly tracks: WebmTrack[] = [];
  inClusters = false;
  lostSync = false;
  /** Bytes up to the first Cluster's blocks (the EBML header, the tracks, the Cluster's ID and size); -1 until it comes. */
  headerLength = -1;
  /** The body ended before its first Cluster. */
  endedBeforeAudio = false;
  /** Blocks (or the bytes of one) lost to damage since the last look, and the samples they held where the blocks' times tell. */
  lost = 0;
  lostSamples = 0;
  private held: Uint8Array = new Uint8Array(0);
  /** Where held[0] is in the stream. */
  private offset = 0;
  private skip = 0;
  private group: { end: number; block: Uint8Array | null; discardNs: number } | null = null;
  private chosen: WebmTrack | null = null;
  private mapping: OggMapping | null = null;
  private serial = 0x57454220;
  private sequence = 0;
  private granule = 0;
  private lastSamples = 960;
  /** Nanoseconds a timecode counts (Info's TimecodeScale; 1 ms unless it says). */
  private timecodeScale = 1e6;
  private clusterTime = 0;
  /** When the next block should start (ns), and whether damage came before it: a later start is audio lost. */
  private nextBlockNs = -1;
  private damagedSinceBlock = false;

  push(bytes: Uint8Array): Uint8Array {
    const pages: Uint8Array[] = [];
    this.held = concatBytes(this.held, bytes);
    let at = 0;
    const advance = (n: number): void => void (at += n);
    const unsynced = (): void => {
      this.loseSync();
      at++;
    };
    for (;;) {
      const passed = Math.min(this.skip, this.held.length - at);
      advance(passed);
      this.skip -= passed;
      if (this.skip > 0) break;
      if (this.group && this.offset + at >= this.group.end) this.closeGroup(pages);
      if (this.lostSync) {
        const found = this.resyncAt(at);
        if (found < 0) {
          // Kept: the bytes a candidate found at the end still needs.
          at = Math.max(at, -found - 1);
          break;
        }
        at = found;
        this.lostSync = false;
      }
      const id = vint(this.held, at, true);
      if (id === null) break;
      const size = id === 'bad' || id.length > 4 ? 'bad' : vint(this.held, at + id.length, false);
      if (size === null) break;
      if (id === 'bad' || size === 'bad') {
        unsynced();
        continue;
      }
      const header = id.length + size.length;
      const element = id.value;
      if (element === EBML) {
        if (size.unknown) throw new BadAudioError('This WebM stream is malformed: its EBML header has no size.');
        // Another file joined on: its tracks start a chained stream.
        if (this.inClusters) this.startFile();
        advance(header);
        this.skip = size.value;
      } else if (this.inClusters && !AFTER_CLUSTERS.has(element) && !(this.group && this.offset + at < this.group.end)) {
        unsynced();
      } else if (CONTAINERS.has(element)) {
        // The first Cluster's own ID and size with it: a decoder given them reads what follows as blocks.
        if (element === CLUSTER && !this.inClusters) this.headerLength = this.offset + at + header;
        advance(header);
        if (element === TRACK_ENTRY) this.tracks.push({ number: 0, codec: '', channels: 0, codecPrivate: null, codecDelayNs: 0 });
        if (element === CLUSTER) this.enterCluster(pages);
      } else if (element === BLOCK_GROUP) {
        if (size.unknown) {
          unsynced();
          continue;
        }
        advance(header);
        this.group = { end: this.offset + at + size.value, block: null, discardNs: 0 };
      } else if (LEAVES.has(element)) {
        if (size.unknown || size.value > MAX_ELEMENT) {
          unsynced();
          continue;
        }
        if (this.held.length - at < header + size.value) break;
        this.leaf(element, this.held.subarray(at + header, at + header + size.value), pages);
        advance(header + size.value);
      } else {
        // Among the blocks, only the Segment's children (Cues, Tags…) may be large.
        if (size.unknown || (this.inClusters && size.value > MAX_ELEMENT && !SEGMENT_CHILDREN.has(element))) {
          unsynced();
          continue;
        }
        advance(header);
        this.skip = size.value;
      }
    }
    this.offset += at;
    this.held = this.held.slice(at);
    return concatBytes(...pages);
  }

  /** The end of the body: a block cut off is lost. */
  end(): Uint8Array {
    const pages: Uint8Array[] = [];
    if (this.group) this.closeGroup(pages);
    if (this.inClusters && (this.held.length > 0 || this.skip > 0) && !this.lostSync) {
      this.lost++;
      this.damagedSinceBlock = true;
    }
    // Bytes that never reached a Cluster (a damaged size skipped them all): not a stream without audio.
    if (!this.inClusters && this.offset + this.held.length > 0 && !this.endedBeforeAudio) {
      this.endedBeforeAudio = true;
      this.lost++;
    }
    // No block came after the damage to say how long it was: a packet's worth.
    if (this.damagedSinceBlock) this.lostSamples += this.lastSamples;
    this.damagedSinceBlock = false;
    this.held = new Uint8Array(0);
    this.skip = 0;
    return concatBytes(...pages);
  }

  private leaf(element: number, payload: Uint8Array, pages: Uint8Array[]): void {
    const track = this.tracks.at(-1);
    switch (element) {
      case SIMPLE_BLOCK:
        return this.block(payload, 0, pages);
      case BLOCK:
        if (this.group) this.group.block = payload.slice();
        return;
      case DISCARD_PADDING:
        if (this.group) this.group.discardNs = signed(payload);
        return;
    }
    if (element === CLUSTER_TIMECODE) return void (this.clusterTime = unsigned(payload));
    if (element === TIMECODE_SCALE) return void (this.timecodeScale = unsigned(payload) || 1e6);
    if (!track || this.inClusters) return;
    if (element === TRACK_NUMBER) track.number = unsigned(payload);
    else if (element === CODEC_ID) track.codec = String.fromCharCode(...payload).replace(/\0+$/, '');
    else if (element === CODEC_PRIVATE) track.codecPrivate = payload.slice();
    else if (element === CODEC_DELAY) track.codecDelayNs = unsigned(payload);
    else if (element === CHANNELS) track.channels = unsigned(payload);
  }

  /** The first Cluster: the tracks are known, and the Opus or Vorbis one gives the Ogg header pages. */
  private enterCluster(pages: Uint8Array[]): void {
    if (this.inClusters) return;
    this.inClusters = true;
    const audio = this.tracks.filter((t) => t.codec.startsWith('A_'));
    const chosen = audio.find((t) => PLAYABLE_WEBM_CODECS.has(t.codec));
    if (!chosen) {
      throw new BadAudioError(audio.length ? `This WebM stream carries ${webmCodecName(audio[0].codec)} audio, which Utter cannot play (only Opus and Vorbis in WebM).` : 'This WebM stream has no audio track.');
    }
    const mapping = oggMapping(chosen, (b) => laced(b, 1));
    this.chosen = chosen;
    this.mapping = mapping;
    this.granule = 0;
    this.lastSamples = mapping.typicalSamples;
    mapping.headerPages.forEach((packets, i) => pages.push(this.page(packets, 0, i === 0 ? FIRST_PAGE : 0)));
  }

  private closeGroup(pages: Uint8Array[]): void {
    const group = this.group!;
    this.group = null;
    if (group.block) this.block(group.block, group.discardNs, pages);
  }

  /** A block's packets, one page each; a DiscardPadding ends the stream that much short. */
  private block(b: Uint8Array, discardNs: number, pages: Uint8Array[]): void {
    const track = vint(b, 0, false);
    if (track === null || track === 'bad' || b.length < track.length + 3) return void this.lost++;
    // A block of a track the header did not declare is damage that looked like one.
    if (!this.tracks.some((t) => t.number === track.value)) return void this.lost++;
    const mapping = this.mapping;
    if (!this.chosen || !mapping || track.value !== this.chosen.number) return;
    const samplesPerNs = mapping.rate / 1e9;
    const frames = laced(b.subarray(track.length + 3), (b[track.length + 2] >> 1) & 3);
    if (!frames) return void this.lost++;
    const startNs = (this.clusterTime + ((b[track.length] << 24) >> 16 | b[track.length + 1])) * this.timecodeScale;
    // After damage the blocks' times say how much was lost (a 20 ms packet is a frame).
    if (this.damagedSinceBlock && this.nextBlockNs >= 0 && startNs > this.nextBlockNs) this.lostSamples += Math.round((startNs - this.nextBlockNs) * samplesPerNs);
    this.damagedSinceBlock = false;
    let blockSamples = 0;
    frames.forEach((frame, i) => {
      // One that cannot say its length is taken to be as long as the one before (the decoder counts it lost).
      const samples = mapping.samples(frame) ?? this.lastSamples;
      if (samples) this.lastSamples = samples;
      this.granule += samples;
      blockSamples += samples;
      const last = i === frames.length - 1 && discardNs > 0;
      const granule = last ? Math.max(0, this.granule - Math.round(discardNs * samplesPerNs)) : this.granule;
      pages.push(this.page([frame], granule, last ? LAST_PAGE : 0));
    });
    this.nextBlockNs = startNs + blockSamples / samplesPerNs;
  }

  /**
   * Where reading can go on after damage: the next Cluster or file, or a SimpleBlock of the
   * chosen track holding a well-formed packet and followed by another element a cluster holds.
   * Otherwise -(the first byte to keep + 1): a candidate whose end has not arrived yet.
   */
  private resyncAt(from: number): number {
    const b = this.held;
    for (let i = from; i < b.length; i++) {
      if (b[i] === 0x1f || b[i] === 0x1a) {
        // A Cluster, or another file's EBML header.
        if (i + 4 > b.length) return -i - 1;
        const magic = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
        if (magic === CLUSTER || magic === EBML) return i;
      } else if (b[i] === SIMPLE_BLOCK && this.chosen && this.mapping) {
        const size = vint(b, i + 1, false);
        if (size === null) return -i - 1;
        if (size === 'bad' || size.unknown || size.value < 5 || size.value > MAX_ELEMENT) continue;
        const start = i + 1 + size.length;
        const end = start + size.value;
        if (end + 1 > b.length) return -i - 1;
        const track = vint(b, start, false);
        if (track === null || track === 'bad' || track.value !== this.chosen.number || (b[start + track.length + 2] & 0x06) !== 0) continue;
        if (!this.mapping.fits(b.subarray(start + track.length + 3, end))) continue;
        const next = vint(b, end, true);
        if (next === null) return -i - 1;
        if (next !== 'bad' && (NEXT_AFTER_BLOCK.has(next.value) || next.value === CLUSTER)) return i;
      }
    }
    return -b.length - 1;
  }

  private page(packets: Uint8Array[], granule: number, flags: number): Uint8Array {
    return oggPage(packets, granule, flags, this.serial, this.sequence++);
  }

  private loseSync(): void {
    if (!this.lostSync) this.lost++;
    this.lostSync = true;
    this.damagedSinceBlock = true;
    this.group = null;
  }

  private startFile(): void {
    this.tracks.length = 0;
    this.inClusters = false;
    this.chosen = null;
    this.mapping = null;
    this.group = null;
    this.serial++;
    this.sequence = 0;
  }
}

/** A block's frames by its lacing (0 none, 1 Xiph, 2 fixed, 3 EBML), or null when the lacing does not add up. */
export function laced(b: Uint8Array, lacing: number): Uint8Array[] | null {
  if (lacing === 0) return [b];
  if (!b.length) return null;
  const count = b[0] + 1;
  let at = 1;
  const sizes: number[] = [];
  if (lacing === 1) {
    for (let i = 0; i < count - 1; i++) {
      let size = 0;
      for (;;) {
        if (at >= b.length) return null;
        size += b[at];
        if (b[at++] !== 255) break;
      }
      sizes.push(size);
    }
  } else if (lacing === 3) {
    const first = vint(b, at, false);
    if (first === null || first === 'bad') return null;
    at += first.length;
    sizes.push(first.value);
    for (let i = 1; i < count - 1; i++) {
      const delta = vint(b, at, false);
      if (delta === null || delta === 'bad') return null;
      at += delta.length;
      // A signed difference from the size before: the value less half its range.
      sizes.push(sizes[i - 1] + delta.value - (2 ** (7 * delta.length - 1) - 1));
    }
  } else {
    if ((b.length - 1) % count !== 0) return null;
    for (let i = 0; i < count - 1; i++) sizes.push((b.length - 1) / count);
  }
  const rest = b.length - at - sizes.reduce((sum, size) => sum + size, 0);
  if (rest < 0 || sizes.some((size) => size < 0)) return null;
  sizes.push(rest);
  const frames: Uint8Array[] = [];
  for (const size of sizes) {
    frames.push(b.subarray(at, at + size));
    at += size;
  }
  return frames;
}

/**
 * An EBML variable-length integer at b[at]: an element ID (with its length marker, as IDs
 * are written) or a size (without; all ones means unknown). Null when not all of it is here.
 */
export function vint(b: Uint8Array, at: number, isId: boolean): { value: number; length: number; unknown: boolean } | 'bad' | null {
  if (at >= b.length) return null;
  const first = b[at];
  if (first === 0) return 'bad';
  const length = Math.clz32(first) - 23;
  if (at + length > b.length) return null;
  let value = isId ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[at + i];
    allOnes &&= b[at + i] === 0xff;
  }
  return { value, length, unknown: !isId && allOnes };
}

function unsigned(b: Uint8Array): number {
  let value = 0;
  for (const byte of b.subarray(0, 8)) value = value * 256 + byte;
  return value;
}

function signed(b: Uint8Array): number {
  if (!b.length) return 0;
  const value = unsigned(b);
  return b[0] & 0x80 ? value - 2 ** (8 * Math.min(8, b.length)) : value;
}
