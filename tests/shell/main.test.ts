import { beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The shell under a mocked Electron (the binary cannot run here): capture what it
 * registers and call it the way Electron would.
 */
const captured = vi.hoisted(() => ({
  schemes: [] as unknown[],
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  protocolHandler: null as null | ((request: Request) => Promise<Response>),
  windows: [] as { options: Record<string, unknown>; openHandler?: () => unknown; navigate?: (e: { preventDefault: () => void }) => void; url?: string }[],
  permission: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
  ready: null as null | (() => void),
}));

vi.mock('electron', () => {
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
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      const record: (typeof captured.windows)[number] = { options };
      captured.windows.push(record);
      this.webContents = {
        setWindowOpenHandler: (h: () => unknown) => (record.openHandler = h),
        on: (event: string, h: (e: { preventDefault: () => void }) => void) => {
          if (event === 'will-navigate') record.navigate = h;
        },
      };
      Object.assign(this, {
        once: () => {},
        on: () => {},
        show: () => {},
        focus: () => {},
        loadURL: async (url: string) => (record.url = url),
      });
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => true,
      on: () => {},
      whenReady: () => new Promise<void>((resolve) => (captured.ready = resolve)),
      getVersion: () => '0.1.0',
      isPackaged: true,
      quit: () => {},
      exit: () => {},
    },
    BrowserWindow,
    MessageChannelMain,
    ipcMain: { handle: (channel: string, h: (...args: unknown[]) => unknown) => captured.handlers.set(channel, h) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => captured.schemes.push(...s),
      handle: (_scheme: string, h: (request: Request) => Promise<Response>) => (captured.protocolHandler = h),
    },
    net: { fetch: async () => new Response('file body') },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof captured.permission) => (captured.permission = h),
        setPermissionCheckHandler: () => {},
      },
    },
  };
});

beforeAll(async () => {
  await import('../../electron/main/index');
  captured.ready!();
  await new Promise((r) => setTimeout(r, 10));
});

describe('Electron shell', () => {
  it('registers app:// as a privileged scheme before ready', () => {
    expect(captured.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
  });

  it('opens a window with every security option set explicitly', () => {
    const win = captured.windows[0];
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.url).toBe('app://utter/index.html');
    expect(win.openHandler!()).toEqual({ action: 'deny' });
    const event = { preventDefault: vi.fn() };
    win.navigate!(event);
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('denies permissions by default', () => {
    const cb = vi.fn();
    captured.permission!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
  });

  it('answers IPC only from its own page\'s main frame', async () => {
    const handler = captured.handlers.get('utter:app-info')!;
    expect(await handler({ senderFrame: { url: 'app://utter/index.html', parent: null } })).toEqual({ version: '0.1.0', shell: 'electron' });
    expect(() => handler({ senderFrame: { url: 'https://evil.example/', parent: null } })).toThrow(/untrusted/);
    expect(() => handler({ senderFrame: { url: 'app://utter/index.html', parent: {} } })).toThrow(/untrusted/);
    expect(() => handler({ senderFrame: null })).toThrow(/untrusted/);
  });

  it('serves only files inside the renderer folder', async () => {
    const outside = await captured.protocolHandler!(new Request('app://utter/%2e%2e/%2e%2e/etc/passwd'));
    expect(outside.status).toBe(404);
    const other = await captured.protocolHandler!(new Request('app://elsewhere/index.html'));
    expect(other.status).toBe(404);
  });

  it('speaks over a fresh port per utterance, handed to the page, and refuses bad requests', async () => {
    const speak = captured.handlers.get('utter:speak')!;
    const trusted = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    let posted: { channel: string; message: unknown; ports: { on: (e: string, h: (v: unknown) => void) => void; start: () => void }[] } | undefined;
    const sender = { postMessage: (channel: string, message: unknown, ports: never[]) => (posted = { channel, message, ports }) };
    // Text with nothing to speak: the engine's refusal comes down the port like any failure.
    const ticket = (await speak({ ...trusted, sender }, { text: '   ' })) as { id: number };
    expect(posted!.channel).toBe('utter:audio-port');
    expect(posted!.message).toEqual({ id: ticket.id });
    const events: unknown[] = [];
    posted!.ports[0].on('message', (message) => events.push((message as { data: unknown }).data));
    posted!.ports[0].start();
    await vi.waitFor(() => expect(events).toEqual([{ type: 'error', error: expect.objectContaining({ kind: 'input' }) }]));
    expect(() => speak({ ...trusted, sender }, { text: 42 })).toThrow(/needs text/);
    expect(() => speak({ ...trusted, sender }, { text: 'hi', format: 'ogg' })).toThrow(/Unknown audio format/);
    expect(() => speak({ senderFrame: { url: 'https://evil.example/', parent: null }, sender }, { text: 'hi' })).toThrow(/untrusted/);
  });
});
