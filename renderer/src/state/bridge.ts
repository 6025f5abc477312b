import { AUDIO_PORT_MESSAGE, OPERATIONS, OPERATION_NAMES, type OperationName, type PageEventName, type PageEventPayloads, type PageOperations } from '../../../shared/contract';
import type { UtterApi } from '../../../shared/renderer-api';
import type { PlayTicket, SessionView, SinkLevel, TransportAction } from '../../../shared/session';
import type { SaveStatus } from '../../../shared/save';
import type { AudioSource } from '../audio/consumer-link';
import { showPlayerTab } from './player-tab';

/**
 * The app as the page sees it, in Electron or in a browser under `utter web`: the
 * contract's operations, and what the session sends (its view, each utterance to play
 * with where its audio comes from, what the audio side must do).
 */
export interface Bridge extends PageOperations {
  onSession(listener: (view: SessionView) => void): () => void;
  /** The audio source goes to the decoder worker, never read on the page's thread. */
  onPlay(listener: (ticket: PlayTicket, source: AudioSource) => void): () => void;
  /** `utter web`'s audio endpoint, which the worker connects to ahead of each utterance (none in Electron). */
  audioSocket?: string;
  onTransport(listener: (action: TransportAction) => void): () => void;
  /** The playing page's buffer and word, for a page that only shows the session. */
  onLevel(listener: (level: SinkLevel) => void): () => void;
  /** Where a save of audio to a file stands (one at a time, from any page or the tray). */
  onSave(listener: (status: SaveStatus) => void): () => void;
}

/** The preload's API when there is one, else the `utter web` server this page came from. */
export function connectBridge(): Bridge {
  const bridge = window.utter ? electronBridge(window.utter) : webBridge();
  // A page attaches once per load: a second attach would look like a new page to the
  // session, which would restart what it plays (React runs effects twice in development).
  let attached: Promise<SessionView> | null = null;
  return { ...bridge, attachSink: () => (attached ??= bridge.attachSink()) };
}

/** Listeners by name, for messages that come on one channel. */
function listeners<T extends unknown[]>(): { add(listener: (...args: T) => void): () => void; emit(...args: T): void } {
  const all = new Set<(...args: T) => void>();
  return {
    add: (listener) => {
      all.add(listener);
      return () => all.delete(listener);
    },
    emit: (...args) => all.forEach((listener) => listener(...args)),
  };
}

function electronBridge(api: UtterApi): Bridge {
  const plays = listeners<[PlayTicket, AudioSource]>();
  window.addEventListener('message', (event: MessageEvent<{ type?: string; nonce?: string; ticket?: PlayTicket }>) => {
    const data = event.data;
    // Only this window's preload, with its nonce: not a frame, not a look-alike.
    if (event.source !== window || data?.type !== AUDIO_PORT_MESSAGE || data.nonce !== api.audioPortNonce) return;
    const port = event.ports[0];
    if (port && typeof data.ticket?.id === 'number') plays.emit(data.ticket, { kind: 'port', port });
  });
  return {
    ...api,
    onSession: (listener) => api.on('session', listener),
    onTransport: (listener) => api.on('transport', listener),
    onLevel: (listener) => api.on('level', listener),
    onSave: (listener) => api.on('save', listener),
    onPlay: plays.add,
  };
}

function webBridge(): Bridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  // The page's name on both its sockets: the server may hand this page's waiting audio socket its utterances.
  const page = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const audioSocket = `${base}/audio?token=${encodeURIComponent(token)}&page=${page}`;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const sessions = listeners<[SessionView]>();
  const plays = listeners<[PlayTicket, AudioSource]>();
  const transports = listeners<[TransportAction]>();
  const levels = listeners<[SinkLevel]>();
  const saves = listeners<[SaveStatus]>();
  let nextId = 1;
  let socket: Promise<WebSocket> | null = null;

  const onPush = <E extends PageEventName>(event: E, payload: PageEventPayloads[E]): void => {
    if (event === 'session') sessions.emit(payload as SessionView);
    else if (event === 'transport') transports.emit(payload as TransportAction);
    else if (event === 'level') levels.emit(payload as SinkLevel);
    else if (event === 'save') saves.emit(payload as SaveStatus);
    else if (event === 'play') {
      const ticket = payload as PlayTicket;
      plays.emit(ticket, { kind: 'socket', url: audioSocket, id: ticket.id });
    }
  };

  const open = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}/control?token=${encodeURIComponent(token)}&page=${page}`);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('Cannot reach `utter web` (is it still running, and is the token in the address?).'));
      ws.onclose = () => {
        socket = null;
        for (const { reject: fail } of pending.values()) fail(new Error('The connection to `utter web` closed.'));
        pending.clear();
      };
      ws.onmessage = (message: MessageEvent<string>) => {
        const data = JSON.parse(message.data) as { id: number; result?: unknown; error?: string } | { event: PageEventName; payload: never };
        if ('event' in data) return onPush(data.event, data.payload);
        const waiter = pending.get(data.id);
        pending.delete(data.id);
        if (data.error !== undefined) waiter?.reject(new Error(data.error));
        else waiter?.resolve(data.result);
      };
    });

  const call = async <T,>(op: OperationName, request?: unknown): Promise<T> => {
    socket ??= open();
    const ws = await socket.catch((error: unknown) => {
      socket = null;
      throw error;
    });
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      ws.send(JSON.stringify({ id, op, request }));
    });
  };

  // A message with no reply still goes as a request over the socket: its refusal is logged, not lost.
  const remote = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      OPERATIONS[name].kind === 'invoke'
        ? (request?: unknown) => call(name, request)
        : (request?: unknown) => void call(name, request).catch((error: Error) => console.warn(`Utter: ${error.message}`)),
    ]),
  ) as unknown as PageOperations;
  return {
    ...remote,
    audioSocket,
    onSession: sessions.add,
    onPlay: plays.add,
    onTransport: transports.add,
    onLevel: levels.add,
    onSave: saves.add,
    openSettings: () => void window.open(`${location.pathname}${location.search}#settings`, '_blank'),
    showPlayer: () => void showPlayerTab(`${location.pathname}${location.search}`),
  };
}

