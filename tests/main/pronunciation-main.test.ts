import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { creditEveryChunk, launchApp, type FakePort } from '../support/fake-electron';
import { startTtsServer, type TtsServer } from '../support/tts-server';
import { channelOf, PAGE_EVENTS } from '../../shared/contract';

/**
 * The Electron shell under a mocked Electron reads pronunciations.json from its data folder,
 * sets a bad one aside with a notification, serves the dictionary's operations, and its
 * session speaks with the rules.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
const player = () => captured.windows.find((w) => w.url === 'app://utter/index.html' && !w.destroyed)!;
const invoke = (name: Parameters<typeof channelOf>[0], payload?: unknown) => captured.handlers.get(channelOf(name))!({ ...page, sender: player().contents }, payload);
let tts: TtsServer;

beforeAll(async () => {
  tts = await startTtsServer();
  captured.userData = mkdtempSync(join(tmpdir(), 'utter-shell-dictionary-'));
  writeFileSync(join(captured.userData, 'settings.json'), JSON.stringify({ provider: 'openai', baseUrls: [tts.url], format: 'wav' }));
  writeFileSync(
    join(captured.userData, 'pronunciations.json'),
    JSON.stringify({ version: 1, rules: [{ kind: 'word', match: 'GUI', replacement: 'gooey' }, { kind: 'regex', match: '(x+)+y', replacement: 'z' }] }),
  );
  process.env.UTTER_SOCKET = join(captured.userData, 'utter.sock');
  process.env.XDG_CONFIG_HOME = captured.userData;
  await launchApp(captured, () => import('../../electron/main/index'));
});
afterAll(() => tts?.close());

describe('the Electron shell and the pronunciation dictionary', () => {
  it('sets a file with a refused rule aside, says so, and keeps the valid rules', async () => {
    expect(captured.notifications).toContainEqual(expect.stringMatching(/pronunciations\.json has rules that cannot be used \(rule 2: .*\)\. It was kept as .*; the one valid rule is used\./));
    expect(readdirSync(captured.userData).filter((name) => name.startsWith('pronunciations.json.bad-'))).toHaveLength(1);
    expect(await invoke('pronunciations')).toEqual([{ kind: 'word', match: 'GUI', replacement: 'gooey' }]);
  });

  it('refuses an invalid rule by field, and checks the payload at the door', async () => {
    expect(await invoke('updatePronunciations', { rules: [{ kind: 'regex', match: '[', replacement: 'x' }] })).toEqual({ ok: false, issues: [{ index: 0, field: 'match', message: expect.stringMatching(/^Not a valid regular expression/) }] });
    expect(() => invoke('updatePronunciations', 'GUI=gooey')).toThrow(/updatePronunciations refused: takes \{rules, base\}/);
    expect(() => invoke('tryPronunciations', { rules: [], text: 'x'.repeat(10_001) })).toThrow(/at most 10000 characters/);
  });

  it('speaks with the rules: the server is asked for the replaced text', async () => {
    captured.handlers.get(channelOf('attachSink'))!({ ...page, sender: player().contents });
    await invoke('speak', { texts: ['The GUI works.'] });
    creditEveryChunk(captured.sent.filter((s) => s.channel === PAGE_EVENTS.play).at(-1)!.ports![0] as FakePort);
    await vi.waitFor(() => expect(tts.speechRequests().map((r) => r.body.input)).toEqual(['The gooey works.']), { timeout: 10_000 });
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it('takes up rules written into pronunciations.json while it runs (by hand, or by utter web): the next text uses them', async () => {
    writeFileSync(join(captured.userData, 'pronunciations.json'), JSON.stringify({ version: 1, rules: [{ kind: 'word', match: 'TUI', replacement: 'tooey' }] }));
    await vi.waitFor(async () => expect(await invoke('pronunciations')).toEqual([{ kind: 'word', match: 'TUI', replacement: 'tooey' }]), { timeout: 3000 });
    const before = tts.speechRequests().length;
    await invoke('speak', { texts: ['The TUI and the GUI.'] });
    creditEveryChunk(captured.sent.filter((s) => s.channel === PAGE_EVENTS.play).at(-1)!.ports![0] as FakePort);
    await vi.waitFor(() => expect(tts.speechRequests().slice(before).map((r) => r.body.input)).toEqual(['The tooey and the GUI.']), { timeout: 10_000 });
    captured.handlers.get(`on:${channelOf('control')}`)!(page, 'stop');
  });

  it('tells each page that asked for the dictionary of every change: from another window, or the file', async () => {
    const reader = player();
    await invoke('pronunciations');
    const from = captured.sent.length;
    const pushed = () => captured.sent.slice(from).filter((s) => s.channel === PAGE_EVENTS.pronunciations && s.to === reader).map((s) => s.message);
    const SQL = { kind: 'word', match: 'SQL', replacement: 'sequel' };
    // Another window saves, from the list it saw.
    const seen = await invoke('pronunciations');
    expect(await captured.handlers.get(channelOf('updatePronunciations'))!(page, { rules: [...(seen as object[]), SQL], base: seen })).toMatchObject({ ok: true });
    expect(pushed().at(-1)).toEqual([...(seen as object[]), SQL]);
    // The user edits the file by hand.
    writeFileSync(join(captured.userData, 'pronunciations.json'), JSON.stringify({ version: 1, rules: [SQL] }));
    await vi.waitFor(() => expect(pushed().at(-1)).toEqual([SQL]), { timeout: 3000 });
  });
});
