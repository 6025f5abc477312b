import type { Credit } from '../../shared/speech-events';

/**
 * Credit-based flow control (spec A1, B4). The engine reads the network only while the
 * consumer holds less than max-buffer of audio and has taken in all but one window of
 * the bytes sent; otherwise it stops reading, and TCP pushes back on the server.
 */
export class FlowGate {
  private sent = 0;
  private credit: Credit = { consumedBytes: 0, bufferedMs: 0 };
  /** The first report that held audio: bytes before it (headers, padding, seek tables) carry none. */
  private firstAudio: { consumedBytes: number; decodedMs: number } | undefined;
  /** Where the current segment's bytes begin, and the audio decoded when the consumer reached them (undefined: not yet). */
  private segmentMark: { sent: number; decodedMs: number | undefined } = { sent: 0, decodedMs: 0 };
  private paused = false;
  private heardBuffer = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly maxBufferMs: number,
    /** Bytes that may be in flight to the consumer before it reports. */
    readonly windowBytes: number,
    /** Without a consumer that reports (a file writer that keeps up), the gate stays open. */
    private readonly enabled = true,
  ) {}

  /** Bytes sent and not yet taken in by the consumer. */
  get outstandingBytes(): number {
    return this.sent - this.credit.consumedBytes;
  }

  /** True when the engine may read more. */
  get open(): boolean {
    if (this.paused) return false;
    if (!this.enabled) return true;
    // Until the consumer has said how much audio a byte holds, over a quarter window of
    // audio at least (its first reports lag the decoder and count header bytes), allow
    // only a quarter window.
    const window = this.audioPerByteKnown ? this.windowBytes : this.windowBytes / 4;
    return this.projectedBufferMs < this.maxBufferMs && this.outstandingBytes < window;
  }

  /** What the consumer will hold once it has decoded the bytes in flight too. */
  get projectedBufferMs(): number {
    return this.credit.bufferedMs + this.outstandingBytes * this.msPerByte();
  }

  /** True once the consumer has reported audio held: a player listening live, not a file being written. */
  get live(): boolean {
    return this.heardBuffer && !this.paused;
  }

  /** True once the audio per byte comes from a quarter window of audio bytes or more. */
  private get audioPerByteKnown(): boolean {
    const first = this.firstAudio;
    return first !== undefined && this.credit.consumedBytes - first.consumedBytes >= this.windowBytes / 4;
  }

  /** Audio per byte as the consumer reports it; 0 until it has. */
  get audioMsPerByte(): number {
    return this.msPerByte();
  }

  /**
   * Audio per byte, from the bytes since the first audio where there are enough of them:
   * the average from the start counts header bytes as audio and underestimates it (a FLAC
   * stream starts with kilobytes of padding), which let max-buffer overshoot.
   */
  private msPerByte(): number {
    const { consumedBytes, decodedMs } = this.credit;
    if (!decodedMs || !consumedBytes) return 0;
    const first = this.firstAudio;
    const bytesSince = first ? consumedBytes - first.consumedBytes : 0;
    if (first && bytesSince >= this.windowBytes / 4) return Math.max(decodedMs / consumedBytes, (decodedMs - first.decodedMs) / bytesSince);
    return decodedMs / consumedBytes;
  }

  /** The bytes sent from now on are a new segment's (or a new attempt's). */
  startSegment(): void {
    this.segmentMark = { sent: this.sent, decodedMs: undefined };
    this.markSegment();
  }

  /**
   * Audio the consumer has decoded from the current segment's bytes. Bytes that hold none (an
   * ID3 tag with cover art, FLAC padding, Ogg headers) count for none, as bytes times the
   * audio per byte would not; nor do the previous segments', whatever their format. From the
   * report that first reached the segment: audio of its first bytes in that report is missed.
   */
  get segmentDecodedMs(): number {
    const at = this.segmentMark.decodedMs;
    return at === undefined ? 0 : Math.max(0, (this.credit.decodedMs ?? 0) - at);
  }

  private markSegment(): void {
    if (this.segmentMark.decodedMs === undefined && this.credit.consumedBytes >= this.segmentMark.sent) this.segmentMark.decodedMs = this.credit.decodedMs ?? 0;
  }

  /** Counts bytes handed to the consumer. */
  sentBytes(count: number): void {
    this.sent += count;
  }

  /** The consumer's report; may open the gate. */
  report(credit: Credit): void {
    // Reports can arrive out of order over a port: never step backwards.
    this.credit = {
      consumedBytes: Math.max(this.credit.consumedBytes, Math.min(credit.consumedBytes, this.sent)),
      bufferedMs: Math.max(0, credit.bufferedMs),
      decodedMs: credit.decodedMs,
    };
    if (credit.bufferedMs > 0) this.heardBuffer = true;
    if (!this.firstAudio && credit.decodedMs) this.firstAudio = { consumedBytes: this.credit.consumedBytes, decodedMs: credit.decodedMs };
    this.markSegment();
    this.wake();
  }

  /** Holds all reading (user pause). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.wake();
  }

  /** Resolves when the gate is open, or when the signal aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    while (!this.open && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
