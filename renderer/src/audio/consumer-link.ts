import { audioClaim, decodeChunkFrame, parseAudioOffer, type ConsumerLink, type LinkEvent } from '../../../shared/playback/link-protocol';

/** Where the decoder worker gets an utterance from. */
export type AudioSource =
  /** Electron: a MessagePort from the main process (via the preload and the page). */
  | { kind: 'port'; port: MessagePort }
  /**
   * `utter web`: the worker's own WebSocket to `url`, which it claims for utterance `id`
   * with its first message, so bytes never cross the page.
   */
  | { kind: 'socket'; url: string; id: number };

/**
 * Opens a link. Events arrive in order through `onEvent`; `onLost` fires if the carrier
 * fails before the utterance ended (a dropped socket), never after close().
 */
export function openConsumerLink(source: AudioSource, onEvent: (event: LinkEvent) => void, onLost: (message: string) => void): ConsumerLink {
  return source.kind === 'port' ? portLink(source.port, onEvent) : socketLink(source, onEvent, onLost);
}

/**
 * A socket opened ahead of the next utterance, so a play does not wait for a handshake
 * (8-20 ms on loopback, measured); the next one is opened once this play is under way, so
 * its handshake does not compete with the first decode. The server may hand it the
 * utterance before the ticket reaches this worker: what comes waits here until the play.
 */
interface Spare {
  url: string;
  socket: WebSocket;
  /** The utterance the server offered it, once it has. */
  offered: number | null;
  /** What came after the offer, before the play took the socket. */
  early: MessageEvent<ArrayBuffer | string>[];
  /** The server closed it before the play came (a short utterance can be sent whole). */
  closed: CloseEvent | null;
}
let spare: Spare | null = null;
const SPARE_AFTER_MS = 300;

/** Opens the spare socket for `url` (utter web's audio endpoint), unless one is open or opening. */
export function openSpareSocket(url: string): void {
  // One offered an utterance waits for that play, even once the server has closed it.
  if (spare?.url === url && (spare.offered !== null || spare.socket.readyState <= WebSocket.OPEN)) return;
  spare?.socket.close();
  const waiting: Spare = { url, socket: audioSocket(url), offered: null, early: [], closed: null };
  waiting.socket.onmessage = (message: MessageEvent<ArrayBuffer | string>) => {
    if (waiting.offered !== null) return void waiting.early.push(message);
    if (typeof message.data === 'string') waiting.offered = parseAudioOffer(message.data);
  };
  // An idle socket that fails is only dropped: the next play opens its own. One offered an
  // utterance keeps what came for that play.
  waiting.socket.onclose = (event) => {
    if (waiting.offered !== null) waiting.closed = event;
    else if (spare === waiting) spare = null;
  };
  spare = waiting;
}

/**
 * The socket for utterance `id`: the spare, with what already came, if the server offered
 * it this utterance; the spare to claim if it offered nothing yet; else a new one to claim.
 */
function takeSocket(url: string, id: number): Pick<Spare, 'socket' | 'closed'> & { early: Spare['early'] | null } {
  const held = spare;
  spare = null;
  setTimeout(() => openSpareSocket(url), SPARE_AFTER_MS);
  if (held?.url === url && held.offered === id) return held;
  if (held?.url === url && held.offered === null && held.socket.readyState <= WebSocket.OPEN) return { socket: held.socket, early: null, closed: null };
  // Offered an utterance this page never played: closing it ends that one on the server.
  held?.socket.close();
  return { socket: audioSocket(url), early: null, closed: null };
}

/** A socket whose binary messages come as ArrayBuffers, which the decoders take as they are. */
function audioSocket(url: string): WebSocket {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  return socket;
}

function portLink(port: MessagePort, onEvent: (event: LinkEvent) => void): ConsumerLink {
  port.onmessage = (message: MessageEvent<LinkEvent>) => onEvent(message.data);
  port.start();
  return {
    send: (command) => port.postMessage(command),
    close: () => {
      port.onmessage = null;
      port.close();
    },
  };
}

function socketLink(source: { url: string; id: number }, onEvent: (event: LinkEvent) => void, onLost: (message: string) => void): ConsumerLink {
  const { socket, early, closed: closedEarly } = takeSocket(source.url, source.id);
  // Offered by the server: nothing to claim.
  const queued: string[] = early ? [] : [audioClaim(source.id)];
  let closed = false;
  const flush = (): void => {
    for (const text of queued.splice(0)) socket.send(text);
  };
  if (socket.readyState === WebSocket.OPEN) flush();
  else socket.onopen = flush;
  let over = false;
  const receive = (message: MessageEvent<ArrayBuffer | string>): void => {
    if (typeof message.data !== 'string') return onEvent(decodeChunkFrame(message.data));
    // An offer that crossed this worker's claim: the socket is this utterance's either way.
    if (parseAudioOffer(message.data) !== null) return;
    const event = JSON.parse(message.data) as LinkEvent;
    // After its last event the server closes the socket: that is not a loss.
    if (event.type === 'end' || event.type === 'error') over = true;
    onEvent(event);
  };
  const onClose = (event: CloseEvent): void => {
    if (!closed && !over) onLost(`The connection to Utter closed (${event.code}${event.reason ? `: ${event.reason}` : ''}).`);
  };
  socket.onmessage = receive;
  socket.onclose = onClose;
  // Once the caller holds the link; before the socket's next message, which is a task.
  queueMicrotask(() => {
    if (closed) return;
    early?.forEach(receive);
    if (closedEarly) onClose(closedEarly);
  });
  return {
    send: (command) => {
      const text = JSON.stringify(command);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queued.push(text);
    },
    close: () => {
      closed = true;
      socket.close();
    },
  };
}
