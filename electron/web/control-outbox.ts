import type { WebSocket } from 'ws';

/** How far a page's socket may fall behind before the server holds what it sends. */
export interface OutboxLimits {
  /** Past this many bytes not yet written, messages wait here instead of in the socket. */
  behindBytes: number;
  /** Messages that cannot be replaced wait up to this many bytes; past it the socket is closed. */
  mostHeldBytes: number;
  /** A socket that writes nothing for this long while messages wait is closed (a frozen tab). */
  stallMs: number;
}

const MEBIBYTE = 1024 * 1024;
const LIMITS: OutboxLimits = { behindBytes: MEBIBYTE, mostHeldBytes: 16 * MEBIBYTE, stallMs: 30_000 };

/**
 * What goes just before a message, decided as that message is written: the texts a view
 * names that the page lacks. Held with the view, they would be sent for views that a newer
 * one replaces, and would count against the bound of a page that reads.
 */
export type Ahead = (write: (data: string) => void) => void;

/** The close code of a page's socket that fell too far behind. */
export const BEHIND_CLOSE_CODE = 4008;
// (A close reason is at most 123 bytes.)
const BEHIND_REASON = 'This page stopped reading its updates: utter web closed the connection; the page connects again by itself.';

/**
 * What `utter web` sends a page's control socket. A tab that is frozen (or on a slow link)
 * reads nothing, and a view (a whole snapshot) comes on every sentence: sent as they come,
 * they would fill the server's memory. So while the socket is behind, a snapshot waits here
 * and replaces the one of its kind that waited before it; everything else (replies, play
 * tickets, transport) waits in order, up to a bound. All of it goes once the socket has
 * written what it had (ws calls a send's callback when its data is written out). The texts
 * a view names are not held: they go with the view that is written (see Ahead).
 */
export class ControlOutbox {
  /** What waits, in order; `kind` names a snapshot that a newer one of its kind replaces. */
  private held: { kind: string | null; data: string; bytes: number; ahead?: Ahead }[] = [];
  /** The bytes of held messages that no newer one replaces. */
  private keptBytes = 0;
  /** Sends whose data is not written out yet. */
  private unwritten = 0;
  private stall: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly onGiveUp: () => void = () => {},
    private readonly limits: OutboxLimits = LIMITS,
  ) {
    ws.once('close', () => this.drop());
  }

  /**
   * Sends `data`, or holds it while the socket is behind; a snapshot of `kind` replaces the
   * held one of that kind. `ahead` writes what must precede `data`, when `data` is written.
   */
  send(data: string, kind: string | null = null, ahead?: Ahead): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.held.length && this.ws.bufferedAmount <= this.limits.behindBytes) return this.write(data, ahead);
    if (kind !== null) this.held = this.held.filter((message) => message.kind !== kind);
    const bytes = kind === null ? Buffer.byteLength(data) : 0;
    this.held.push({ kind, data, bytes, ahead });
    this.keptBytes += bytes;
    if (this.keptBytes > this.limits.mostHeldBytes) return this.giveUp();
    this.stall ??= setTimeout(() => this.giveUp(), this.limits.stallMs);
  }

  private write(data: string, ahead?: Ahead): void {
    ahead?.((before) => this.write(before));
    this.unwritten++;
    this.ws.send(data, () => {
      this.unwritten--;
      // Data written out is progress, however slow: only a socket that writes nothing is given up.
      this.stall?.refresh();
      if (this.unwritten === 0) this.flush();
    });
  }

  /** The socket wrote all it had: what waited goes, until it is behind again. */
  private flush(): void {
    while (this.held.length && this.ws.readyState === this.ws.OPEN && this.ws.bufferedAmount <= this.limits.behindBytes) {
      const next = this.held.shift()!;
      this.keptBytes -= next.bytes;
      this.write(next.data, next.ahead);
    }
    if (!this.held.length) {
      clearTimeout(this.stall);
      this.stall = undefined;
    }
  }

  /** The page reads too little to keep up: it is closed rather than let the server's memory grow. */
  private giveUp(): void {
    this.drop();
    this.onGiveUp();
    this.ws.close(BEHIND_CLOSE_CODE, BEHIND_REASON);
  }

  private drop(): void {
    clearTimeout(this.stall);
    this.stall = undefined;
    this.held = [];
    this.keptBytes = 0;
  }
}
