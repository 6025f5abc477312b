import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { channelOf, OPERATIONS, OPERATION_NAMES, type OperationName } from '../../shared/contract';
import { launchApp } from '../support/fake-electron';

/**
 * Every row of the contract is served by both shells, the Electron main process (under the
 * mocked Electron) and `utter web`, and both refuse a payload its schema refuses.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

/** Our page, with the webContents the shell may send to and watch. */
const trusted = {
  senderFrame: { url: 'app://utter/index.html', parent: null },
  sender: { postMessage: () => {}, send: () => {}, on: () => {}, once: () => {}, isDestroyed: () => false },
};
/** A payload each operation accepts; 42 fails every schema in the table. */
const GOOD: Record<OperationName, unknown> = {
  appInfo: undefined,
  settings: undefined,
  updateSettings: {},
  voices: undefined,
  localServers: undefined,
  checkProvider: undefined,
  speak: { texts: ['Hello.'] },
  replay: { textId: 999 },
  control: 'stop',
  readFrom: { id: 999, offset: 0 },
  unqueue: { index: 0, textId: 999 },
  setFormat: 'mp3',
  setRate: 1.5,
  attachSink: undefined,
  detachSink: undefined,
  sinkFact: { type: 'audio-output', ok: true, detail: 'playing at 48000 Hz' },
  sessionView: undefined,
  openSettings: undefined,
  showPlayer: undefined,
  cacheUsage: undefined,
  clearCache: undefined,
  finishWelcome: undefined,
  pinMini: true,
  updateStatus: undefined,
  updateAction: 'check',
  saveAudio: { text: 'Hello.', format: 'wav' },
  cancelSave: undefined,
  pronunciations: undefined,
  updatePronunciations: { rules: [] },
  tryPronunciations: { rules: [{ kind: 'word', match: 'hello', replacement: 'hi' }], text: 'Hello.' },
};
const BAD = 42;
/**
 * Payloads that pass the schema but name a text the session does not hold (nothing is
 * queued or was spoken here): each shell refuses them with why, in plain words.
 */
const UNKNOWN_TEXT: Partial<Record<OperationName, string>> = {
  replay: 'That text is no longer in the history or the queue',
  unqueue: 'That text no longer waits in the queue',
};
/** What each request answers with, in either shell (a message answers nothing). */
const REPLY: Record<OperationName, unknown> = {
  appInfo: expect.objectContaining({ version: expect.any(String), shell: expect.stringMatching(/^(electron|web)$/) }),
  settings: expect.objectContaining({ provider: 'local', apiKeySet: false }),
  updateSettings: expect.objectContaining({ ok: true, settings: expect.objectContaining({ provider: 'local' }) }),
  voices: { voices: expect.any(Array), unread: [] },
  // Whatever runs on this machine's 8880 and 8000: a list, maybe empty.
  localServers: expect.any(Array),
  checkProvider: { status: 'offline-voice', detail: expect.any(String) },
  speak: undefined,
  replay: undefined,
  control: undefined,
  readFrom: undefined,
  unqueue: undefined,
  setFormat: undefined,
  setRate: undefined,
  attachSink: expect.objectContaining({ state: expect.any(String), queued: [], history: expect.any(Array) }),
  detachSink: undefined,
  sinkFact: undefined,
  sessionView: expect.objectContaining({ state: expect.any(String), format: 'mp3' }),
  openSettings: undefined,
  showPlayer: undefined,
  cacheUsage: expect.objectContaining({ on: expect.any(Boolean), bytes: expect.any(Number), entries: expect.any(Number) }),
  clearCache: expect.objectContaining({ on: expect.any(Boolean), bytes: 0, entries: 0 }),
  finishWelcome: undefined,
  pinMini: undefined,
  // Neither a test run nor utter web is a packaged build with a feed.
  updateStatus: expect.objectContaining({ state: 'off', reason: expect.any(String) }),
  updateAction: expect.objectContaining({ state: 'off', reason: expect.any(String) }),
  // The app's dialog is cancelled here (nothing written); utter web's provider fails ("not here").
  saveAudio: expect.objectContaining({ state: expect.stringMatching(/^(not-saved|failed)$/) }),
  cancelSave: undefined,
  pronunciations: expect.any(Array),
  updatePronunciations: { ok: true, rules: [] },
  tryPronunciations: { ok: true, spoken: 'hi.' },
};

