// The Electron shell: as thin as it can be. Everything that can be proven without
// Electron lives in the engine and in app-protocol.ts.
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, MessageChannelMain, net, protocol, session, type IpcMainInvokeEvent, type MessagePortMain } from 'electron';
import type { Settings } from '../../shared/config/schema';
import { IPC, type AppInfo } from '../../shared/ipc-channels';
import { parseSpeakRequest } from '../../shared/playback/link-protocol';
import type { PublicSettings, SpeakTicket } from '../../shared/renderer-api';
import { APP_ORIGIN, APP_SCHEME, isInsideRoot, resolveAppPath, responseHeaders } from './app-protocol';
import { loadSettings } from './engine/config';
import { speakOverLink, type EngineLink } from './engine/link';

// The bundle is out/main/index.js; its siblings are fixed by electron.vite.config.ts, and
// electron-builder.yml packs resources/icon.png next to out/ (also inside app.asar).
const RENDERER_ROOT = join(import.meta.dirname, '..', 'renderer');
const PRELOAD = join(import.meta.dirname, '..', 'preload', 'index.cjs');
const ICON = join(import.meta.dirname, '..', '..', 'resources', 'icon.png');

// Must happen before 'ready': a standard, secure scheme gets 'self', fetch, workers and
// cross-origin isolation like https does.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showPlayer());
  app.whenReady().then(start, (error: unknown) => {
    console.error('Utter could not start:', error);
    app.exit(1);
  });
}

let player: BrowserWindow | null = null;

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, serveRendererFile);
  // Deny every permission (camera, notifications from the page, …) unless listed later.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  settings = await loadSettings({ env: process.env });
  ipcMain.handle(IPC.appInfo, (event): AppInfo => {
    assertTrustedSender(event);
    return { version: app.getVersion(), shell: 'electron' };
  });
  ipcMain.handle(IPC.settings, (event): PublicSettings => {
    assertTrustedSender(event);
    const { apiKey: _secret, ...visible } = settings;
    return visible;
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
      settings,
      onBadCommand: (error) => console.warn('Utter: refused a command from the page:', error.message),
    });
    return { id };
  });
  showPlayer();
}

let settings: Settings;
let utteranceCount = 0;

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

const notFound = (): Response => new Response('Not found', { status: 404 });

/** Serves out/renderer with the isolation headers and the CSP on every file. */
async function serveRendererFile(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405 });
  const file = resolveAppPath(RENDERER_ROOT, request.url);
  if (!file) return notFound();
  try {
    // A symlink must not lead out of the renderer folder, and a folder is not a page.
    // (Electron's fs reads app.asar as a folder, so this works packaged too.)
    if (!isInsideRoot(await realpath(RENDERER_ROOT), await realpath(file))) return notFound();
    if (!(await stat(file)).isFile()) return notFound();
    const response = await net.fetch(pathToFileURL(file).toString());
    return new Response(request.method === 'HEAD' ? null : response.body, {
      status: response.status,
      headers: responseHeaders(file),
    });
  } catch {
    return notFound();
  }
}

/** Every IPC handler first checks that the message comes from our own page's main frame. */
function assertTrustedSender(event: IpcMainInvokeEvent): void {
  const frame = event.senderFrame;
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const origin = frame ? originOf(frame.url) : '';
  const trusted = origin === APP_ORIGIN || (!app.isPackaged && devUrl !== undefined && origin === originOf(devUrl));
  if (!frame || frame.parent !== null || !trusted) throw new Error('IPC refused: untrusted sender.');
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

function showPlayer(): void {
  if (player) {
    player.show();
    player.focus();
    return;
  }
  player = new BrowserWindow({
    width: 720,
    height: 560,
    minWidth: 480,
    minHeight: 360,
    title: 'Utter',
    icon: ICON,
    show: false,
    webPreferences: {
      preload: PRELOAD,
      // Set explicitly although they are Electron's defaults (STYLE.md §5).
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  // The page never opens windows nor leaves its origin; links out go through shell later.
  player.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  player.webContents.on('will-navigate', (event) => event.preventDefault());
  player.once('ready-to-show', () => player?.show());
  player.on('closed', () => (player = null));
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  void player.loadURL(!app.isPackaged && devUrl ? devUrl : `${APP_ORIGIN}/index.html`);
}
