// Runs in the sandboxed renderer before the page: it may only use electron's renderer
// modules, so the build bundles it to one CommonJS file (electron.vite.config.ts).
import { contextBridge, ipcRenderer } from 'electron';
import type { AppCommand } from '../../shared/app-commands';
import { AUDIO_PORT_MESSAGE, channelOf, OPERATIONS, OPERATION_NAMES, PAGE_EVENTS, type PageOperations } from '../../shared/contract';
import type { SpeakTicket, UtterApi } from '../../shared/renderer-api';

/** The page's window, as far as this file needs it (the preload is type-checked without DOM types). */
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
  location: { origin: string };
};

// Names the audio-port messages this preload posts, so the page ignores look-alikes.
const nonce = crypto.randomUUID();

// A hotkey can create the player window and send its command while the page is still
// starting: commands wait here until the page subscribes, instead of being dropped. The
// listener never sees the IPC event (it would expose the sender).
const EARLY_COMMANDS_KEPT = 100;
const earlyCommands: AppCommand[] = [];
let commandListener: ((command: AppCommand) => void) | null = null;
ipcRenderer.on(PAGE_EVENTS.command, (_event: unknown, command: AppCommand) => {
  if (commandListener) commandListener(command);
  else if (earlyCommands.push(command) > EARLY_COMMANDS_KEPT) earlyCommands.shift();
});

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
  onCommand: (listener: (command: AppCommand) => void): (() => void) => {
    commandListener = listener;
    for (const command of earlyCommands.splice(0)) listener(command);
    return () => {
      if (commandListener === listener) commandListener = null;
    };
  },
  audioPortNonce: nonce,
};

// MessagePorts cannot cross the context bridge: hand each one to the page by
// window.postMessage, to this window only (Electron's documented pattern).
ipcRenderer.on(PAGE_EVENTS.audioPort, (event, message: SpeakTicket) => {
  page.postMessage({ type: AUDIO_PORT_MESSAGE, nonce, id: message.id }, page.location.origin, [...event.ports]);
});

contextBridge.exposeInMainWorld('utter', api);
