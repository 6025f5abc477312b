import type { WebSocket } from 'ws';
import { audioOffer, encodeChunkFrame, parseAudioClaim, parseLinkCommand } from '../../shared/playback/link-protocol';
import type { EngineLink } from '../engine/link';
import { PendingLink } from '../engine/pending-link';

/** An utterance waits this long for the page's decoder worker to claim its audio socket. */
const CLAIM_TIMEOUT_MS = 30_000;
/**
 * A socket opened ahead waits this long for its utterance. Long, because the worker keeps one
 * open between plays to spare the next one a handshake; not forever, for one never used.
 */
const UNCLAIMED_TIMEOUT_MS = 10 * 60_000;
/** The most an audio socket's message may be: claims and link commands are a few dozen bytes. */
export const AUDIO_MAX_PAYLOAD = 4 * 1024;

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
  /** Each socket not yet claimed nor offered, and its timer to close it. */
  private readonly unclaimed = new Map<WebSocket, NodeJS.Timeout>();

  constructor(
    private readonly warn: (message: string) => void = console.warn,
    private readonly unclaimedMs = UNCLAIMED_TIMEOUT_MS,
  ) {}

  /** A worker's socket, opened ahead of its utterance. */
  accept(ws: WebSocket, page: string | null): void {
    const idle = setTimeout(() => {
      this.unclaimed.delete(ws);
      ws.close(4408, `Not claimed within ${Math.round(this.unclaimedMs / 1000)} s: the page opens another for its next utterance.`);
    }, this.unclaimedMs);
    this.unclaimed.set(ws, idle);
    ws.once('close', () => this.taken(ws));
    if (page) {
      // The page's worker opens a new one only once it let go of the old: that one is no one's now.
      const replaced = this.spares.get(page);
      if (replaced && replaced !== ws) replaced.close(4409, 'A newer audio socket from this page took its place.');
      this.spares.set(page, ws);
      ws.once('close', () => this.spares.get(page) === ws && this.spares.delete(page));
    }
    ws.once('message', (data, isBinary) => {
      if (this.offered.has(ws)) return;
      this.taken(ws);
      if (page && this.spares.get(page) === ws) this.spares.delete(page);
      const id = isBinary ? null : parseAudioClaim(String(data));
      if (id === null) return ws.close(4400, 'An audio socket starts with its claim: {"claim": id}.');
      const claimed = this.waiting.get(id);
      if (!claimed) return ws.close(4404, 'No such utterance (it may have expired).');
      this.waiting.delete(id);
      claimed.claim(this.link(ws));
    });
  }

  /** The socket has its utterance (or is gone): it no longer waits to be closed unclaimed. */
  private taken(ws: WebSocket): void {
    clearTimeout(this.unclaimed.get(ws));
    this.unclaimed.delete(ws);
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
      this.taken(spare);
      spare.send(audioOffer(id));
      return this.link(spare);
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
    for (const timer of this.unclaimed.values()) clearTimeout(timer);
    this.unclaimed.clear();
  }

  /**
   * The engine's end of an utterance's audio socket. The engine says why it refuses a
   * command; a page that sends a stream of bad ones gets that said once, and counted.
   */
  private link(ws: WebSocket): EngineLink {
    const handlers: ((message: unknown) => void)[] = [];
    let refused = 0;
    ws.on('message', (data, isBinary) => {
      // A claim that crossed the server's offer is not a command.
      if (!isBinary && parseAudioClaim(String(data)) !== null) return;
      const message = isBinary ? null : parseJson(String(data));
      if (parseLinkCommand(message) instanceof Error && refused++ > 0) return;
      for (const handler of handlers) handler(message);
    });
    ws.once('close', () => {
      if (refused > 1) this.warn(`${refused - 1} more bad commands came on that audio socket, refused and not shown one by one.`);
    });
    return {
      send: (event) => {
        if (ws.readyState !== ws.OPEN) return;
        if (event.type === 'chunk') ws.send(encodeChunkFrame(event.segmentIndex, event.bytes, event.readMs, event.following));
        else ws.send(JSON.stringify(event));
      },
      onMessage: (handler) => void handlers.push(handler),
      onClose: (handler) => ws.on('close', handler),
      close: () => ws.close(1000, 'done'),
    };
  }
}

/** A command's JSON, or null (which the engine refuses) when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
