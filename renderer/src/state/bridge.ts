import type { AppCommand } from '../../../shared/app-commands';
import { AUDIO_PORT_MESSAGE, OPERATION_NAMES, type OperationName, type PageOperations } from '../../../shared/contract';
import type { SpeakRequest } from '../../../shared/playback/link-protocol';
import type { UtterApi } from '../../../shared/renderer-api';
import type { AudioSource } from '../audio/consumer-link';

/**
 * The app as the page sees it, in Electron or in a browser under `utter web`: the
 * contract's operations, with speak() handing back where the audio comes from.
 */
export interface Bridge extends Omit<PageOperations, 'speak'> {
  /** Starts speaking; the audio source goes to the decoder worker, never read here. */
  speak(request: SpeakRequest): Promise<{ id: number; source: AudioSource }>;
  /** Commands from the tray and the hotkeys (none in a browser). Returns an unsubscribe. */
  onCommand(listener: (command: AppCommand) => void): () => void;
}

/** The preload's API when there is one, else the `utter web` server this page came from. */
export function connectBridge(): Bridge {
  return window.utter ? electronBridge(window.utter) : webBridge();
}

function electronBridge(api: UtterApi): Bridge {
  // Ports can arrive before speak() resolves: keep them by utterance id until asked for.
  const ports = new Map<number, MessagePort>();
  const waiters = new Map<number, (port: MessagePort) => void>();
  window.addEventListener('message', (event: MessageEvent<{ type?: string; nonce?: string; id?: number }>) => {
    const data = event.data;
    // Only this window's preload, with its nonce: not a frame, not a look-alike.
    if (event.source !== window || data?.type !== AUDIO_PORT_MESSAGE || data.nonce !== api.audioPortNonce) return;
    const port = event.ports[0];
    if (!port || typeof data.id !== 'number') return;
    const waiter = waiters.get(data.id);
    if (waiter) {
      waiters.delete(data.id);
      waiter(port);
    } else ports.set(data.id, port);
  });
  return {
    ...api,
    speak: async (request) => {
      const { id } = await api.speak(request);
      const port = ports.get(id) ?? (await new Promise<MessagePort>((resolve) => waiters.set(id, resolve)));
      ports.delete(id);
      return { id, source: { kind: 'port', port } };
    },
  };
}

function webBridge(): Bridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let socket: Promise<WebSocket> | null = null;

  const open = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}/control?token=${encodeURIComponent(token)}`);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('Cannot reach `utter web` (is it still running, and is the token in the address?).'));
      ws.onclose = () => {
        socket = null;
        for (const { reject: fail } of pending.values()) fail(new Error('The connection to `utter web` closed.'));
        pending.clear();
      };
      ws.onmessage = (message: MessageEvent<string>) => {
        const reply = JSON.parse(message.data) as { id: number; result?: unknown; error?: string };
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
        else waiter?.resolve(reply.result);
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

  const remote = Object.fromEntries(OPERATION_NAMES.map((name) => [name, (request?: unknown) => call(name, request)])) as unknown as PageOperations;
  return {
    ...remote,
    speak: async (request) => {
      const { id } = await remote.speak(request);
      return { id, source: { kind: 'socket', url: `${base}/audio?token=${encodeURIComponent(token)}&id=${id}` } };
    },
    // A browser tab has no tray and no hotkeys.
    onCommand: () => () => {},
    reportStatus: () => {},
    openSettings: () => void window.open(`${location.pathname}${location.search}#settings`, '_blank'),
  };
}
