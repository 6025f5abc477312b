// Whether a stream that ended cleanly (HTTP EOF) was cut short, told from its own framing
// when its header declares no length (declared-length.ts covers the headers that do).
// MP3 and ADTS frames and Ogg pages carry their length; FLAC frames end where a CRC-16
// closes. Sync lost mid-stream means "cannot tell", never "cut": a false alarm would make
// the engine retry audio that was whole.
import type { AudioFormat } from '../../shared/audio-format';
import { concatBytes } from '../../shared/decoders/audio';
import { adtsHeader, apeTagLength, id3Length, mpegHeader } from '../../shared/decoders/frame-headers';
import { isEbml, vint, WEBM_IDS, WEBM_MASTERS } from '../../shared/decoders/webm';
import { FlacWalker } from './flac-end';
import { agrees, bytes, isUnit, startsWith, UnitWalker, type Step, type Units } from './stream-units';

/** Follows a stream's framing as its bytes arrive and says, at a clean EOF, whether it was cut short. */
export class StreamEndCheck {
  private readonly framing: { push(bytes: Uint8Array): void; end(): string | null } | null;

  constructor(format: AudioFormat) {
    this.framing =
      format === 'mp3' ? new UnitWalker(new SyncedFrames(MP3_FRAMES))
      : format === 'aac' ? new UnitWalker(new SyncedFrames(ADTS_FRAMES))
      : format === 'opus' ? new UnitWalker(new OpusUnits())
      : format === 'flac' ? new FlacFraming()
      : null; // WAV: declared-length.ts; PCM has no framing
  }

  /** Every byte of the body, in order, in any chunking. */
  push(bytes: Uint8Array): void {
    this.framing?.push(bytes);
  }

  /** At EOF: null when the stream may end here (or it cannot tell), else a short reason. */
  cutShort(): string | null {
    return this.framing?.end() ?? null;
  }
}


/** ID3v2 before (or between) MP3 and ADTS frames, ID3v1 and APE tags after them; null when none starts here. */
function tagStep(h: Uint8Array, have: number): Step | null {
  if (have < 3) return { need: 3 };
  if (startsWith(h, 'ID3')) return have < 10 ? { need: 10 } : { length: id3Length(h), label: 'ID3v2 tag' };
  if (startsWith(h, 'TAG')) return { length: 128, label: null };
  if (!startsWith(h, 'APE')) return null;
  if (have < 32) return { need: 32 };
  const length = apeTagLength(h, 0);
  return length ? { length, label: null } : 'lost';
}

/** What tells one kind of synced frame (MP3, ADTS) from another. */
interface FrameKind {
  label: string;
  headerSize: number;
  /** The whole frame's length from its header, or null when these bytes are no header. */
  length(h: Uint8Array): number | null;
  /** True when a header belongs to the stream that `first` began (catches chance sync words). */
  sameStream(h: Uint8Array, first: Uint8Array): boolean;
  /** A valid header, to complete a partial one when no frame came before it. */
  typical: Uint8Array;
}

const MP3_FRAMES: FrameKind = {
  label: 'MP3 frame',
  headerSize: 4,
  length: (h) => mpegHeader(h, 0)?.frameLength ?? null,
  // Version and layer; sample rate.
  sameStream: (h, first) => (h[1] & 0xfe) === (first[1] & 0xfe) && (h[2] & 0x0c) === (first[2] & 0x0c),
  typical: Uint8Array.of(0xff, 0xfb, 0x90, 0xc4),
};

const ADTS_FRAMES: FrameKind = {
  label: 'AAC frame',
  headerSize: 7,
  length: (h) => adtsHeader(h, 0)?.frameLength ?? null,
  // MPEG id and layer; profile, rate and channels.
  sameStream: (h, first) => (h[1] & 0xf6) === (first[1] & 0xf6) && (h[2] & 0xfd) === (first[2] & 0xfd) && (h[3] & 0xc0) === (first[3] & 0xc0),
  typical: Uint8Array.of(0xff, 0xf1, 0x50, 0x80, 0x10, 0x1f, 0xfc),
};

/** MP3 or ADTS frames, and the tags that may come before, between or after them. */
class SyncedFrames implements Units {
  /** The first frame's header: later ones must agree with it, or sync is lost. */
  private first: Uint8Array | null = null;

  constructor(private readonly kind: FrameKind) {}

  step(h: Uint8Array, have: number): Step {
    const tag = tagStep(h, have);
    if (tag) {
      if (isUnit(tag)) this.first = null; // another stream may follow a tag
      return tag;
    }
    if (have < this.kind.headerSize) return { need: this.kind.headerSize };
    const length = this.header(h);
    if (length === null) return 'lost';
    this.first ??= h.slice(0, this.kind.headerSize);
    return { length, label: this.kind.label };
  }

