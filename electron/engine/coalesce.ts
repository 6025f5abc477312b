/**
 * Coalesces network chunks (spec C3): decoders are slow on tiny inputs, so bytes go out in
 * pieces of `chunkSize()` (see chunk-size.ts), or after `flushMs` of quiet so that a trickle
 * still flows. Only a trickle waits: what is left of a read of at least `trickleBelow()`
 * bytes goes at once, since holding audio in hand for a chunk to fill only delays it (the
 * end of a segment's first read waited the whole quiet time, and a learned start with it).
 */
export class ChunkCoalescer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastReadMs = 0;

  constructor(
    private readonly chunkSize: () => number,
    private readonly flushMs: number,
    /**
     * `readMs`: when the last of these bytes was read (every chunk ends in the latest read).
     * `following`: bytes this push emits right after this chunk, already read.
     */
    private readonly emit: (bytes: Uint8Array, readMs: number, following: number) => void,
    private readonly trickleBelow: () => number = () => Infinity,
  ) {}

  /** Bytes held and not yet emitted (for the memory-bound measurements). */
  get heldBytes(): number {
    return this.size;
  }

  /** Adds one read's bytes; emits every full chunk at once, and the rest of a read that is no trickle. */
  push(bytes: Uint8Array, readMs = performance.now()): void {
    if (!bytes.length) return;
    this.lastReadMs = readMs;
    this.parts.push(bytes);
    this.size += bytes.length;
    // A trickle's rest waits for more, so only the rest of a large read follows at once.
    const restFollows = bytes.length >= this.trickleBelow();
    for (let size = this.chunkSize(); this.size >= size; size = this.chunkSize()) {
      const chunk = this.take(size);
      this.emit(chunk, this.lastReadMs, restFollows ? this.size : 0);
    }
    this.clearTimer();
    if (restFollows) return this.flush();
    if (this.size > 0) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  /** Emits whatever is held. */
  flush(): void {
    this.clearTimer();
    if (this.size > 0) this.emit(this.take(this.size), this.lastReadMs, 0);
  }

  /** Drops whatever is held (the segment is abandoned). */
  discard(): void {
    this.clearTimer();
    this.parts = [];
    this.size = 0;
  }

  private take(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.parts[0];
      const n = Math.min(head.length, count - filled);
      out.set(n === head.length ? head : head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.parts.shift();
      else this.parts[0] = head.subarray(n);
    }
    this.size -= count;
    return out;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
