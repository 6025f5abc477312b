import type { WebSocket } from 'ws';
import { audioOffer, encodeChunkFrame, parseAudioClaim } from '../../shared/playback/link-protocol';
import type { EngineLink } from '../engine/link';
import { PendingLink } from '../engine/pending-link';

/** An utterance waits this long for the page's decoder worker to claim its audio socket. */
const CLAIM_TIMEOUT_MS = 30_000;

/**
 * `utter web`'s audio sockets, one per utterance. The decoder worker opens one ahead of
 * its next utterance. A page that named itself (`page=` on both its sockets) has that
 * socket handed the utterance by the server, with an offer as its first message, so the
 * first bytes leave as soon as they exist. Otherwise the worker claims it with the
 * utterance's id once the ticket has reached it through the page.
 */
export class AudioSockets {
  /** Utterances handed to a page, until its worker claims their socket. */
  private readonly waiting = new Map<number, { page: string | null; claim: (link: EngineLink) => void; timer: NodeJS.Timeout }>();
  /** Each named page's socket, open and not yet anyone's. */
  private readonly spares = new Map<string, WebSocket>();
  /** Sockets the server offered an utterance: a claim that crossed the offer is ignored. */
  private readonly offered = new WeakSet<WebSocket>();

  /** A worker's socket, opened ahead of its utterance. */
  accept(ws: WebSocket, page: string | null): void {
    if (page) {
      this.spares.set(page, ws);
      ws.once('close', () => this.spares.get(page) === ws && this.spares.delete(page));
    }
    ws.once('message', (data, isBinary) => {
      if (this.offered.has(ws)) return;
      if (page && this.spares.get(page) === ws) this.spares.delete(page);
      const id = isBinary ? null : parseAudioClaim(String(data));
      if (id === null) return ws.close(4400, 'An audio socket starts with its claim: {"claim": id}.');
      const claimed = this.waiting.get(id);
      if (!claimed) return ws.close(4404, 'No such utterance (it may have expired).');
      this.waiting.delete(id);
      claimed.claim(socketLink(ws));
    });
  }

  /**
   * The engine's end of utterance `id`, played by `page`: its waiting socket at once, or
   * a link that holds what the engine sends until the worker claims one. A socket is
   * offered only while none of the page's utterances waits for a claim: the worker claims
   * in order, and would otherwise claim that socket for the earlier one.
   */
  linkFor(id: number, page: string | null): EngineLink {
    const spare = page ? this.spares.get(page) : undefined;
    const claimsPending = [...this.waiting.values()].some((waiting) => waiting.page === page);
    if (page && spare && spare.readyState === spare.OPEN && !claimsPending) {
      this.spares.delete(page);
      this.offered.add(spare);
      spare.send(audioOffer(id));
      return socketLink(spare);
    }
    const link = new PendingLink();
    const timer = setTimeout(() => {
      this.waiting.delete(id);
      link.fail(new Error('the page did not open its audio socket in time'));
    }, CLAIM_TIMEOUT_MS);
    this.waiting.set(id, {
      page,
      timer,
      claim: (socket) => {
        clearTimeout(timer);
        link.attach(socket);
      },
    });
    return link;
  }

  close(): void {
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}

/** The engine's end of an utterance's audio socket. */
function socketLink(ws: WebSocket): EngineLink {
  return {
    send: (event) => {
      if (ws.readyState !== ws.OPEN) return;
      if (event.type === 'chunk') ws.send(encodeChunkFrame(event.segmentIndex, event.bytes, event.readMs, event.following));
      else ws.send(JSON.stringify(event));
    },
    onMessage: (handler) =>
      ws.on('message', (data, isBinary) => {
        // A claim that crossed the server's offer is not a command.
        if (!isBinary && parseAudioClaim(String(data)) !== null) return;
        try {
          handler(isBinary ? null : JSON.parse(String(data)));
        } catch {
          handler(null);
        }
      }),
    onClose: (handler) => ws.on('close', handler),
    close: () => ws.close(1000, 'done'),
  };
}
