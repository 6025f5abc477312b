// The player, mini player and settings windows: one locked-down BrowserWindow recipe, the
// same renderer with another view, and where each window was last time.
import { app, BrowserWindow, screen, shell, type Rectangle } from 'electron';
import { APP_ORIGIN } from '../pages/app-protocol';
import { isAllowedExternalUrl } from '../shell/external-links';
import { placeMini } from '../shell/mini-placement';
import type { WindowStateFile } from '../shell/window-state';

type View = 'player' | 'settings' | 'mini';

const MINI_SIZE = { width: 360, height: 212 };
/** A click on the tray icon blurs the mini player first: that blur must not reopen it. */
const REOPEN_GUARD_MS = 300;

export class AppWindows {
  private player: BrowserWindow | null = null;
  private settings: BrowserWindow | null = null;
  private mini: BrowserWindow | null = null;
  private miniPinned = false;
  private miniHiddenAt = 0;
  /** Set when the app quits for real; until then closing the player only hides it. */
  quitting = false;

  constructor(
    private readonly files: { preload: string; icon: string },
    private readonly places: WindowStateFile,
  ) {}

  showPlayer(): void {
    const window = this.ensurePlayer();
    if (window.webContents.isLoading()) window.once('ready-to-show', () => window.show());
    else {
      window.show();
      window.focus();
    }
  }

  showSettings(): void {
    if (this.settings) {
      this.settings.show();
      this.settings.focus();
      return;
    }
    const window = this.create('settings');
    this.settings = window;
    window.on('closed', () => (this.settings = null));
    window.once('ready-to-show', () => window.show());
  }

  /**
   * The mini player by the tray icon (`icon`: its bounds, where the tray says them), or
   * hidden if it shows. The full player's page still plays: the mini one only shows.
   */
  toggleMini(icon: Rectangle | null): void {
    if (this.mini?.isVisible()) return this.hideMini();
    if (Date.now() - this.miniHiddenAt < REOPEN_GUARD_MS) return;
    // The audio sink must exist for anything to play while only the mini player shows.
    this.ensurePlayer();
    const window = (this.mini ??= this.createMini());
    const point = icon && icon.width > 0 ? { x: icon.x, y: icon.y } : screen.getCursorScreenPoint();
    window.setBounds(placeMini(icon, screen.getDisplayNearestPoint(point).workArea, MINI_SIZE, process.platform));
    if (window.webContents.isLoading()) window.once('ready-to-show', () => window.show());
    else window.show();
    window.focus();
  }

  /** Whether the mini player stays open when it loses the focus. */
  pinMini(pinned: boolean): void {
    this.miniPinned = pinned;
    this.mini?.setAlwaysOnTop(true, pinned ? 'floating' : 'pop-up-menu');
  }

  private hideMini(): void {
    this.miniHiddenAt = Date.now();
    this.mini?.hide();
  }

  private createMini(): BrowserWindow {
    const window = this.create('mini');
    // A popover hides when the user looks elsewhere, unless pinned.
    window.on('blur', () => {
      if (!this.miniPinned && !this.quitting) this.hideMini();
    });
    window.on('closed', () => {
      if (this.mini === window) this.mini = null;
    });
    return window;
  }

  get playerVisible(): boolean {
    return this.player?.isVisible() ?? false;
  }

  /**
   * The player window, created hidden if needed: its page is the session's audio sink and
   * plays even while hidden. It attaches to the session itself once it has loaded.
   */
  ensurePlayer(): BrowserWindow {
    if (this.player) return this.player;
    const window = this.create('player');
    this.player = window;
    // Closing hides it: the tray app keeps playing and can show it again.
    window.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      if (this.player === window) this.player = null;
    });
    // A crashed or hung page is replaced; the session goes on in the new one from the
    // sentence that was heard (it learns of the loss from the page's webContents).
    window.webContents.on('render-process-gone', (_event, details) => {
      if (this.quitting || details.reason === 'clean-exit') return;
      this.replacePlayer(window, `The player stopped (${details.reason}) and was reopened.`);
    });
    window.on('unresponsive', () => {
      if (!this.quitting) window.webContents.forcefullyCrashRenderer();
    });
    return window;
  }

  private replacePlayer(window: BrowserWindow, why: string): void {
    const visible = window.isVisible();
    if (this.player === window) this.player = null;
    window.destroy();
    console.warn(`Utter: ${why}`);
    // The session says where reading goes on (one notification, if anything was playing).
    if (visible) this.showPlayer();
    else this.ensurePlayer();
  }

  /** Both windows: the same locked-down preferences, the same renderer, another view. */
  private create(view: View): BrowserWindow {
    const shape = view === 'mini' ? miniShape() : this.placedShape(view);
    const window = new BrowserWindow({
      ...shape,
      title: { player: 'Utter', settings: 'Utter settings', mini: 'Utter mini player' }[view],
      icon: this.files.icon,
      show: false,
      webPreferences: {
        preload: this.files.preload, // eng-disable PRELOAD_JS_CHECK: reviewed, it exposes named invoke wrappers and a nonce, never ipcRenderer itself
        // A middle click must not open anything either (the window-open handler denies too).
        disableBlinkFeatures: 'Auxclick',
        // Set explicitly although they are Electron's defaults: a changed default cannot weaken them.
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        webviewTag: false,
        // A hotkey speaks while the window is hidden: no user gesture in the page.
        autoplayPolicy: 'no-user-gesture-required',
        backgroundThrottling: false,
        // An installed copy opens no DevTools: they would let anyone at the keyboard drive the page's IPC.
        devTools: !app.isPackaged,
      },
    });
    // The page never opens windows nor leaves its origin; an allow-listed https link opens
    // in the user's browser instead.
    window.webContents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK: only https links to the hosts allow-listed in external-links.ts
      return { action: 'deny' };
    });
    window.webContents.on('will-navigate', (event) => event.preventDefault());
    if (view !== 'mini') {
      const remember = (): void => void this.places.save(view, window.getBounds());
      window.on('moved', remember);
      window.on('resized', remember);
    }
    const devUrl = process.env.ELECTRON_RENDERER_URL;
    const base = !app.isPackaged && devUrl ? devUrl : `${APP_ORIGIN}/index.html`;
    void window.loadURL(view === 'player' ? base : `${base}#${view}`);
    return window;
  }

  /** The player's and the settings' size, and where they were last time, on a display that still exists. */
  private placedShape(view: 'player' | 'settings'): Electron.BrowserWindowConstructorOptions {
    const size = view === 'player' ? { width: 720, height: 600, minWidth: 480, minHeight: 360 } : { width: 600, height: 720, minWidth: 460, minHeight: 480 };
    const remembered = this.places.boundsFor(
      view,
      screen.getAllDisplays().map((display) => display.workArea),
      { width: size.minWidth, height: size.minHeight },
    );
    return { ...size, ...remembered };
  }
}

/** A popover: no frame, no taskbar entry, above other windows; placed by the tray icon each time it opens. */
function miniShape(): Electron.BrowserWindowConstructorOptions {
  return { ...MINI_SIZE, frame: false, resizable: false, minimizable: false, maximizable: false, fullscreenable: false, skipTaskbar: true, alwaysOnTop: true };
}
