// The Electron shell: as thin as it can be. Everything that can be proven without
// Electron lives in the engine and in app-protocol.ts.
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, net, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { IPC, type AppInfo } from '../../shared/ipc-channels';
import { APP_ORIGIN, APP_SCHEME, isInsideRoot, resolveAppPath, responseHeaders } from './app-protocol';

const RENDERER_ROOT = join(import.meta.dirname, '..', 'renderer');
const PRELOAD = join(import.meta.dirname, '..', 'preload', 'index.cjs');

// Must happen before 'ready': a standard, secure scheme gets fetch, workers and isolation.
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
  ipcMain.handle(IPC.appInfo, (event): AppInfo => {
    assertTrustedSender(event);
    return { version: app.getVersion() };
  });
  showPlayer();
}

/** Serves out/renderer with the isolation headers and the CSP on every file. */
async function serveRendererFile(request: Request): Promise<Response> {
  const file = resolveAppPath(RENDERER_ROOT, request.url);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    // A symlink must not lead out of the renderer folder either.
    if (!isInsideRoot(await realpath(RENDERER_ROOT), await realpath(file))) return new Response('Not found', { status: 404 });
  } catch {
    return new Response('Not found', { status: 404 });
  }
  const response = await net.fetch(pathToFileURL(file).toString());
  return new Response(response.body, { status: response.status, headers: responseHeaders(file) });
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
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  player.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  player.webContents.on('will-navigate', (event) => event.preventDefault());
  player.once('ready-to-show', () => player?.show());
  player.on('closed', () => (player = null));
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  void player.loadURL(!app.isPackaged && devUrl ? devUrl : `${APP_ORIGIN}/index.html`);
}
