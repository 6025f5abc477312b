/** A body is timed from where this share of its bytes had come: what came before may be a burst. */
const SETTLED_SHARE = 0.25;

/**
 * Network throughput while audio bodies arrive (spec M4), as the decoder worker sees them.
 * Bytes that reach the worker in a burst after a stall (a busy main process, a loaded
 * machine) are not a rate: timed from its first byte, a body at 768 kbit/s read 941 in a
 * loaded CI run. Each body is timed from where its first quarter had come to its last byte.
 */
export class BodyRate {
  private doneBytes = 0;
  private doneMs = 0;
  /** The current body: when each read came, and the bytes up to and with it. */
  private arrivals: { at: number; total: number }[] = [];

  arrived(at: number, bytes: number): void {
    const total = (this.arrivals.at(-1)?.total ?? 0) + bytes;
    this.arrivals.push({ at, total });
  }

  /** The current body is over: its span is added to the total, and the next starts afresh. */
  endBody(): void {
    const { bytes, ms } = this.span();
    this.doneBytes += bytes;
    this.doneMs += ms;
    this.arrivals = [];
  }

  /** Bytes a second over every body so far; 0 until one has come in two reads or more. */
  get bytesPerSecond(): number {
    const { bytes, ms } = this.span();
    const total = this.doneMs + ms;
    return total > 0 ? Math.round((this.doneBytes + bytes) / (total / 1000)) : 0;
  }

  private span(): { bytes: number; ms: number } {
    const last = this.arrivals.at(-1);
    if (!last || this.arrivals.length < 2) return { bytes: 0, ms: 0 };
    let from = this.arrivals.find((a) => a.total >= last.total * SETTLED_SHARE)!;
    if (from === last) from = this.arrivals[0];
    return { bytes: last.total - from.total, ms: last.at - from.at };
  }
}
