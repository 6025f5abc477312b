// What the app's own pages may ask of the main process, and the check that it is them
// asking: every handler first makes sure the message comes from our page's main frame.
import { z } from 'zod';
import { app, ipcMain, MessageChannelMain, type IpcMainEvent, type IpcMainInvokeEvent, type MessagePortMain } from 'electron';
import { parseStatusReport, type PlayerStatusReport } from '../../shared/app-commands';
import type { Settings } from '../../shared/config/schema';
import { IPC, type AppInfo } from '../../shared/ipc-channels';
import { parseSpeakRequest } from '../../shared/playback/link-protocol';
import type { PublicSettings, SettingsUpdateResult, SpeakTicket } from '../../shared/renderer-api';
import { APP_ORIGIN } from './app-protocol';
import { createProvider } from '../engine/engine';
import { speakOverLink, type EngineLink } from '../engine/link';
import type { SettingsStore } from './settings-store';

export interface PageIpcDeps {
  store: SettingsStore;
  /** The settings the engine speaks with (the stored ones, with the environment on top). */
  engineSettings(): Settings;
  /** The stored settings plus what only the shell knows (hotkeys taken, start at login). */
  withShellState(settings: PublicSettings): PublicSettings;
  setOpenAtLogin(openAtLogin: boolean): Promise<void>;
  openSettings(): void;
  /** The player's state, for the tray and for notifications nobody else would see. */
  onStatus(status: PlayerStatusReport): void;
}

/** Start at login, the one setting that is not in the settings schema (the OS keeps it). */
const openAtLoginSchema = z.boolean().optional();

export function registerPageIpc(deps: PageIpcDeps): void {
  let utteranceCount = 0;
  ipcMain.handle(IPC.appInfo, (event): AppInfo => {
    assertTrustedSender(event);
    return { version: app.getVersion(), shell: 'electron' };
  });
  ipcMain.handle(IPC.settings, (event): PublicSettings => {
    assertTrustedSender(event);
    return deps.withShellState(deps.store.publicSettings());
  });
  ipcMain.handle(IPC.speak, (event, request: unknown): SpeakTicket => {
    assertTrustedSender(event);
    const checked = parseSpeakRequest(request);
    if (checked instanceof Error) throw checked;
    // One port per utterance: the page hands its end to the decoder worker, so the
    // audio bytes never pass through the page's main thread.
    const { port1, port2 } = new MessageChannelMain();
    const id = ++utteranceCount;
    event.sender.postMessage(IPC.audioPort, { id }, [port2]);
    void speakOverLink(checked, portLink(port1), {
      settings: deps.engineSettings(),
      onBadCommand: (error) => console.warn('Utter: refused a command from the page:', error.message),
    });
    return { id };
  });
  ipcMain.handle(IPC.updateSettings, async (event, patch: unknown): Promise<SettingsUpdateResult> => {
    assertTrustedSender(event);
    // "Start at login" belongs to the OS, not to settings.json.
    const fields = typeof patch === 'object' && patch !== null && !Array.isArray(patch) ? (patch as Record<string, unknown>) : null;
    // Anything but an object goes to the store as it came, which refuses it.
    const { openAtLogin, ...rest } = fields ?? { openAtLogin: undefined };
    const login = openAtLoginSchema.safeParse(openAtLogin);
    if (!login.success) return { ok: false, issues: [{ setting: 'openAtLogin', value: openAtLogin, message: 'Start at login must be on or off.' }] };
    if (login.data !== undefined) await deps.setOpenAtLogin(login.data);
    // The store validates with the one zod schema and refuses each bad value with its range;
    // its subscribers register the hotkeys anew, so their problems are current here.
    const result = await deps.store.update(fields ? rest : patch);
    return result.ok ? { ...result, settings: deps.withShellState(result.settings) } : result;
  });
  ipcMain.handle(IPC.voices, async (event) => {
    assertTrustedSender(event);
    const provider = createProvider(deps.engineSettings());
    try {
      return (await provider.voices()).map(({ id, name, language }) => ({ id, name, language }));
    } finally {
      await provider.close();
    }
  });
  ipcMain.on(IPC.openSettings, (event) => {
    if (isTrustedSender(event)) deps.openSettings();
  });
  ipcMain.on(IPC.status, (event, report: unknown) => {
    if (!isTrustedSender(event)) return;
    const status = parseStatusReport(report);
    if (status) deps.onStatus(status);
  });
}

/** The engine's end of an utterance's MessagePortMain. Bytes go as copies, never a transfer list. */
function portLink(port: MessagePortMain): EngineLink {
  const link: EngineLink = {
    send: (event) => port.postMessage(event),
    onMessage: (handler) => port.on('message', (message) => handler(message.data)),
    onClose: (handler) => port.on('close', handler),
    close: () => port.close(),
  };
  port.start();
  return link;
}

function assertTrustedSender(event: IpcMainInvokeEvent): void {
  if (!isTrustedSender(event)) throw new Error('IPC refused: untrusted sender.');
}

/** Our page (app://, or the dev server while unpackaged), and its main frame, not an iframe. */
function isTrustedSender(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const frame = event.senderFrame;
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const origin = frame ? originOf(frame.url) : '';
  const trusted = origin === APP_ORIGIN || (!app.isPackaged && devUrl !== undefined && origin === originOf(devUrl));
  return Boolean(frame) && frame!.parent === null && trusted;
}

/** scheme://host of a URL. (URL.origin is "null" for schemes Node does not know, such as app:.) */
function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '';
  }
}
