import type { WebSocket } from 'ws';
import { HEARTBEAT_MS } from '../../shared/control-link';

/**
 * Finds the sockets whose other end is gone without a word (a laptop that slept, a network
 * that dropped): TCP keeps them open for minutes, and a dead page would hold its utterance.
 * Every `everyMs` each socket is pinged (browsers answer by themselves) and one that has
 * not answered the ping before is terminated, which closes it as a lost page. A socket may
 * also beat, so that its page can tell a silent server from a quiet one.
 */
export class Heartbeat {
  /** Each socket watched, whether it answered since the last ping, and its beat. */
  private readonly watched = new Map<WebSocket, { answered: boolean; beat?: () => void }>();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly everyMs = HEARTBEAT_MS) {
    this.timer = setInterval(() => this.tick(), everyMs);
    this.timer.unref();
  }

  /** Watches `ws` until it closes; `beat` sends the page its heartbeat. */
  watch(ws: WebSocket, beat?: () => void): void {
    const entry = { answered: true, beat };
    this.watched.set(ws, entry);
    ws.on('pong', () => (entry.answered = true));
    ws.once('close', () => this.watched.delete(ws));
  }

  private tick(): void {
    for (const [ws, entry] of this.watched) {
      if (!entry.answered) {
        this.watched.delete(ws);
        ws.terminate();
        continue;
      }
      entry.answered = false;
      ws.ping();
      entry.beat?.();
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.watched.clear();
  }
}