let web: WebServer;
let control: WebSocket;
const replies = new Map<number, { result?: unknown; error?: string }>();
let nextId = 1;

beforeAll(async () => {
  captured.userData = mkdtempSync(join(tmpdir(), 'utter-contract-'));
  process.env.UTTER_SOCKET = join(captured.userData, 'utter.sock');
  process.env.XDG_CONFIG_HOME = captured.userData;
  await launchApp(captured, () => import('../../electron/main/index'));
  // voices() must not start the embedded voice here: a provider with none.
  const provider = () => ({ id: 'local' as const, endpoints: ['none'], maxInputChars: 100, open: () => Promise.reject(new Error('not here')), voices: async () => [], close: async () => {} });
  web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS, provider, token: 'contract-token' });
  const { host } = new URL(web.url);
  control = new WebSocket(`ws://${host}/control?token=contract-token`, { headers: { origin: web.origin } });
  control.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { id: number; result?: unknown; error?: string; event?: string };
    // The session's pushes (its view, utterances to play) carry no id.
    if (reply.event === undefined) replies.set(reply.id, reply);
  });
  await new Promise((resolve) => control.on('open', resolve));
});
afterAll(async () => {
  control?.close();
  await web?.close();
});

async function askWeb(op: string, request: unknown): Promise<{ result?: unknown; error?: string }> {
  const id = nextId++;
  control.send(JSON.stringify({ id, op, request }));
  // A save runs the engine, whose retries of the failing provider take a few seconds.
  await vi.waitFor(() => expect(replies.has(id)).toBe(true), { timeout: 15_000 });
  return replies.get(id)!;
}

describe.each(OPERATION_NAMES)('operation %s', (name) => {
  const kind = OPERATIONS[name].kind;

  it('is served by the Electron shell, which refuses a payload its schema refuses', async () => {
    const handler = captured.handlers.get(kind === 'invoke' ? channelOf(name) : `on:${channelOf(name)}`);
    expect(handler, `${name} is not registered`).toBeDefined();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const unknown = UNKNOWN_TEXT[name];
      if (kind === 'invoke') {
        await expect(Promise.resolve().then(() => handler!(trusted, BAD))).rejects.toThrow(`${name} refused`);
        const good = Promise.resolve().then(() => handler!(trusted, GOOD[name]));
        if (unknown) await expect(good).rejects.toThrow(unknown);
        else await expect(good).resolves.toEqual(REPLY[name]);
      } else {
        handler!(trusted, BAD);
        expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${name} refused`));
        warn.mockClear();
        handler!(trusted, GOOD[name]);
        if (unknown) expect(warn).toHaveBeenCalledWith(expect.stringContaining(unknown));
        else expect(warn).not.toHaveBeenCalled();
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('is served by utter web, which refuses the same payload', async () => {
    expect(await askWeb(name, BAD)).toMatchObject({ error: expect.stringContaining(`${name} refused`) });
    const good = await askWeb(name, GOOD[name]);
    const unknown = UNKNOWN_TEXT[name];
    if (unknown) return void expect(good.error).toContain(unknown);
    expect(good.error).toBeUndefined();
    expect(good.result).toEqual(REPLY[name]);
  });
});

it('utter web answers a name outside the table with an error, and a non-object message too', async () => {
  expect(await askWeb('update-settings', {})).toMatchObject({ error: 'Unknown operation: "update-settings".' });
  expect(await askWeb('__proto__', {})).toMatchObject({ error: expect.stringContaining('Unknown operation') });
  control.send('null');
  await vi.waitFor(() => expect(replies.get(-1)).toMatchObject({ error: expect.stringContaining('JSON objects') }));
});
