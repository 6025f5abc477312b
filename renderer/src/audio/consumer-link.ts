import { decodeChunkFrame, type ConsumerLink, type LinkEvent } from '../../../shared/playback/link-protocol';

/** Where the decoder worker gets an utterance from. */
export type AudioSource =
  /** Electron: a MessagePort from the main process (via the preload and the page). */
  | { kind: 'port'; port: MessagePort }
  /** `utter web`: the worker opens this WebSocket itself, so bytes never cross the page. */
  | { kind: 'socket'; url: string };

/**
 * Opens a link. Events arrive in order through `onEvent`; `onLost` fires if the carrier
 * fails before the utterance ended (a dropped socket), never after close().
 */
export function openConsumerLink(source: AudioSource, onEvent: (event: LinkEvent) => void, onLost: (message: string) => void): ConsumerLink {
  return source.kind === 'port' ? portLink(source.port, onEvent) : socketLink(source.url, onEvent, onLost);
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

function socketLink(url: string, onEvent: (event: LinkEvent) => void, onLost: (message: string) => void): ConsumerLink {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const queued: string[] = [];
  let closed = false;
  socket.onopen = () => {
    for (const text of queued.splice(0)) socket.send(text);
  };
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
