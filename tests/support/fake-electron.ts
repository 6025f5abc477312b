// A stand-in for the electron module, for the shell's tests (the binary cannot run here):
// it captures what the app registers, so a test can call it the way Electron would.

import { join } from 'node:path';

export type FakeElectron = ReturnType<typeof newFakeElectronState>;

/** What the app registered and sent, and what the "OS" holds (clipboard, chosen files, …). */
export function newFakeElectronState() {
  return {
    schemes: [] as unknown[],
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    protocolHandler: null as null | ((request: Request) => Promise<Response>),
    opened: [] as string[],
    windows: [] as {
      options: Record<string, unknown>;
      openHandler?: (details: { url: string }) => unknown;
      navigate?: (e: { preventDefault: () => void }) => void;
      url?: string;
      /** The window's webContents, as a page's IPC event carries it (event.sender). */
      contents: FakeWebContents;
      /** Fires a window event ('unresponsive', 'closed', …) as Electron would. */
      emit(event: string, ...args: unknown[]): void;
      destroyed: boolean;
      crashRequests: number;
      visible: boolean;
      bounds?: { x: number; y: number; width: number; height: number };
    }[],
    /** What the app listens to on the tray icon ('click', …), to fire as the OS would. */
    trayEvents: new Map<string, (...args: unknown[]) => void>(),
    permission: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    ready: null as null | (() => void),
    userData: '',
    listeners: new Map<string, (...args: unknown[]) => void>(),
    shortcuts: new Map<string, () => void>(),
    /** Accelerators another application holds: register() returns false for them, as Electron does. */
    heldElsewhere: new Set<string>(),
    notifications: [] as string[],
    menus: [] as { label?: string; click?: () => void; enabled?: boolean; checked?: boolean }[][],
    tooltips: [] as string[],
    images: [] as string[],
    /** What the app sent its pages (webContents.send and postMessage), ports included. */
    sent: [] as { channel: string; message: unknown; ports?: unknown[]; to?: unknown }[],
    clipboardText: '',
    /** Linux's PRIMARY selection (clipboard.selection). */
    selectionText: '',
    chosenFiles: [] as string[],
    /** Every save dialog shown, and the path the user picks in it (none: cancelled). */
    saveDialogs: [] as Record<string, unknown>[],
    savePath: undefined as string | undefined,
    /** Every message box shown, and the button the user presses in each (default: the last). */
    messageBoxes: [] as { title?: string; message: string; detail?: string; buttons?: string[]; type?: string }[],
    messageBoxResponse: undefined as number | undefined,
    clipboardWritten: [] as string[],
    /** How many times a window was shown. */
    shown: 0,
  };
}

/** A webContents as the shell sees it: what it sends, and its lifecycle events. */
export interface FakeWebContents {
  send(channel: string, message: unknown): void;
  postMessage(channel: string, message: unknown, ports: unknown[]): void;
  once(event: string, handler: (...args: unknown[]) => void): void;
  on(event: string, handler: (...args: unknown[]) => void): void;
  emit(event: string, ...args: unknown[]): void;
  listenerCount(event: string): number;
  isDestroyed(): boolean;
  [key: string]: unknown;
}

