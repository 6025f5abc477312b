import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { askAppDiagnostics, sendToApp } from '../../electron/session/app-socket';
import { creditEveryChunk, launchApp, type FakePort } from '../support/fake-electron';
import { channelOf, PAGE_EVENTS } from '../../shared/contract';
import type { PlayTicket, SessionText, SessionView } from '../../shared/session';
import type { PublicSettings } from '../../shared/renderer-api';
import { withTexts } from '../support/shown-view';

/**
 * The shell under a mocked Electron (the binary cannot run here): capture what it
 * registers and call it the way Electron would.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
/** The player window's webContents, which the shell loads hidden at start. */
const player = () => captured.windows.find((w) => w.url === 'app://utter/index.html' && !w.destroyed)!;
/**
 * The player page loads (again: a new document, with none of the texts) and becomes the
 * session's audio sink, as its controller does, once per load. Its view has the texts put
 * back in as the page gets them: those sent since it asked.
 */
const attachPlayer = () => {
  player().contents.emit('did-navigate');
  const from = captured.sent.length;
  const view = captured.handlers.get(channelOf('attachSink'))!({ ...page, sender: player().contents }) as SessionView;
  return withTexts(view, (textId) => sentText(textId, from));
};
const fact = (message: unknown, sender = player().contents) => captured.handlers.get(`on:${channelOf('sinkFact')}`)!({ ...page, sender }, message);
const views = () => captured.sent.filter((s) => s.channel === PAGE_EVENTS.session).map((s) => s.message as SessionView);
const plays = () => captured.sent.filter((s) => s.channel === PAGE_EVENTS.play);
/** A text as the app last sent it to a page, ahead of the views that name it. */
const sentText = (textId: number, from = 0) =>
  captured.sent
    .slice(from)
    .flatMap((s) => (s.channel === PAGE_EVENTS.texts ? (s.message as SessionText[]) : []))
    .findLast((text) => text.textId === textId)?.text;
