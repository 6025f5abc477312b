import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { closedPort } from '../support/closed-port';
import { IDLE_CONNECTION_MS } from '../../electron/engine/connection-pool';
import { LinkWarmer, WARM_AGAIN_AFTER_MS } from '../../electron/engine/link-warmer';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';

const dir = mkdtempSync(join(tmpdir(), 'utter-pool-'));

/** A real server on loopback that says which connection each request came on. */
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Which connection, in the order the server accepted them. */
  connection: number;
  /** Connections accepted when the request came. */
  connectionsSoFar: number;
  /** When it came (performance.now()). */
  at: number;
}

/**
 * `keepAliveMs`: how long the server keeps an idle connection, and says so (0: forever, unsaid,
 * as many hosted APIs). `dropRequest`: the request (1 = the first) whose connection it closes
 * instead of answering.
 */
async function speechServer(keepAliveMs = 5000, dropRequest = 0): Promise<{ baseUrl: string; seen: Seen[] }> {
  const sockets: Socket[] = [];
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, connection: sockets.indexOf(req.socket), connectionsSoFar: sockets.length, at: performance.now() });
    if (seen.length === dropRequest) return void req.socket.destroy();
    if (req.method === 'POST') {
      req.resume();
      res.writeHead(200, { 'content-type': 'audio/pcm' }).end(Buffer.alloc(4800));
    } else res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"no key"}}');
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on('connection', (socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

const openai = (baseUrl: string) => ({ provider: 'openai' as const, baseUrls: [baseUrl] });

/** Speaks once through the provider, reading the whole body. */
async function speakOnce(provider: OpenAiProvider): Promise<number> {
  const audio = await provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal });
  let bytes = 0;
  for await (const chunk of audio.body) bytes += chunk.length;
  return bytes;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LinkWarmer', () => {
  it('opens the connection the first speech request then goes out on, with no key and no text', async () => {
    const tts = await speechServer();
    await new LinkWarmer().warm(openai(tts.baseUrl));
    expect(tts.seen).toEqual([{ method: 'GET', path: '/v1/models', authorization: undefined, connection: 0, connectionsSoFar: 1, at: expect.any(Number) }]);

    // The user speaks a moment later (in the same turn, the connection is not back in the pool yet).
    await new Promise((resolve) => setTimeout(resolve, 20));
    const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [tts.baseUrl], apiKey: 'sk-test', voice: 'alloy' });
    expect(await speakOnce(provider)).toBe(4800);
    // The same connection: the request did not have to open one.
    expect(tts.seen[1]).toMatchObject({ method: 'POST', path: '/v1/audio/speech', connection: 0, connectionsSoFar: 1 });
  });

  it('asks each server at most once in a while, and again after', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 404 }));
    let now = 1000;
    const warmer = new LinkWarmer({ fetch, now: () => now });
    await warmer.warm(openai('http://127.0.0.1:9/v1'));
    await warmer.warm(openai('http://127.0.0.1:9/v2/'));
    expect(fetch).toHaveBeenCalledOnce();
    await warmer.warm(openai('http://localhost:9/v1'));
    expect(fetch).toHaveBeenCalledTimes(2);
    now += WARM_AGAIN_AFTER_MS;
    await warmer.warm(openai('http://127.0.0.1:9/v1'));
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(fetch.mock.calls[0]).toEqual(['http://127.0.0.1:9/v1/models', expect.objectContaining({ redirect: 'manual' })]);
  });

  it('asks nothing for the embedded voice or a URL that is not one, and keeps quiet about a server it cannot reach', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const warmer = new LinkWarmer({ fetch });
    await warmer.warm({ provider: 'local', baseUrls: ['http://127.0.0.1:9/v1'] });
    await warmer.warm(openai('not a url'));
    await warmer.warm({ provider: 'openai', baseUrls: [] });
    expect(fetch).not.toHaveBeenCalled();
    await expect(warmer.warm(openai('http://127.0.0.1:9/v1'))).resolves.toBeUndefined();
    // Not reached: the next moment the user may speak tries again.
    await warmer.warm(openai('http://127.0.0.1:9/v1'));
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('leaves a server that answers with an endless stream once it has sent more than any model list', async () => {
    let written = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      const more = (): void => {
        while (!res.destroyed && res.write(Buffer.alloc(16 * 1024))) written += 16 * 1024;
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const started = performance.now();
    await new LinkWarmer().warm(openai(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`));
    // Not at the 5 s timeout: at a quarter MB.
    expect(performance.now() - started).toBeLessThan(4000);
    expect(written).toBeGreaterThan(256 * 1024);
  });

  it('resolves for a real port nobody listens on', async () => {
    const port = await closedPort();
    await expect(new LinkWarmer().warm(openai(`http://127.0.0.1:${port}/v1`))).resolves.toBeUndefined();
  });
});

describe('the connection pool the speech requests use', () => {
  it.each([
    // Says nothing, as many hosted APIs: Node's fetch let it go after 4 s (two connections).
    { says: 'nothing', keepAliveMs: 0, idleMs: 5000, connections: [0, 0] },
    // "Keep-Alive: timeout=3": undici keeps it 1 s (a margin for the server's rounding), so a
    // request after 1.5 s is not written onto a connection the server may be closing.
    { says: 'it keeps one 3 s', keepAliveMs: 3000, idleMs: 1500, connections: [0, 1] },
  ])('two utterances $idleMs ms apart, to a server that says $says: connections $connections', async ({ keepAliveMs, idleMs, connections }) => {
    expect(IDLE_CONNECTION_MS).toBeGreaterThan(5000);
    const tts = await speechServer(keepAliveMs);
    const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [tts.baseUrl], voice: 'alloy' });
    expect(await speakOnce(provider)).toBe(4800);
    await sleep(idleMs);
    expect(await speakOnce(provider)).toBe(4800);
    expect(tts.seen.map(({ connection }) => connection)).toEqual(connections);
  }, 15_000);

  it('speaks at once when the server drops a kept connection as the request goes out: a new one, no backoff, nothing lost', async () => {
    // The server lets the kept connection go just as the second utterance's request arrives
    // on it (a server that keeps connections less long than the pool, and says nothing).
    const { baseUrl, seen: arrivals } = await speechServer(0, 2);
    const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: [baseUrl], format: 'pcm' as const };
    const speak = () => speakToFile('Hello.', { settings, provider: new OpenAiProvider({ ...settings, voice: 'alloy' }), out: join(dir, `out-${arrivals.length}.wav`) });
    await speak();
    await sleep(20); // the connection goes back to the pool a turn after the body's end
    const second = await speak();
    expect(second).toMatchObject({ retries: 1, failovers: 0, bytes: 4800 });
    expect(arrivals.map(({ connection }) => connection)).toEqual([0, 0, 1]);
    // The default policy would wait 200-300 ms first.
    const gap = arrivals[2].at - arrivals[1].at;
    console.log(`dropped kept connection: the retry reached the server ${gap.toFixed(1)} ms after the dropped request`);
    expect(gap).toBeLessThan(150);
  });
});
