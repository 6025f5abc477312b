import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { registerPageIpc, type PageIpcDeps } from '../../electron/main/page-ipc';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { channelOf } from '../../shared/contract';

/**
 * The Electron shell's handlers for the settings' two checks and its voice list, under the mocked Electron:
 * registered, behind the sender check, and asking with the settings the engine speaks with.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
const frame = { senderFrame: { url: 'https://evil.example/', parent: null } };
let tts: Server;
const authorizations: (string | undefined)[] = [];

beforeAll(async () => {
  tts = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"Incorrect API key"}}');
  });
  await new Promise<void>((resolve) => tts.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(tts.address() as AddressInfo).port}/v1`;
  // Only what these two handlers touch; the rest of the shell is tested in main.test.ts. The
  // session (and the saves, the settings and the dictionary) are ones whose every method does nothing and returns an unsubscribe that does nothing.
  const idle: unknown = new Proxy({}, { get: () => () => () => {} });
  registerPageIpc({
    engineSettings: () => ({ ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [baseUrl], apiKey: 'sk-engine' }),
    session: idle,
    saves: idle,
    store: idle,
    pronunciations: idle,
  } as unknown as PageIpcDeps);
});
afterAll(async () => {
  tts.closeAllConnections();
  await new Promise((resolve) => tts.close(resolve));
});

it('answers checkProvider from the engine settings, with their key', async () => {
  const checkProvider = captured.handlers.get(channelOf('checkProvider'))!;
  expect(await checkProvider(page, undefined)).toEqual({ status: 'key-refused', httpStatus: 401, detail: expect.stringContaining('refused the API key (HTTP 401)') });
  expect(authorizations).toEqual(['Bearer sk-engine']);
});

it('answers localServers with a list (whatever runs on this machine)', async () => {
  expect(await captured.handlers.get(channelOf('localServers'))!(page, undefined)).toEqual(expect.any(Array));
});

it('refuses both to a frame that is not its page', () => {
  for (const name of ['checkProvider', 'localServers'] as const) {
    expect(() => captured.handlers.get(channelOf(name))!(frame, undefined)).toThrow(`untrusted sender for ${name}`);
  }
  expect(authorizations).toHaveLength(1);
});

it("answers voices with the built-in ones and, said apart, why the server's own could not be read", async () => {
  const list = (await captured.handlers.get(channelOf('voices'))!(page, undefined)) as { voices: { id: string }[]; unread: string[] };
  expect(list.voices.map((v) => v.id)).toContain('alloy');
  expect(list.unread).toEqual([expect.stringMatching(/^Could not read the voices of http:\/\/127\.0\.0\.1:\d+\/v1: .* refused the API key \(401\): Incorrect API key$/)]);
});