  partial(h: Uint8Array, have: number): string | null {
    if (agrees(h, have, 'ID3')) return `it ends ${bytes(have)} into an ID3v2 tag header`;
    if (have >= this.kind.headerSize) return null; // into an ID3v1 or APE tag: no audio lost
    const whole = (this.first ?? this.kind.typical).slice();
    whole.set(h.subarray(0, have));
    return this.header(whole) === null ? null : `it ends ${bytes(have)} into an ${this.kind.label} header`;
  }

  atBoundary(): null {
    return null; // a frame boundary may be the end (an MP3's Xing/Info byte count is declared-length.ts's)
  }

  private header(h: Uint8Array): number | null {
    return this.kind.sameStream(h, this.first ?? h) ? this.kind.length(h) : null;
  }
}

/** Ogg pages (RFC 3533): header, lacing values, body; each logical stream ends with an EOS page. */
class OggUnits implements Units {
  /** Serial numbers of the logical streams begun (BOS) and not yet ended (EOS). */
  private readonly open = new Set<number>();

  step(h: Uint8Array, have: number): Step {
    if (have < 27) return { need: 27 };
    if (!startsWith(h, 'OggS') || h[4] !== 0 || h[5] > 7) return 'lost';
    const segments = h[26];
    if (have < 27 + segments) return { need: 27 + segments };
    let length = 27 + segments;
    for (let k = 27; k < 27 + segments; k++) length += h[k];
    const serial = (h[14] | (h[15] << 8) | (h[16] << 16) | (h[17] << 24)) >>> 0;
    if (h[5] & 0x02) this.open.add(serial);
    if (h[5] & 0x04) this.open.delete(serial);
    return this.open.size > 16 ? 'lost' : { length, label: 'Ogg page' };
  }

  partial(h: Uint8Array, have: number): string | null {
    return agrees(h, have, 'OggS\0') ? `it ends ${bytes(have)} into an Ogg page header` : null;
  }

  atBoundary(): string | null {
    return this.open.size > 0 ? 'no Ogg end-of-stream page' : null;
  }
}

/** FLAC comes native, or in Ogg pages when the stream starts with "OggS". */
class FlacFraming {
  private inner: { push(bytes: Uint8Array): void; end(): string | null } | null = null;
  private first: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): void {
    if (this.inner) return this.inner.push(bytes);
    this.first = concatBytes(this.first, bytes);
    if (this.first.length < 4) return;
    this.inner = startsWith(this.first, 'OggS') ? new UnitWalker(new OggUnits()) : new FlacWalker();
    this.inner.push(this.first);
  }

  end(): string | null {
    if (!this.inner) {
      this.inner = new FlacWalker();
      this.inner.push(this.first);
    }
    return this.inner.end();
  }
}

/** Opus comes in Ogg pages, or in WebM elements when the stream starts with EBML's magic. */
class OpusUnits implements Units {
  private inner: Units | null = null;

  step(h: Uint8Array, have: number): Step {
    if (!this.inner) {
      if (have < 4) return { need: 4 };
      this.inner = isEbml(h) ? new WebmUnits() : new OggUnits();
    }
    return this.inner.step(h, have);
  }

  partial(h: Uint8Array, have: number): string | null {
    return (this.inner ?? new OggUnits()).partial(h, have);
  }

  atBoundary(): string | null {
    return this.inner?.atBoundary() ?? null;
  }
}

/**
 * WebM elements (EBML: an ID, a size, the payload): containers are entered, whatever their
 * size says (live writers leave it unknown), other elements are measured. Only a block cut
 * off loses audio; a stream that stops between elements looks whole, as WebM has no end mark.
 */
class WebmUnits implements Units {
  private inClusters = false;

  step(h: Uint8Array, have: number): Step {
    const id = vint(h.subarray(0, have), 0, true);
    if (id === 'bad' || (id && id.length > 4)) return 'lost';
    if (!id) return { need: have + 1 };
    const size = vint(h.subarray(0, have), id.length, false);
    if (size === 'bad') return 'lost';
    if (!size) return { need: id.length + (have > id.length ? Math.clz32(h[id.length]) - 23 : 1) };
    const header = id.length + size.length;
    if (id.value === WEBM_IDS.CLUSTER) this.inClusters = true;
    if (WEBM_MASTERS.has(id.value)) return { length: header, label: null };
    if (size.unknown) return 'lost';
    const block = id.value === WEBM_IDS.SIMPLE_BLOCK || id.value === WEBM_IDS.BLOCK;
    return { length: header + size.value, label: block ? 'WebM block' : null };
  }

  partial(_h: Uint8Array, have: number): string | null {
    return this.inClusters ? `it ends ${bytes(have)} into a WebM element header` : null;
  }

  atBoundary(): null {
    return null;
  }
}
