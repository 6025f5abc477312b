// Runs in the sandboxed renderer before the page: it may only use electron's renderer
// modules, so the build bundles it to one CommonJS file (electron.vite.config.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { AUDIO_PORT_MESSAGE, channelOf, OPERATIONS, OPERATION_NAMES, PAGE_EVENTS, type PageEventPayloads, type PageOperations } from '../../shared/contract';
import type { ListenedEvent, UtterApi } from '../../shared/renderer-api';
import type { PlayTicket } from '../../shared/session';

/** The page's window, as far as this file needs it (the preload is type-checked without DOM types). */
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
  location: { origin: string };
};

// Names the audio-port messages this preload posts, so the page ignores look-alikes.
const nonce = crypto.randomUUID();

/**
 * The contract's operations, each a named function, never ipcRenderer itself, so a page
 * cannot reach channels it was not given. The payloads are checked in main, not here: a
 * preload is no defence against its own page.
 */
const operations = Object.fromEntries(
  OPERATION_NAMES.map((name) => [
    name,
    OPERATIONS[name].kind === 'invoke'
      ? (request?: unknown) => ipcRenderer.invoke(channelOf(name), request)
      : (request?: unknown) => ipcRenderer.send(channelOf(name), request),
  ]),
) as PageOperations;

const api: UtterApi = {
  ...operations,
  // The listener never sees the IPC event (it would expose the sender). Nothing needs
  // keeping for a late listener: the page attaches as the sink only once it listens.
  on: <E extends ListenedEvent>(event: E, listener: (payload: PageEventPayloads[E]) => void): (() => void) => {
    const forward = (_event: unknown, payload: PageEventPayloads[E]): void => listener(payload);
    ipcRenderer.on(PAGE_EVENTS[event], forward);
    return () => void ipcRenderer.removeListener(PAGE_EVENTS[event], forward);
  },
  audioPortNonce: nonce,
};

// MessagePorts cannot cross the context bridge: hand each one to the page by
// window.postMessage, to this window only (Electron's documented pattern).
ipcRenderer.on(PAGE_EVENTS.play, (event, ticket: PlayTicket) => {
  page.postMessage({ type: AUDIO_PORT_MESSAGE, nonce, ticket }, page.location.origin, [...event.ports]);
});

contextBridge.exposeInMainWorld('utter', api);
