import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { askAppDiagnostics, sendToApp } from '../../electron/main/app-socket';
import { launchApp } from '../support/fake-electron';
import { channelOf, PAGE_EVENTS } from '../../shared/contract';

/**
 * The shell under a mocked Electron (the binary cannot run here): capture what it
 * registers and call it the way Electron would.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

beforeAll(async () => {
  captured.userData = mkdtempSync(join(tmpdir(), 'utter-shell-'));
  // Another application holds the default stop shortcut.
  captured.heldElsewhere.add('CommandOrControl+Alt+X');
  // Never the user's real socket: a running app's would be replaced.
  process.env.UTTER_SOCKET = join(captured.userData, 'utter.sock');
  // Nor the user's autostart folder.
  process.env.XDG_CONFIG_HOME = captured.userData;
  await launchApp(captured, () => import('../../electron/main/index'));
});

describe('Electron shell', () => {
  it('registers app:// as a privileged scheme before ready', () => {
    expect(captured.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
  });

  it('opens a window with every security option set explicitly', () => {
    // A plain launch shows the player and reads nothing aloud.
    expect(captured.shown).toBeGreaterThan(0);
    expect(captured.sent).toEqual([]);
    const win = captured.windows[0];
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.url).toBe('app://utter/index.html');
    expect(win.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    // An allow-listed https link goes to the user's browser; the app still opens no window.
    expect(win.openHandler!({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    expect(captured.opened).toEqual(['https://github.com/']);
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
    const handler = captured.handlers.get(channelOf('appInfo'))!;
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
    const speak = captured.handlers.get(channelOf('speak'))!;
    const trusted = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    let posted: { channel: string; message: unknown; ports: { on: (e: string, h: (v: unknown) => void) => void; start: () => void }[] } | undefined;
    const sender = { postMessage: (channel: string, message: unknown, ports: never[]) => (posted = { channel, message, ports }) };
    // Text with nothing to speak: the engine's refusal comes down the port like any failure.
    const ticket = (await speak({ ...trusted, sender }, { text: '   ' })) as { id: number };
    expect(posted!.channel).toBe(PAGE_EVENTS.audioPort);
    expect(posted!.message).toEqual({ id: ticket.id });
    const events: unknown[] = [];
    posted!.ports[0].on('message', (message) => events.push((message as { data: unknown }).data));
    posted!.ports[0].start();
    await vi.waitFor(() => expect(events).toEqual([{ type: 'error', error: expect.objectContaining({ kind: 'input' }) }]));
    expect(() => speak({ ...trusted, sender }, { text: 42 })).toThrow(/needs text/);
    expect(() => speak({ ...trusted, sender }, { text: 'hi', format: 'ogg' })).toThrow(/Unknown audio format/);
    expect(() => speak({ senderFrame: { url: 'https://evil.example/', parent: null }, sender }, { text: 'hi' })).toThrow(/untrusted/);
  });

  it('puts a tray up whose menu speaks the clipboard through the player page', async () => {
    const menu = captured.menus.at(-1)!;
    expect(menu.map((item) => item.label).filter(Boolean)).toEqual(expect.arrayContaining(['Speak clipboard', 'Stop', 'Quit']));
    expect(captured.tooltips.at(-1)).toMatch(/Utter/);
    captured.clipboardText = 'Read me aloud.';
    menu.find((item) => item.label === 'Speak clipboard')!.click!();
    await vi.waitFor(() => expect(captured.sent).toContainEqual({ channel: PAGE_EVENTS.command, message: { type: 'speak', text: 'Read me aloud.', source: 'clipboard' } }));
  });

  it('tells the user when the clipboard holds no text, instead of doing nothing', async () => {
    captured.clipboardText = '   ';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(captured.notifications).toContain('The clipboard is empty.'));
  });

  it('registers the hotkeys and reports one another application holds', () => {
    expect([...captured.shortcuts.keys()].sort()).toEqual(['CommandOrControl+Alt+P', 'CommandOrControl+Alt+S']);
    expect(captured.notifications.some((n) => /Stop \(Ctrl\+Alt\+X\)/.test(n) && /another application/.test(n))).toBe(true);
  });

  it('follows the player state from the page in the tray, and only from its own page', () => {
    const status = captured.handlers.get(`on:${channelOf('reportStatus')}`)!;
    const trusted = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    status(trusted, { status: 'speaking', reading: 'Hello there.' });
    expect(captured.tooltips.at(-1)).toMatch(/Hello there/);
    expect(captured.images.at(-1)).toMatch(/tray-speaking/);
    status({ senderFrame: { url: 'https://evil.example/', parent: null } }, { status: 'error', error: 'x' });
    status(trusted, { status: 'nonsense' });
    expect(captured.images.at(-1)).toMatch(/tray-speaking/);
    // An error nobody sees in a window becomes a notification.
    status(trusted, { status: 'error', error: 'The server refused the API key.' });
    expect(captured.notifications).toContain('The server refused the API key.');
    status(trusted, { status: 'speaking', notice: 'Switched to http://backup/v1: connection refused' });
    expect(captured.notifications.at(-1)).toBe('Switched to http://backup/v1: connection refused');
    // An error while the next queued text already plays (still 'speaking') is told, once.
    const before = captured.notifications.length;
    status(trusted, { status: 'speaking', reading: 'The next text.', error: 'The server is down.' });
    status(trusted, { status: 'speaking', reading: 'Its second sentence.', error: 'The server is down.' });
    expect(captured.notifications.slice(before)).toEqual(['The server is down.']);
  });

  it('shows Diagnostics from the tray with what only the app knows, and copies the report', async () => {
    const trusted = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    captured.handlers.get(`on:${channelOf('reportStatus')}`)!(trusted, { status: 'idle', audio: { ok: true, detail: 'playing at 48000 Hz, 40 ms output latency' } });
    captured.messageBoxResponse = 0;
    captured.menus.at(-1)!.find((item) => item.label === 'Diagnostics…')!.click!();
    await vi.waitFor(() => expect(captured.clipboardWritten).toHaveLength(1), { timeout: 10_000 });
    const box = captured.messageBoxes.at(-1)!;
    expect(box.title).toBe('Utter diagnostics');
    expect(box.buttons).toEqual(['Copy report', 'Close']);
    // Another application holds the stop shortcut: a warning, with the shortcuts that were registered.
    expect(box.type).toBe('warning');
    expect(box.detail).toMatch(/^warning +Global shortcuts: Stop \(Ctrl\+Alt\+X\): already used by another application/m);
    expect(box.detail).toMatch(/^ok +Audio output: playing at 48000 Hz/m);
    expect(box.detail).toMatch(/^ok +Embedded voice: eSpeak NG said "Hello"/m);
    expect(box.detail).toMatch(/^ok +API key: none set/m);
    expect(box.detail).toMatch(/^ok +App socket: listening/m);
    expect(captured.clipboardWritten[0]).toBe(box.detail);
    captured.messageBoxResponse = undefined;
  });

  it('answers `utter doctor` with its in-app checks over the socket', async () => {
    const checks = await askAppDiagnostics(process.env.UTTER_SOCKET!, 10_000);
    expect(checks).not.toBe('no-app');
    const ids = (checks as { id: string }[]).map((check) => check.id);
    expect(ids).toEqual(expect.arrayContaining(['electron', 'api-key', 'hotkeys', 'audio-output']));
  });

  it('serves settings without the key', async () => {
    const settings = (await captured.handlers.get(channelOf('settings'))!({ senderFrame: { url: 'app://utter/index.html', parent: null } })) as Record<string, unknown>;
    expect(settings).toMatchObject({ provider: 'local', apiKeySet: false });
    // The settings window learns which shortcut another application holds.
    expect(settings.hotkeyProblems).toEqual({ stop: expect.stringMatching(/another application/) });
    expect('apiKey' in settings).toBe(false);
  });

  it('speaks what `utter speak TEXT` sends to its socket', async () => {
    await vi.waitFor(async () => expect(await sendToApp(process.env.UTTER_SOCKET!, { type: 'speak', text: 'From the terminal.' })).toBe('sent'));
    expect(captured.sent).toContainEqual({ channel: PAGE_EVENTS.command, message: { type: 'speak', text: 'From the terminal.', source: 'second-instance' } });
    await expect(sendToApp(process.env.UTTER_SOCKET!, { type: 'speak', text: '  ' })).rejects.toThrow(/nothing to speak/);
  });

  it('acts on a second launch: files are read with the player shown, --speak-clipboard speaks without it, a bare launch shows it', async () => {
    const dir = captured.userData;
    writeFileSync(join(dir, 'opened.txt'), 'Opened with Utter.');
    const secondLaunch = captured.listeners.get('second-instance')!;
    captured.sent.length = 0;
    let shown = captured.shown;
    secondLaunch({}, ['/opt/Utter/utter', '--no-sandbox', 'opened.txt'], dir);
    await vi.waitFor(() => expect(captured.sent.map((s) => s.message)).toEqual([{ type: 'speak', text: 'Opened with Utter.', source: 'file' }]));
    expect(captured.shown).toBeGreaterThan(shown);
    shown = captured.shown;
    captured.clipboardText = 'From a desktop shortcut.';
    secondLaunch({}, ['/opt/Utter/utter', '--speak-clipboard'], dir);
    await vi.waitFor(() => expect(captured.sent.at(-1)?.message).toEqual({ type: 'speak', text: 'From a desktop shortcut.', source: 'clipboard' }));
    expect(captured.shown).toBe(shown);
    secondLaunch({}, ['/opt/Utter/utter'], dir);
    expect(captured.shown).toBe(shown + 1);
    // A file that is not there is said, not ignored.
    secondLaunch({}, ['/opt/Utter/utter', 'gone.txt'], dir);
    expect(captured.notifications.at(-1)).toBe('Nothing to read at gone.txt: no such file.');
  });

  it('speaks the clipboard when `utter speak --clipboard` asks, and answers why not when it holds no text', async () => {
    captured.clipboardText = 'Asked for from the terminal.';
    expect(await sendToApp(process.env.UTTER_SOCKET!, { type: 'speak-clipboard' })).toBe('sent');
    expect(captured.sent.at(-1)?.message).toEqual({ type: 'speak', text: 'Asked for from the terminal.', source: 'clipboard' });
    captured.clipboardText = '';
    await expect(sendToApp(process.env.UTTER_SOCKET!, { type: 'speak-clipboard' })).rejects.toThrow('The clipboard is empty.');
    expect(captured.notifications.at(-1)).toBe('The clipboard is empty.');
  });

  it('reads a file macOS opens with it (Finder, the Dock)', async () => {
    writeFileSync(join(captured.userData, 'finder.md'), '# From Finder');
    let prevented = false;
    captured.listeners.get('open-file')!({ preventDefault: () => (prevented = true) }, join(captured.userData, 'finder.md'));
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(captured.sent.at(-1)?.message).toEqual({ type: 'speak', text: '# From Finder', source: 'file' }));
  });

  it('reads files chosen with Open file… from the tray: the first speaks, the rest queue, refusals are told', async () => {
    const dir = captured.userData;
    writeFileSync(join(dir, 'one.txt'), 'File one.');
    writeFileSync(join(dir, 'two.md'), 'File two.');
    writeFileSync(join(dir, 'three.bin'), Buffer.from([0, 1, 2]));
    captured.chosenFiles = ['one.txt', 'three.bin', 'two.md'].map((n) => join(dir, n));
    captured.sent.length = 0;
    captured.menus.at(-1)!.find((item) => item.label === 'Open file…')!.click!();
    await vi.waitFor(() => expect(captured.sent.map((s) => s.message)).toEqual([{ type: 'speak', text: 'File one.', source: 'file' }, { type: 'queue', text: 'File two.' }]));
    expect(captured.notifications.at(-1)).toMatch(/three\.bin is not a text file/);
  });

  it.runIf(process.platform === 'linux')('starts at login when the settings window asks (an XDG autostart entry), and shows it in the tray', async () => {
    const update = captured.handlers.get(channelOf('updateSettings'))!;
    const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    const entry = join(captured.userData, 'autostart', 'utter.desktop');
    const loginItem = () => captured.menus.at(-1)!.find((item) => item.label === 'Start at login')!.checked;
    expect(await update(page, { openAtLogin: true })).toMatchObject({ ok: true, settings: { openAtLogin: true, provider: 'local' } });
    expect(readFileSync(entry, 'utf8')).toMatch(/^Exec=".+" --hidden$/m);
    expect(loginItem()).toBe(true);
    expect(await update(page, { openAtLogin: false, speed: 1.5 })).toMatchObject({ ok: true, settings: { openAtLogin: false, speed: 1.5 } });
    expect(existsSync(entry)).toBe(false);
    expect(loginItem()).toBe(false);
    // Not a boolean, or not an object at all: refused, nothing changed.
    expect(await update(page, { openAtLogin: 'yes' })).toMatchObject({ ok: false, issues: [{ setting: 'openAtLogin' }] });
    expect(() => update(page, 'openAtLogin')).toThrow(/updateSettings refused: takes an object of settings/);
    expect(existsSync(entry)).toBe(false);
    expect(() => update({ senderFrame: { url: 'https://evil.example/', parent: null } }, { openAtLogin: true })).toThrow(/untrusted sender/);
    expect(existsSync(entry)).toBe(false);
  });

  it('opens the settings window when its own page asks, the same renderer at #settings', () => {
    const open = captured.handlers.get(`on:${channelOf('openSettings')}`)!;
    const before = captured.windows.length;
    open({ senderFrame: { url: 'https://evil.example/', parent: null } });
    expect(captured.windows.length).toBe(before);
    open({ senderFrame: { url: 'app://utter/index.html', parent: null } });
    expect(captured.windows.length).toBe(before + 1);
    const settings = captured.windows.at(-1)!;
    expect(settings.url).toBe('app://utter/index.html#settings');
    expect(settings.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });
});
