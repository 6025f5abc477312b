// Runs in the sandboxed renderer before the page: it may only use electron's renderer
// modules, so the build bundles it to one CommonJS file (electron.vite.config.ts).
import { contextBridge, ipcRenderer } from 'electron';
import type { AppCommand, PlayerStatusReport } from '../../shared/app-commands';
import { IPC, type AppInfo } from '../../shared/ipc-channels';
import type { SpeakRequest } from '../../shared/playback/link-protocol';
import {
  AUDIO_PORT_MESSAGE,
  type PublicSettings,
  type SettingsUpdateResult,
  type SpeakTicket,
  type UtterApi,
  type VoiceOption,
} from '../../shared/renderer-api';

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
ipcRenderer.on(IPC.command, (_event: unknown, command: AppCommand) => {
  if (commandListener) commandListener(command);
  else if (earlyCommands.push(command) > EARLY_COMMANDS_KEPT) earlyCommands.shift();
});

/**
 * The page's whole view of the app: named functions, never ipcRenderer itself, so a
 * page cannot reach channels it was not given.
 */
const api: UtterApi = {
  appInfo: (): Promise<AppInfo> => ipcRenderer.invoke(IPC.appInfo),
  settings: (): Promise<PublicSettings> => ipcRenderer.invoke(IPC.settings),
  updateSettings: (patch: Record<string, unknown>): Promise<SettingsUpdateResult> => ipcRenderer.invoke(IPC.updateSettings, patch),
  voices: (): Promise<VoiceOption[]> => ipcRenderer.invoke(IPC.voices),
  speak: (request: SpeakRequest): Promise<SpeakTicket> => ipcRenderer.invoke(IPC.speak, request),
  onCommand: (listener: (command: AppCommand) => void): (() => void) => {
    commandListener = listener;
    for (const command of earlyCommands.splice(0)) listener(command);
    return () => {
      if (commandListener === listener) commandListener = null;
    };
  },
  reportStatus: (report: PlayerStatusReport): void => ipcRenderer.send(IPC.status, report),
  openSettings: (): void => ipcRenderer.send(IPC.openSettings),
  audioPortNonce: nonce,
};

// MessagePorts cannot cross the context bridge: hand each one to the page by
// window.postMessage, to this window only (Electron's documented pattern).
ipcRenderer.on(IPC.audioPort, (event, message: SpeakTicket) => {
  page.postMessage({ type: AUDIO_PORT_MESSAGE, nonce, id: message.id }, page.location.origin, [...event.ports]);
});

contextBridge.exposeInMainWorld('utter', api);