/** The electron module's surface the app uses, wired to `captured`. */
export function fakeElectronModule(captured: FakeElectron) {
  /** MessagePortMain's shape: 'message' events carry { data }; posting copies. */
  class FakePort {
    other!: FakePort;
    listeners = new Map<string, ((value?: unknown) => void)[]>();
    on(event: string, handler: (value?: unknown) => void) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), handler]);
    }
    emit(event: string, value?: unknown) {
      for (const handler of this.listeners.get(event) ?? []) handler(value);
    }
    started = false;
    queue: unknown[] = [];
    postMessage(data: unknown) {
      this.other.queue.push({ data: structuredClone(data) });
      this.other.deliver();
    }
    /** Like a real port, messages wait until start(). */
    start() {
      this.started = true;
      this.deliver();
    }
    deliver() {
      if (this.started) queueMicrotask(() => this.queue.splice(0).forEach((m) => this.emit('message', m)));
    }
    close() {
      this.other.emit('close');
    }
  }
  class MessageChannelMain {
    port1 = new FakePort();
    port2 = new FakePort();
    constructor() {
      this.port1.other = this.port2;
      this.port2.other = this.port1;
    }
  }
  /** Named event handlers, some for one call only, as Node's EventEmitter keeps them. */
  const emitter = () => {
    const handlers: { event: string; handler: (...args: unknown[]) => void; once: boolean }[] = [];
    return {
      on: (event: string, handler: (...args: unknown[]) => void) => void handlers.push({ event, handler, once: false }),
      once: (event: string, handler: (...args: unknown[]) => void) => void handlers.push({ event, handler, once: true }),
      emit: (event: string, ...args: unknown[]) => {
        for (const entry of handlers.filter((h) => h.event === event)) {
          if (entry.once) handlers.splice(handlers.indexOf(entry), 1);
          entry.handler(...args);
        }
      },
      listenerCount: (event: string) => handlers.filter((h) => h.event === event).length,
    };
  };
  class BrowserWindow {
    webContents: FakeWebContents;
    constructor(options: Record<string, unknown>) {
      const contentsEvents = emitter();
      const windowEvents = emitter();
      const record = { options, destroyed: false, crashRequests: 0, emit: windowEvents.emit, visible: false } as (typeof captured.windows)[number];
      captured.windows.push(record);
      this.webContents = {
        setWindowOpenHandler: (h: (details: { url: string }) => unknown) => (record.openHandler = h),
        on: (event: string, h: (...args: never[]) => void) => {
          if (event === 'will-navigate') record.navigate = h as never;
          contentsEvents.on(event, h as (...args: unknown[]) => void);
        },
        once: contentsEvents.once,
        emit: contentsEvents.emit,
        listenerCount: contentsEvents.listenerCount,
        isLoading: () => false,
        isDestroyed: () => record.destroyed,
        forcefullyCrashRenderer: () => void record.crashRequests++,
        // Which page it went to, left out of comparisons of what was sent.
        send: (channel: string, message: unknown) => void captured.sent.push(Object.defineProperty({ channel, message: structuredClone(message) }, 'to', { value: record, enumerable: false })),
        postMessage: (channel: string, message: unknown, ports: unknown[]) => void captured.sent.push({ channel, message: structuredClone(message), ports }),
      };
      record.contents = this.webContents;
      Object.assign(this, {
        once: windowEvents.once,
        on: windowEvents.on,
        destroy: () => {
          record.destroyed = true;
          this.webContents.emit('destroyed');
          windowEvents.emit('closed');
        },
        hide: () => void (record.visible = false),
        close: () => (this as unknown as { destroy: () => void }).destroy(),
        getBounds: () => record.bounds ?? { x: 0, y: 0, width: 720, height: 600 },
        setBounds: (bounds: { x: number; y: number; width: number; height: number }) => void (record.bounds = bounds),
        setAlwaysOnTop: () => {},
        isVisible: () => record.visible,
        show: () => {
          record.visible = true;
          captured.shown++;
        },
        focus: () => {},
        loadURL: async (url: string) => (record.url = url),
      });
    }
  }
  class Tray {
    constructor(image: { path: string }) {
      captured.images.push(image.path);
    }
    on(event: string, handler: (...args: unknown[]) => void) {
      captured.trayEvents.set(event, handler);
    }
    setContextMenu(menu: { template: { label?: string; click?: () => void; enabled?: boolean }[] }) {
      captured.menus.push(menu.template);
    }
    setToolTip(text: string) {
      captured.tooltips.push(text);
    }
    setImage(image: { path: string }) {
      captured.images.push(image.path);
    }
    destroy() {}
  }
  class Notification {
    static isSupported = () => true;
    constructor(readonly options: { body: string }) {}
    show() {
      captured.notifications.push(this.options.body);
    }
  }
  return {
    Tray,
    Notification,
    dialog: {
      showErrorBox: (title: string, content: string) => void captured.messageBoxes.push({ title, message: content, type: 'error' }),
      showOpenDialog: async () => ({ canceled: false, filePaths: captured.chosenFiles }),
      showSaveDialog: async (...args: Record<string, unknown>[]) => {
        captured.saveDialogs.push(args.at(-1)!);
        return captured.savePath === undefined ? { canceled: true, filePath: '' } : { canceled: false, filePath: captured.savePath };
      },
      showMessageBox: async (options: FakeElectron['messageBoxes'][number]) => {
        captured.messageBoxes.push(options);
        return { response: captured.messageBoxResponse ?? (options.buttons?.length ?? 1) - 1, checkboxChecked: false };
      },
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
      getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
      getCursorScreenPoint: () => ({ x: 1800, y: 1030 }),
    },
    shell: { openExternal: async (url: string) => void captured.opened.push(url) },
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }) },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    clipboard: {
      readText: async () => captured.clipboardText,
      writeText: (text: string) => void captured.clipboardWritten.push(text),
      read: async () => [],
      selection: { readText: async () => captured.selectionText },
    },
    globalShortcut: {
      register: (accelerator: string, callback: () => void) => {
        if (captured.heldElsewhere.has(accelerator)) return false;
        captured.shortcuts.set(accelerator, callback);
        return true;
      },
      unregister: (accelerator: string) => captured.shortcuts.delete(accelerator),
      unregisterAll: () => captured.shortcuts.clear(),
      isSuspended: () => false,
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      // A stand-in for the OS keyring, reversible on purpose: only the wiring is under test.
      encryptString: (text: string) => Buffer.from(text, 'utf8').reverse(),
      decryptString: (data: Buffer) => Buffer.from(data).reverse().toString('utf8'),
    },
    app: {
      requestSingleInstanceLock: () => true,
      on: (event: string, listener: (...args: unknown[]) => void) => captured.listeners.set(event, listener),
      getPath: () => captured.userData,
      // The app's root holds its package.json; the project's, here.
      getAppPath: () => join(import.meta.dirname, '..', '..'),
      getLoginItemSettings: () => ({ openAtLogin: false }),
      setLoginItemSettings: () => {},
      commandLine: { getSwitchValue: () => '', appendSwitch: () => {} },
      whenReady: () => new Promise<void>((resolve) => (captured.ready = resolve)),
      getVersion: () => '0.1.0',
      isPackaged: true,
      quit: () => {},
      exit: () => {},
    },
    BrowserWindow,
    MessageChannelMain,
    ipcMain: {
      handle: (channel: string, h: (...args: unknown[]) => unknown) => captured.handlers.set(channel, h),
      on: (channel: string, h: (...args: unknown[]) => unknown) => captured.handlers.set(`on:${channel}`, h),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => captured.schemes.push(...s),
      handle: (_scheme: string, h: (request: Request) => Promise<Response>) => (captured.protocolHandler = h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof captured.permission) => (captured.permission = h),
        setPermissionCheckHandler: () => {},
      },
    },
  };
}

/**
 * Loads the app's main module and makes Electron "ready", launched with no arguments (the
 * test runner's own argv would read as files to open), and waits until it has shown its window.
 */
export async function launchApp(captured: FakeElectron, load: () => Promise<unknown>): Promise<void> {
  const argv = process.argv;
  process.argv = [process.execPath];
  try {
    await load();
    captured.ready!();
    const deadline = Date.now() + 10_000;
    while (captured.shown === 0) {
      if (Date.now() > deadline) throw new Error('The app did not show its window within 10 s of ready.');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    process.argv = argv;
  }
}

/** The MessagePortMain a page is handed to play on, as the tests reach it. */
export type FakePort = { on: (event: string, handler: (value: unknown) => void) => void; start: () => void; postMessage: (data: unknown) => void };

/** Reads `port` as a player page does: each chunk is credited at once, so the engine streams on. */
export function creditEveryChunk(port: FakePort): void {
  let consumedBytes = 0;
  port.on('message', (message) => {
    const event = (message as { data: { type: string; bytes?: Uint8Array } }).data;
    if (event.type !== 'chunk') return;
    consumedBytes += event.bytes!.length;
    port.postMessage({ type: 'credit', consumedBytes, bufferedMs: 0 });
  });
  port.start();
}
