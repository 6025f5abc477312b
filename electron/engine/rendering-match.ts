/**
 * How much of a segment's first attempt is kept to compare a restart against. A model that
 * renders differently on each request differs in its first frames; 256 KB is seconds of
 * audio in any format, so a longer identical prefix means the same rendering.
 */
export const COMPARED_BYTES = 256 * 1024;

/** The first bytes of one attempt at a segment, up to COMPARED_BYTES. */
export class BytePrefix {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  private joined: Uint8Array | null = null;

  add(bytes: Uint8Array): void {
    if (this.size >= COMPARED_BYTES || !bytes.length) return;
    // Copied: the reader may reuse its buffers.
    const kept = bytes.slice(0, COMPARED_BYTES - this.size);
    this.parts.push(kept);
    this.size += kept.length;
    this.joined = null;
  }

  get length(): number {
    return this.size;
  }

  bytes(): Uint8Array {
    if (!this.joined) {
      this.joined = new Uint8Array(this.size);
      let offset = 0;
      for (const part of this.parts) {
        this.joined.set(part, offset);
        offset += part.length;
      }
    }
    return this.joined;
  }
}

/**
 * Compares a restarted response with what the earlier attempt sent, piece by piece as it
 * arrives. Identical: the decoder may splice by frame count. Different (a non-deterministic
 * model, or another server after a failover): the segment must be played again from its start.
 */
export class RenderingMatch {
  private offset = 0;
  private mismatch = false;

  constructor(private readonly before: Uint8Array) {}

  add(bytes: Uint8Array): void {
    if (this.decided) return;
    const count = Math.min(bytes.length, this.before.length - this.offset);
    for (let i = 0; i < count; i++) {
      if (bytes[i] !== this.before[this.offset + i]) {
        this.mismatch = true;
        return;
      }
    }
    this.offset += count;
  }

  /** True once a difference was seen or the whole earlier prefix matched. */
  get decided(): boolean {
    return this.mismatch || this.offset >= this.before.length;
  }

  get differs(): boolean {
    return this.mismatch;
  }
}

/** True when two attempts kept the same first bytes. */
export function sameBytes(a: BytePrefix, b: BytePrefix): boolean {
  if (a.length !== b.length) return false;
  const x = a.bytes();
  const y = b.bytes();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
