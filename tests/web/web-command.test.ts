import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startTtsServer, type TtsServer } from '../support/tts-server';
import { spawnUtterWeb } from '../support/utter-web';
import { UTTER_BIN } from '../support/run-utter';

/**
 * `utter web` as a user runs it: the real command in its own process, serving the built
 * renderer. Every file carries the isolation headers and the CSP; sockets need the token
 * and the page's own origin; Ctrl-C ends it cleanly.
 */
let tts: TtsServer;
let child: ChildProcess;
let url: URL;
/** Never the user's socket nor settings folder. */
const home = mkdtempSync(join(tmpdir(), 'utter-web-'));
const env = { ...process.env, UTTER_SOCKET: join(home, 'utter.sock'), XDG_CONFIG_HOME: home, UTTER_SETTINGS: join(home, 'utter', 'settings.json') };

beforeAll(async () => {
  tts = await startTtsServer();
  ({ child, url } = await spawnUtterWeb(['--base-url', tts.url], env));
}, 60_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await tts?.close();
});

const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

function connect(path: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://${url.host}${path}`, { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

describe('utter web', () => {
  it('prints a localhost URL with a random token', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[\w-]{20,}$/);
  });

  it('serves the page, the worker, the worklet and every asset with COOP, COEP, CORP and the CSP', async () => {
    const assets = readdirSync(join(RENDERER_BUILD, 'assets'));
    expect(assets.some((a) => a.startsWith('decoder.worker'))).toBe(true);
    expect(assets.some((a) => a.startsWith('player.worklet'))).toBe(true);
    for (const path of ['/', ...assets.map((a) => `/assets/${a}`)]) {
      const response = await fetch(new URL(path, url));
      expect(response.status, path).toBe(200);
      for (const [name, value] of Object.entries(ISOLATION)) expect(response.headers.get(name), `${path} ${name}`).toBe(value);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
      await response.arrayBuffer();
    }
  });

  it('does not serve files outside the page', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/../../package.json']) {
      expect((await fetch(new URL(path, url))).status, path).toBe(404);
    }
    expect((await fetch(new URL('/', url), { method: 'POST' })).status).toBe(405);
  });

  it('opens sockets only with the token and from its own origin', async () => {
    const token = url.searchParams.get('token')!;
    const origin = `http://${url.host}`;
    expect(await connect(`/control?token=${token}`, { origin })).toBe('open');
    expect(await connect('/control', { origin })).toBe(403);
    expect(await connect(`/control?token=${token}x`, { origin })).toBe(403);
    expect(await connect(`/control?token=${token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await connect(`/control?token=${token}`, {})).toBe(403);
  });

  it('answers a bad control message with an error, and an unknown utterance with a close', async () => {
    const token = url.searchParams.get('token')!;
    const socket = new WebSocket(`ws://${url.host}/control?token=${token}`, { headers: { origin: `http://${url.host}` } });
    const replies: unknown[] = [];
    const said: unknown[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      // The server's hello (and any beat) are its own, not replies.
      ('hello' in message || 'beat' in message ? said : replies).push(message);
    });
    await new Promise((r) => socket.on('open', r));
    socket.send('not json');
    socket.send(JSON.stringify({ id: 1, op: 'speak', request: { texts: [7] } }));
    socket.send(JSON.stringify({ id: 2, op: 'settings' }));
    await expect.poll(() => replies.length).toBe(3);
    expect(replies[0]).toMatchObject({ error: expect.stringMatching(/JSON/) });
    expect(replies[1]).toMatchObject({ id: 1, error: expect.stringMatching(/needs text/) });
    expect(replies[2]).toMatchObject({ id: 2, result: { provider: 'openai', baseUrls: [tts.url] } });
    // The page learns whether a key is set, never the key.
    expect(replies[2]).toMatchObject({ result: { apiKeySet: false } });
    expect(JSON.stringify(replies[2])).not.toMatch(/"apiKey"/);
    expect(said[0]).toMatchObject({ hello: { instance: expect.any(String) } });
    socket.close();
    const audio = new WebSocket(`ws://${url.host}/audio?token=${token}`, { headers: { origin: `http://${url.host}` } });
    audio.on('open', () => audio.send(JSON.stringify({ claim: 999 })));
    const code = await new Promise<number>((r) => audio.on('close', (c) => r(c)));
    expect(code).toBe(4404);
  });

  it('hosts the session `utter speak TEXT` reaches, as the app does', async () => {
    const spoke = spawn(process.execPath, [UTTER_BIN, 'speak', 'Said from a terminal.'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    expect(await new Promise((r) => spoke.once('exit', r))).toBe(0);
    const token = url.searchParams.get('token')!;
    const socket = new WebSocket(`ws://${url.host}/control?token=${token}`, { headers: { origin: `http://${url.host}` } });
    const replies: { id?: number; result?: { current?: { textId: number } }; event?: string; payload?: { textId: number; text: string }[] }[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(String(data))));
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ id: 1, op: 'sessionView' }));
    await expect.poll(() => replies.find((r) => r.id === 1)).toBeDefined();
    // No page plays yet: the text waits for one, in the session.
    const reply = replies.findIndex((r) => r.id === 1);
    expect(replies[reply]).toMatchObject({ result: { state: 'buffering', current: { textId: expect.any(Number) } } });
    // Its text came just before, once.
    const textId = replies[reply].result!.current!.textId;
    expect(replies.slice(0, reply).filter((r) => r.event === 'texts').flatMap((r) => r.payload)).toEqual([{ textId, text: 'Said from a terminal.' }]);
    socket.send(JSON.stringify({ id: 2, op: 'control', request: 'stop' }));
    await expect.poll(() => replies.find((r) => r.id === 2)).toBeDefined();
    socket.close();
  });

  it('stops cleanly on Ctrl-C', async () => {
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
  });
});

describe('utter web where it cannot listen', () => {
  it('says the port is taken, in one line, with a usage exit code', async () => {
    // The running `utter web` above has stopped; this port is another program's.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const second = spawn(process.execPath, [UTTER_BIN, 'web', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, UTTER_SOCKET: join(home, 'second.sock') } });
    let stderr = '';
    second.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    taken.close();
    expect(code).toBe(2);
    expect(stderr).toBe(`utter: Port ${port} on 127.0.0.1 is taken by another program: give another --port, or --port 0 for any free one. (utter --help)\n`);
  }, 60_000);
});