/** The last view, with the texts the pages were sent put back in. */
const lastView = () => {
  const view = views().at(-1);
  return view && withTexts(view, sentText);
};
/** Plays the page's part on the last port handed over: takes every chunk at once, so the engine goes on. */
const consumeLastPort = () => creditEveryChunk(plays().at(-1)!.ports![0] as FakePort);

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
    // Packaged (as the fake app says it is): no DevTools either.
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: false });
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

  it('hands each utterance to the page that attached, on a fresh port, and refuses bad requests', async () => {
    expect(attachPlayer()).toMatchObject({ state: 'idle', current: null });
    const speak = captured.handlers.get(channelOf('speak'))!;
    const sender = player().contents;
    await speak({ ...page, sender }, { texts: ['Hello there.'] });
    const posted = plays().at(-1)!;
    const ticket = posted.message as PlayTicket;
    expect(ticket).toMatchObject({ offset: 0, streaming: true });
    expect(lastView()).toMatchObject({ state: 'buffering', current: { id: ticket.id, text: 'Hello there.' } });
    // The engine speaks into the port the page got: its first events arrive there.
    const events: { type: string }[] = [];
    const port = posted.ports![0] as FakePort;
    port.on('message', (message) => events.push((message as { data: { type: string } }).data));
    port.start();
    await vi.waitFor(() => expect(events[0]).toMatchObject({ type: 'utterance-start', provider: 'local' }), { timeout: 10_000 });
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
    expect(lastView()).toMatchObject({ state: 'idle', current: null });
    expect(captured.sent.at(-2)).toEqual({ channel: PAGE_EVENTS.transport, message: 'stop' });
    expect(() => speak({ ...page, sender }, { texts: ['   '] })).toThrow('There is nothing to speak.');
    expect(() => speak({ ...page, sender }, { texts: [42] })).toThrow(/needs text/);
    expect(() => speak({ ...page, sender }, { texts: ['hi'], format: 'ogg' })).toThrow(/Unknown audio format/);
    expect(() => speak({ senderFrame: { url: 'https://evil.example/', parent: null }, sender }, { texts: ['hi'] })).toThrow(/untrusted/);
  });

  it('puts a tray up whose menu speaks the clipboard: the session starts it and hands the page its port', async () => {
    const menu = captured.menus.at(-1)!;
    expect(menu.map((item) => item.label).filter(Boolean)).toEqual(expect.arrayContaining(['Speak clipboard', 'Stop', 'Quit']));
    expect(captured.tooltips.at(-1)).toMatch(/Utter/);
    captured.clipboardText = 'Read me aloud.';
    const before = plays().length;
    menu.find((item) => item.label === 'Speak clipboard')!.click!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Read me aloud.'));
    expect(plays()).toHaveLength(before + 1);
  });

  it('tells the user when the clipboard holds no text, instead of doing nothing', async () => {
    captured.clipboardText = '   ';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(captured.notifications).toContain('The clipboard is empty.'));
  });

  it('speaks the selection (PRIMARY on Linux) from its own hotkey and tray item, and says when nothing is selected', async () => {
    captured.clipboardText = 'The clipboard, not to be read.';
    captured.selectionText = 'Highlighted, never copied.';
    captured.shortcuts.get('CommandOrControl+Alt+A')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Highlighted, never copied.'));
    captured.selectionText = 'Chosen from the tray.';
    captured.menus.at(-1)!.find((item) => item.label === 'Speak selection')!.click!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Chosen from the tray.'));
    captured.selectionText = '';
    captured.shortcuts.get('CommandOrControl+Alt+A')!();
    await vi.waitFor(() => expect(captured.notifications.at(-1)).toBe('Nothing is selected. Select some text, then use Speak selection again.'));
  });

  it('registers the hotkeys and reports one another application holds', () => {
    expect([...captured.shortcuts.keys()].sort()).toEqual(['CommandOrControl+Alt+-', 'CommandOrControl+Alt+0', 'CommandOrControl+Alt+=', 'CommandOrControl+Alt+A', 'CommandOrControl+Alt+P', 'CommandOrControl+Alt+S']);
    expect(captured.notifications.some((n) => /Stop \(Ctrl\+Alt\+X\)/.test(n) && /another application/.test(n))).toBe(true);
  });

  it('changes the playback rate from the shortcuts, the tray and a page; keeps it in the settings file; refuses one out of range', async () => {
    const send = (rate: unknown) => captured.handlers.get(`on:${channelOf('setRate')}`)!({ ...page, sender: player().contents }, rate);
    const speed = () => (captured.menus.at(-1) as { id?: string; label?: string; submenu?: { id: string; click: () => void }[] }[]).find((entry) => entry.id === 'speed')!;
    const saved = () => JSON.parse(readFileSync(join(captured.userData, 'settings.json'), 'utf8')).playbackRate;
    captured.shortcuts.get('CommandOrControl+Alt+=')!();
    await vi.waitFor(() => expect(lastView()?.rate).toBe(1.25));
    expect(speed().label).toBe('Speed 1.25×');
    speed().submenu!.find((entry) => entry.id === 'faster')!.click();
    await vi.waitFor(() => expect(lastView()?.rate).toBe(1.5));
    captured.shortcuts.get('CommandOrControl+Alt+-')!();
    await vi.waitFor(() => expect(lastView()?.rate).toBe(1.25));
    await vi.waitFor(() => expect(saved()).toBe(1.25));
    send(2.5);
    await vi.waitFor(() => expect(lastView()?.rate).toBe(2.5));
    // Refused at the door: the rate stays, and nothing reaches the session.
    const before = views().length;
    send(3.5);
    send('fast');
    expect(views().length).toBe(before);
    expect(lastView()?.rate).toBe(2.5);
    captured.shortcuts.get('CommandOrControl+Alt+0')!();
    await vi.waitFor(() => expect(lastView()?.rate).toBe(1));
    await vi.waitFor(() => expect(saved()).toBe(1));
  });

  it('follows the session in the tray: the sentence the page hears, and only its own page\'s facts', async () => {
    // The player window was closed (hidden): nobody sees an error in it.
    player().visible = false;
    captured.clipboardText = 'Hello there. A second sentence.';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Hello there. A second sentence.'));
    const { id } = plays().at(-1)!.message as PlayTicket;
    ((plays().at(-1)!.ports![0]) as FakePort).start();
    // A page that is not the sink says nothing the tray believes.
    fact({ type: 'playing', id, index: 1 }, {} as never);
    fact({ type: 'playing', id, index: 0 });
    await vi.waitFor(() => expect(captured.tooltips.at(-1)).toBe('Utter — reading: Hello there.'), { timeout: 10_000 });
    expect(captured.images.at(-1)).toMatch(/tray-speaking/);
    // An error nobody sees in a window becomes a notification, once.
    fact({ type: 'error', id, message: 'The server refused the API key.' });
    fact({ type: 'error', id, message: 'The server refused the API key.' });
    expect(captured.notifications.filter((n) => n === 'The server refused the API key.')).toHaveLength(1);
    // A malformed fact is refused before the session sees it.
    fact({ type: 'playing', id, index: -1 });
    fact({ type: 'drained', id, heardAt: Date.now() });
    await vi.waitFor(() => expect(captured.images.at(-1)).toMatch(/tray-error/));
    expect(captured.tooltips.at(-1)).toBe('Utter — error: The server refused the API key.');
  });

  it('replaces a crashed or hung player and goes on from the sentence heard', async () => {
    player().visible = false;
    attachPlayer();
    captured.clipboardText = 'First sentence here. Second sentence here. Third one.';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe(captured.clipboardText));
    const crashed = player();
    const { id } = plays().at(-1)!.message as PlayTicket;
    consumeLastPort();
    fact({ type: 'playing', id, index: 1 });
    await vi.waitFor(() => expect(lastView()?.current?.segment).toMatchObject({ index: 1, start: 21 }), { timeout: 10_000 });
    // Hung: the renderer is crashed on purpose, which Electron reports as gone.
    crashed.emit('unresponsive');
    expect(crashed.crashRequests).toBe(1);
    const windows = captured.windows.length;
    crashed.contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(crashed.destroyed).toBe(true);
    expect(captured.windows).toHaveLength(windows + 1);
    // The new page attaches as its controller does on load: the text goes on from the second sentence.
    const before = plays().length;
    expect(attachPlayer()).toMatchObject({ state: 'buffering', current: { id, offset: 21, text: captured.clipboardText } });
    await vi.waitFor(() => expect(plays()).toHaveLength(before + 1));
    expect(plays().at(-1)!.message).toMatchObject({ id, offset: 21 });
    expect(lastView()!.notice).toMatch(/reading goes on from “Second sentence here/);
    expect(captured.notifications.filter((n) => /reading goes on/.test(n))).toHaveLength(1);
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it('sends each text to a page once over IPC, however many sentences are heard: views name texts by id', async () => {
    player().visible = false;
    attachPlayer();
    const shown = player();
    const reading = 'Read at length, a sentence at a time. '.repeat(55_000);
    const waiting = 'Waiting its turn in the queue. '.repeat(68_000);
    expect(reading.length + waiting.length).toBeGreaterThan(4_000_000);
    const from = captured.sent.length;
    await captured.handlers.get(channelOf('speak'))!({ ...page, sender: shown.contents }, { texts: [reading, waiting] });
    await vi.waitFor(() => expect(plays().length).toBeGreaterThan(0));
    const { id } = plays().at(-1)!.message as PlayTicket;
    const changes = 30;
    for (let index = 0; index < changes; index++) fact({ type: 'playing', id, index });
    await vi.waitFor(() => expect(lastView()?.current?.segment).toBeDefined());
    const toPage = captured.sent.slice(from).filter((s) => s.to === shown && (s.channel === PAGE_EVENTS.session || s.channel === PAGE_EVENTS.texts));
    expect(toPage.filter((s) => s.channel === PAGE_EVENTS.session).length).toBeGreaterThanOrEqual(changes);
    // Each text once: the bytes do not grow with the changes (each view carried 4 MB before).
    const bytes = toPage.reduce((sum, s) => sum + JSON.stringify(s.message).length, 0);
    expect(bytes).toBeLessThan(reading.length + waiting.length + changes * 5_000);
    // (The history's short texts, from earlier tests, the page had already.)
    const long = (t: SessionText) => t.text === reading || t.text === waiting;
    const texts = toPage.flatMap((s) => (s.channel === PAGE_EVENTS.texts ? (s.message as SessionText[]) : []));
    expect(texts.filter(long).map((t) => t.text.length)).toEqual([reading.length, waiting.length]);
    expect(lastView()).toMatchObject({ current: { id, text: reading }, queued: [waiting] });
    // A page that loads again (F5) has none of them: it is sent each once more.
    const reloaded = captured.sent.length;
    attachPlayer();
    const again = captured.sent.slice(reloaded).flatMap((s) => (s.to === shown && s.channel === PAGE_EVENTS.texts ? (s.message as SessionText[]) : []));
    expect(again.filter(long).map((t) => t.text.length)).toEqual([reading.length, waiting.length]);
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it("sends a page's document each text once however often it asks for the view, and a page loaded anew (F5) no view before the texts it names", async () => {
    player().visible = false;
    attachPlayer();
    const shown = player();
    const sender = shown.contents;
    const reading = 'A text the page already has. '.repeat(20_000);
    await captured.handlers.get(channelOf('speak'))!({ ...page, sender }, { texts: [reading] });
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe(reading));
    const { id } = plays().at(-1)!.message as PlayTicket;
    fact({ type: 'playing', id, index: 0 });
    await vi.waitFor(() => expect(lastView()?.current?.segment).toMatchObject({ index: 0 }));
    const toPage = (from: number) => captured.sent.slice(from).filter((s) => s.to === shown);
    const textsIn = (sent: typeof captured.sent) => sent.flatMap((s) => (s.channel === PAGE_EVENTS.texts ? (s.message as SessionText[]) : []));
    /** Each view the page got since `from` with its texts, as its shelf has them: only those sent since. */
    const shownSince = (from: number) => {
      const sent = toPage(from);
      return sent.flatMap((s, index) => {
        if (s.channel !== PAGE_EVENTS.session) return [];
        const shelf = textsIn(sent.slice(0, index));
        return [withTexts(s.message as SessionView, (textId) => shelf.find((text) => text.textId === textId)?.text)];
      });
    };
    // The same document asks again (the Test voice view mounts anew): it has the texts already.
    const asked = captured.sent.length;
    const ask = () => captured.handlers.get(channelOf('sessionView'))!({ ...page, sender }) as SessionView;
    expect(withTexts(ask(), sentText).current?.text).toBe(reading);
    ask();
    expect(textsIn(toPage(asked))).toEqual([]);
    // F5: a new document, which has none of the texts. Until it asks, the views go without it.
    const loaded = captured.sent.length;
    sender.emit('did-navigate');
    // (A fact the session hears makes a view for every page that shows it.)
    fact({ type: 'playing', id, index: 0 });
    expect(shownSince(loaded)).toEqual([]);
    // It asks, and gets the texts first; every view from then on names only texts it has.
    const view = ask();
    expect(textsIn(toPage(loaded)).map((text) => text.textId)).toEqual(expect.arrayContaining([view.current!.textId]));
    fact({ type: 'playing', id, index: 0 });
    const shownViews = shownSince(loaded);
    expect(shownViews.at(-1)).toMatchObject({ current: { text: reading, segment: { index: 0 } } });
    for (const shownView of shownViews) expect([shownView.current?.text, ...shownView.queued, ...shownView.history]).not.toContain(undefined);
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it('goes on from the sentence heard with no alarm when the player reloads (F5): the page said it was going', async () => {
    player().visible = false;
    attachPlayer();
    const notified = captured.notifications.length;
    captured.clipboardText = 'First sentence here. Second sentence here. Third one.';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe(captured.clipboardText));
    const { id } = plays().at(-1)!.message as PlayTicket;
    consumeLastPort();
    fact({ type: 'playing', id, index: 1 });
    await vi.waitFor(() => expect(lastView()?.current?.segment).toMatchObject({ index: 1, start: 21 }), { timeout: 10_000 });
    // The same webContents loads the page again: the old page says it is going, the new one attaches.
    captured.handlers.get(`on:${channelOf('detachSink')}`)!({ ...page, sender: player().contents });
    const before = plays().length;
    expect(attachPlayer()).toMatchObject({ state: 'buffering', current: { id, offset: 21, text: captured.clipboardText } });
    await vi.waitFor(() => expect(plays()).toHaveLength(before + 1));
    expect(plays().at(-1)!.message).toMatchObject({ id, offset: 21 });
    expect(lastView()).toMatchObject({ error: '', notice: expect.stringMatching(/^Reading goes on from “Second sentence here/) });
    expect(captured.notifications.slice(notified)).toEqual([]);
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it('watches a page for a crash once however often it attaches (each reload does), and still hears the crash', async () => {
    attachPlayer();
    const watching = (event: string) => player().contents.listenerCount(event);
    const before = { gone: watching('render-process-gone'), destroyed: watching('destroyed') };
    for (let i = 0; i < 5; i++) attachPlayer();
    expect({ gone: watching('render-process-gone'), destroyed: watching('destroyed') }).toEqual(before);
    captured.clipboardText = 'Crash watch, first sentence. And a second.';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe(captured.clipboardText));
    player().contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    // The new page attaches, and hears that the old one was lost.
    attachPlayer();
    await vi.waitFor(() => expect(lastView()!.notice).toMatch(/The player stopped unexpectedly/));
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it('shows Diagnostics from the tray with what only the app knows, and copies the report', async () => {
    fact({ type: 'audio-output', ok: true, detail: 'playing at 48000 Hz, 40 ms output latency' });
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
    const settings = (await captured.handlers.get(channelOf('settings'))!({ ...page, sender: player().contents })) as Record<string, unknown>;
    expect(settings).toMatchObject({ provider: 'local', apiKeySet: false });
    // The settings window learns which shortcut another application holds.
    expect(settings.hotkeyProblems).toEqual({ stop: expect.stringMatching(/another application/) });
    expect('apiKey' in settings).toBe(false);
  });

  it('speaks what `utter speak TEXT` sends to its socket', async () => {
    await vi.waitFor(async () => expect(await sendToApp(process.env.UTTER_SOCKET!, { type: 'speak', text: 'From the terminal.' })).toBe('sent'));
    expect(lastView()?.current?.text).toBe('From the terminal.');
    await expect(sendToApp(process.env.UTTER_SOCKET!, { type: 'speak', text: '  ' })).rejects.toThrow(/nothing to speak/);
  });

  it('acts on a second launch: files are read with the player shown, --speak-clipboard speaks without it, a bare launch shows it', async () => {
    const dir = captured.userData;
    writeFileSync(join(dir, 'opened.txt'), 'Opened with Utter.');
    const secondLaunch = captured.listeners.get('second-instance')!;
    captured.sent.length = 0;
    let shown = captured.shown;
    secondLaunch({}, ['/opt/Utter/utter', '--no-sandbox', 'opened.txt'], dir);
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Opened with Utter.'));
    expect(captured.shown).toBeGreaterThan(shown);
    shown = captured.shown;
    captured.clipboardText = 'From a desktop shortcut.';
    secondLaunch({}, ['/opt/Utter/utter', '--speak-clipboard'], dir);
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('From a desktop shortcut.'));
    expect(captured.shown).toBe(shown);
    captured.selectionText = 'Selected, from a desktop shortcut.';
    secondLaunch({}, ['/opt/Utter/utter', '--speak-selection'], dir);
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Selected, from a desktop shortcut.'));
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
    expect(lastView()?.current?.text).toBe('Asked for from the terminal.');
    captured.clipboardText = '';
    await expect(sendToApp(process.env.UTTER_SOCKET!, { type: 'speak-clipboard' })).rejects.toThrow('The clipboard is empty.');
    expect(captured.notifications.at(-1)).toBe('The clipboard is empty.');
  });

  it('speaks the selection when `utter speak --selection` asks (Windows and macOS), and answers why not when nothing is selected', async () => {
    captured.selectionText = 'Selected, asked for from a terminal.';
    expect(await sendToApp(process.env.UTTER_SOCKET!, { type: 'speak-selection' })).toBe('sent');
    expect(lastView()?.current?.text).toBe('Selected, asked for from a terminal.');
    captured.selectionText = '';
    await expect(sendToApp(process.env.UTTER_SOCKET!, { type: 'speak-selection' })).rejects.toThrow('Nothing is selected.');
  });

  it('reads a file macOS opens with it (Finder, the Dock)', async () => {
    writeFileSync(join(captured.userData, 'finder.md'), '# From Finder');
    let prevented = false;
    captured.listeners.get('open-file')!({ preventDefault: () => (prevented = true) }, join(captured.userData, 'finder.md'));
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('# From Finder'));
  });

  it('reads files chosen with Open file… from the tray: the first speaks, the rest queue, refusals are told', async () => {
    const dir = captured.userData;
    writeFileSync(join(dir, 'one.txt'), 'File one.');
    writeFileSync(join(dir, 'two.md'), 'File two.');
    writeFileSync(join(dir, 'three.bin'), Buffer.from([0, 1, 2]));
    captured.chosenFiles = ['one.txt', 'three.bin', 'two.md'].map((n) => join(dir, n));
    captured.sent.length = 0;
    captured.menus.at(-1)!.find((item) => item.label === 'Open file…')!.click!();
    await vi.waitFor(() => expect(lastView()).toMatchObject({ current: { text: 'File one.' }, queued: ['File two.'] }));
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

  it('rebinds Speak selection from the settings window, and refuses a shortcut another action already has', async () => {
    const update = captured.handlers.get(channelOf('updateSettings'))!;
    const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    const problems = async () => ((await captured.handlers.get(channelOf('settings'))!({ ...page, sender: player().contents })) as { hotkeyProblems: Record<string, string> }).hotkeyProblems;
    const hotkeys = (speakSelection: string) => ({ hotkeys: { speakClipboard: 'CommandOrControl+Alt+S', speakSelection, pauseResume: 'CommandOrControl+Alt+P', stop: 'CommandOrControl+Alt+X' } });
    expect(await update(page, hotkeys('Ctrl+Alt+S'))).toMatchObject({
      ok: false,
      issues: expect.arrayContaining([{ setting: 'hotkeys.speakSelection', value: 'Ctrl+Alt+S', message: 'Ctrl+Alt+S is already the shortcut for Speak clipboard' }]),
    });
    // Refused whole: the shortcut in force stays registered.
    expect(await problems()).not.toHaveProperty('speakSelection');
    expect(captured.shortcuts.has('CommandOrControl+Alt+A')).toBe(true);
    expect(await update(page, hotkeys('Alt+Shift+F7'))).toMatchObject({ ok: true });
    expect(await problems()).not.toHaveProperty('speakSelection');
    expect(captured.menus.at(-1)!.find((item) => item.label === 'Speak selection')).toMatchObject({ accelerator: 'Alt+Shift+F7' });
    captured.selectionText = 'Through the new shortcut.';
    captured.shortcuts.get('Alt+Shift+F7')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('Through the new shortcut.'));
    expect(await update(page, hotkeys('CommandOrControl+Alt+A'))).toMatchObject({ ok: true });
    expect(captured.shortcuts.has('CommandOrControl+Alt+A')).toBe(true);
  });

  it('takes up settings.json edited while it runs: the new shortcut is registered, and a later change keeps the edit', async () => {
    const file = join(captured.userData, 'settings.json');
    const update = captured.handlers.get(channelOf('updateSettings'))!;
    const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...onDisk, voice: 'echo', hotkeys: { ...onDisk.hotkeys, speakClipboard: 'Alt+Shift+F9' } }));
    await vi.waitFor(() => expect(captured.shortcuts.has('Alt+Shift+F9')).toBe(true), { timeout: 3000 });
    expect(captured.shortcuts.has('CommandOrControl+Alt+S')).toBe(false);
    expect(await update(page, { speed: 1.25 })).toMatchObject({ ok: true, settings: { voice: 'echo', speed: 1.25 } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ voice: 'echo', speed: 1.25, hotkeys: { speakClipboard: 'Alt+Shift+F9' } });
    expect(await update(page, { hotkeys: onDisk.hotkeys, voice: onDisk.voice, speed: onDisk.speed })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(captured.shortcuts.has('CommandOrControl+Alt+S')).toBe(true));
  });

  it('tells each page that asked for the settings of every change: from another window, or settings.json, with the hotkeys taken as they are then', async () => {
    const file = join(captured.userData, 'settings.json');
    const update = captured.handlers.get(channelOf('updateSettings'))!;
    const reader = player();
    await captured.handlers.get(channelOf('settings'))!({ ...page, sender: reader.contents });
    const from = captured.sent.length;
    const pushed = () => captured.sent.slice(from).filter((s) => s.channel === PAGE_EVENTS.settings && s.to === reader).map((s) => s.message as PublicSettings);
    // Another window (the settings window) changes one, and one another application holds.
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    captured.heldElsewhere.add('Alt+Shift+F10');
    try {
      expect(await update(page, { speed: 1.75, hotkeys: { ...onDisk.hotkeys, stop: 'Alt+Shift+F10' } })).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(pushed().at(-1)).toMatchObject({ speed: 1.75, hotkeys: { stop: 'Alt+Shift+F10' }, hotkeyProblems: { stop: expect.any(String) } }));
      // The user edits settings.json by hand.
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), voice: 'onyx' }));
      await vi.waitFor(() => expect(pushed().at(-1)).toMatchObject({ voice: 'onyx', speed: 1.75 }), { timeout: 3000 });
      expect(pushed().every((settings) => !('apiKey' in settings))).toBe(true);
    } finally {
      captured.heldElsewhere.delete('Alt+Shift+F10');
      expect(await update(page, { hotkeys: onDisk.hotkeys, voice: onDisk.voice, speed: onDisk.speed })).toMatchObject({ ok: true });
    }
    await vi.waitFor(() => expect(pushed().at(-1)).toMatchObject({ voice: onDisk.voice, hotkeyProblems: {} }));
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

  it('welcomes the user at the first start instead of showing the player, once: the settings file is written, and Welcome… brings it back', async () => {
    // This run started with no settings file.
    const welcome = captured.windows.find((w) => w.url === 'app://utter/index.html#welcome')!;
    expect(welcome.options).toMatchObject({ title: 'Welcome to Utter', width: 520 });
    expect(welcome.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    await vi.waitFor(() => expect(existsSync(join(captured.userData, 'settings.json'))).toBe(true));
    captured.handlers.get(`on:${channelOf('finishWelcome')}`)!({ ...page, sender: welcome.contents });
    expect(welcome.destroyed).toBe(true);
    captured.menus.at(-1)!.find((item) => item.label === 'Welcome…')!.click!();
    const again = captured.windows.at(-1)!;
    expect(again.url).toBe('app://utter/index.html#welcome');
    expect(again.visible).toBe(true);
    captured.handlers.get(`on:${channelOf('finishWelcome')}`)!({ ...page, sender: again.contents });
  });

  it('opens the mini player by the tray icon on a click, hides it when it loses the focus unless pinned, and hides it on a second click', async () => {
    const click = captured.trayEvents.get('click')!;
    const before = captured.windows.length;
    // A Windows tray icon at the bottom right, on the taskbar below the work area.
    click({}, { x: 1700, y: 1044, width: 24, height: 32 });
    const mini = captured.windows.at(-1)!;
    expect(captured.windows.length).toBe(before + 1);
    expect(mini.url).toBe('app://utter/index.html#mini');
    expect(mini.options).toMatchObject({ frame: false, skipTaskbar: true, resizable: false, alwaysOnTop: true });
    expect(mini.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(mini.bounds).toEqual({ x: 1532, y: 820, width: 360, height: 212 });
    expect(mini.visible).toBe(true);
    mini.emit('blur');
    expect(mini.visible).toBe(false);
    // The click that blurred it does not open it again at once.
    click({}, { x: 1700, y: 1044, width: 24, height: 32 });
    expect(mini.visible).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    click({}, { x: 1700, y: 1044, width: 24, height: 32 });
    expect(mini.visible).toBe(true);
    // Pinned, it stays when the focus goes elsewhere; a click on the icon still hides it.
    captured.handlers.get(`on:${channelOf('pinMini')}`)!({ ...page, sender: mini.contents }, true);
    mini.emit('blur');
    expect(mini.visible).toBe(true);
    click({}, { x: 1700, y: 1044, width: 24, height: 32 });
    expect(mini.visible).toBe(false);
    captured.handlers.get(`on:${channelOf('pinMini')}`)!({ ...page, sender: mini.contents }, false);
    // Reused, not made again.
    expect(captured.windows.length).toBe(before + 1);
  });

  it('passes the playing page\'s buffer and word to the pages that only show the session, and opens the full player for them', async () => {
    const mini = captured.windows.find((w) => w.url?.endsWith('#mini'))!;
    captured.handlers.get(channelOf('sessionView'))!({ ...page, sender: mini.contents });
    attachPlayer();
    captured.clipboardText = 'A level to pass on.';
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    await vi.waitFor(() => expect(lastView()?.current?.text).toBe('A level to pass on.'));
    const { id } = plays().at(-1)!.message as PlayTicket;
    consumeLastPort();
    const level = { id, bufferedMs: 420, prerollMs: 150, maxMs: 2000, underruns: 0, word: { start: 2, end: 7 } };
    fact({ type: 'level', ...level });
    expect(captured.sent.filter((s) => s.channel === PAGE_EVENTS.level).at(-1)?.message).toEqual(level);
    // A page that does not play says nothing the others believe.
    const sentBefore = captured.sent.length;
    fact({ type: 'level', ...level, bufferedMs: 1 }, mini.contents);
    expect(captured.sent.slice(sentBefore).filter((s) => s.channel === PAGE_EVENTS.level)).toEqual([]);
    player().visible = false;
    captured.handlers.get(`on:${channelOf('showPlayer')}`)!({ ...page, sender: mini.contents });
    expect(player().visible).toBe(true);
  });

  it('opens the connection to a speech server the settings window chose while nothing plays, without the key', async () => {
    const asked: { method?: string; url?: string; authorization?: string }[] = [];
    const server = createServer((req, res) => {
      asked.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const update = captured.handlers.get(channelOf('updateSettings'))!;
    try {
      captured.menus.at(-1)!.find((item) => item.label === 'Stop')!.click!();
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      expect(await update(page, { provider: 'openai', baseUrls: [baseUrl], apiKey: 'sk-shell' })).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(asked).toEqual([{ method: 'GET', url: '/v1/models', authorization: undefined }]));
    } finally {
      expect(await update(page, { provider: 'local' })).toMatchObject({ ok: true });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
