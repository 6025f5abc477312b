import { audioClaim, decodeChunkFrame, type ConsumerLink, type LinkEvent } from '../../../shared/playback/link-protocol';

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
 * A socket opened ahead of the next utterance: a play claims it instead of waiting for a
 * handshake (8-20 ms on loopback, measured), and the next one is opened once this play is
 * under way, so its handshake does not compete with the first decode.
 */
let spare: { url: string; socket: WebSocket } | null = null;
const SPARE_AFTER_MS = 300;

/** Opens the spare socket for `url` (utter web's audio endpoint), unless one is open or opening. */
export function openSpareSocket(url: string): void {
  if (spare?.url === url && spare.socket.readyState <= WebSocket.OPEN) return;
  spare?.socket.close();
  const socket = audioSocket(url);
  // An idle socket that fails is only dropped: the next play opens its own.
  socket.onclose = () => {
    if (spare?.socket === socket) spare = null;
  };
  spare = { url, socket };
}

function takeSocket(url: string): WebSocket {
  const ready = spare?.url === url && spare.socket.readyState <= WebSocket.OPEN ? spare.socket : null;
  if (!ready) spare?.socket.close();
  spare = null;
  setTimeout(() => openSpareSocket(url), SPARE_AFTER_MS);
  return ready ?? audioSocket(url);
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
  const socket = takeSocket(source.url);
  const queued: string[] = [audioClaim(source.id)];
  let closed = false;
  const flush = (): void => {
    for (const text of queued.splice(0)) socket.send(text);
  };
  if (socket.readyState === WebSocket.OPEN) flush();
  else socket.onopen = flush;
  let over = false;
  socket.onmessage = (message: MessageEvent<ArrayBuffer | string>) => {
    if (typeof message.data !== 'string') return onEvent(decodeChunkFrame(message.data));
    const event = JSON.parse(message.data) as LinkEvent;
    // After its last event the server closes the socket: that is not a loss.
    if (event.type === 'end' || event.type === 'error') over = true;
    onEvent(event);
  };
  socket.onclose = (event) => {
    if (!closed && !over) onLost(`The connection to Utter closed (${event.code}${event.reason ? `: ${event.reason}` : ''}).`);
  };
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
