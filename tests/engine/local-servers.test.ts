import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { findLocalServers, LOCAL_PROBE_TIMEOUT_MS, LOCAL_SERVER_KINDS } from '../../electron/engine/local-servers';
import { closedPort } from '../support/closed-port';

/**
 * Each kind of server is played by a real HTTP server on a random loopback port, answering
 * what the real one answers; the kinds are pointed at it by port, nothing else changed.
 */
type Routes = Record<string, { status?: number; body: unknown; type?: string }>;

const open: (Server | TcpServer)[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen<S extends Server | TcpServer>(server: S): Promise<number> {
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A server answering `routes` (JSON unless a type is given), 404 elsewhere; `seen` lists the paths asked. */
async function fakeServer(routes: () => Routes): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const port = await listen(
    createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.url ?? '');
      const route = routes()[req.url ?? ''];
      if (!route) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      const type = route.type ?? 'application/json';
      res.writeHead(route.status ?? 200, { 'content-type': type }).end(type === 'application/json' ? JSON.stringify(route.body) : String(route.body));
    }),
  );
  return { port, seen };
}

/** The real kinds, with each default port (8880, 8000) moved to the port given for it. */
const kindsAt = (ports: Partial<Record<8880 | 8000, number>>) =>
  LOCAL_SERVER_KINDS.filter((kind) => ports[kind.port as 8880 | 8000] !== undefined).map((kind) => ({ ...kind, port: ports[kind.port as 8880 | 8000]! }));

const kokoroModels = { object: 'list', data: ['tts-1', 'tts-1-hd', 'kokoro'].map((id) => ({ id, object: 'model', created: 1686935002, owned_by: 'kokoro' })) };
const KOKORO: Routes = {
  '/v1/audio/voices': { body: { voices: [{ id: 'af_bella', name: 'af_bella' }, { id: 'am_adam', name: 'am_adam' }] } },
  '/v1/models': { body: kokoroModels },
};
const SPEACHES: Routes = {
  '/health': { body: 'OK', type: 'text/plain' },
  '/v1/models': { body: { object: 'list', data: [{ id: 'speaches-ai/Kokoro-82M-v1.0-ONNX', created: 0, object: 'model', owned_by: 'speaches-ai', task: 'text-to-speech' }] } },
  '/v1/audio/voices': { body: { object: 'list', voices: [{ name: 'af_heart', language: 'en-us', gender: 'female', id: 'af_heart' }, { name: 'bm_lewis', language: 'en-gb', gender: 'male', id: 'bm_lewis' }] } },
};
const OPENEDAI: Routes = {
  '/health': { body: { status: 'ok' } },
  '/v1/models': { body: { object: 'list', data: ['tts-1-hd', 'tts-1'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'user' })) } },
};

describe('findLocalServers', () => {
  it('finds Kokoro-FastAPI with its voices, at a loopback base URL', async () => {
    const kokoro = await fakeServer(() => KOKORO);
    expect(await findLocalServers(kindsAt({ 8880: kokoro.port }))).toEqual([
      { id: 'kokoro-fastapi', label: 'Kokoro-FastAPI', baseUrl: `http://127.0.0.1:${kokoro.port}/v1`, voices: ['af_bella', 'am_adam'] },
    ]);
  });

  it('reads the voice list of Kokoro-FastAPI before 0.3 (plain names) too', async () => {
    const kokoro = await fakeServer(() => ({ '/v1/audio/voices': { body: { voices: ['af_sky', 'bf_emma'] } } }));
    expect(await findLocalServers(kindsAt({ 8880: kokoro.port }))).toEqual([expect.objectContaining({ id: 'kokoro-fastapi', voices: ['af_sky', 'bf_emma'] })]);
  });

  it('tells Speaches by its models, and by its bare "OK" when it has downloaded none', async () => {
    const speaches = await fakeServer(() => SPEACHES);
    expect(await findLocalServers(kindsAt({ 8000: speaches.port }))).toEqual([
      { id: 'speaches', label: 'Speaches', baseUrl: `http://127.0.0.1:${speaches.port}/v1`, voices: ['af_heart', 'bm_lewis'] },
    ]);
    const empty = await fakeServer(() => ({ '/health': SPEACHES['/health'], '/v1/models': { body: { data: [], object: 'list' } } }));
    expect(await findLocalServers(kindsAt({ 8000: empty.port }))).toEqual([{ id: 'speaches', label: 'Speaches', baseUrl: `http://127.0.0.1:${empty.port}/v1` }]);
  });

  it('tells openedai-speech by its tts-1 models, and offers the voices its configuration maps', async () => {
    const openedai = await fakeServer(() => OPENEDAI);
    expect(await findLocalServers(kindsAt({ 8000: openedai.port }))).toEqual([
      { id: 'openedai-speech', label: 'openedai-speech', baseUrl: `http://127.0.0.1:${openedai.port}/v1`, voices: ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'] },
    ]);
  });

  it('offers a server it cannot tell apart as an OpenAI-compatible server', async () => {
    const other = await fakeServer(() => ({ '/v1/models': { body: { object: 'list', data: [{ id: 'piper-en', owned_by: 'someone' }] } } }));
    expect(await findLocalServers(kindsAt({ 8000: other.port }))).toEqual([
      { id: 'openai-compatible', label: 'OpenAI-compatible server', baseUrl: `http://127.0.0.1:${other.port}/v1` },
    ]);
  });

  it('asks every port at once and asks each path of a port once', async () => {
    const kokoro = await fakeServer(() => KOKORO);
    const openedai = await fakeServer(() => OPENEDAI);
    const found = await findLocalServers(kindsAt({ 8880: kokoro.port, 8000: openedai.port }));
    expect(found.map((server) => server.id)).toEqual(['kokoro-fastapi', 'openedai-speech']);
    // Speaches, openedai-speech and the catch-all share one /v1/models answer at 8000.
    expect(openedai.seen.filter((path) => path === '/v1/models')).toHaveLength(1);
  });

  it('finds nothing at a closed port, at once', async () => {
    const started = performance.now();
    expect(await findLocalServers(kindsAt({ 8880: await closedPort(), 8000: await closedPort() }))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(LOCAL_PROBE_TIMEOUT_MS);
  });

  it('abandons a server that hangs within the timeout, and closes the request it left open', async () => {
    let closed = 0;
    const port = await listen(createServer((req) => req.socket.once('close', () => closed++)));
    const kokoro = await fakeServer(() => KOKORO);
    const started = performance.now();
    // The hanging port does not hold up the one that answers.
    const found = await findLocalServers(kindsAt({ 8880: kokoro.port, 8000: port }), 300);
    const elapsed = performance.now() - started;
    expect(found.map((server) => server.id)).toEqual(['kokoro-fastapi']);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(300 + 250);
    await expect.poll(() => closed, { timeout: 1000 }).toBeGreaterThan(0);
  });

  it('offers no server that answers garbage: a web page, JSON of another shape, or bytes that are not HTTP', async () => {
    const page = await fakeServer(() => Object.fromEntries(['/health', '/v1/models', '/v1/audio/voices'].map((path) => [path, { body: '<html><title>Router</title></html>', type: 'text/html' }])));
    const shapeless = await fakeServer(() => ({ '/v1/models': { body: { data: 'tts-1' } }, '/v1/audio/voices': { body: { voices: [null, 42, {}] } }, '/health': { body: 'OK', type: 'text/plain' } }));
    const noise = createTcpServer((socket) => socket.resume().end(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a, 0x0d, 0x0a])));
    const noisePort = await listen(noise);
    expect(await findLocalServers(kindsAt({ 8880: page.port, 8000: shapeless.port }))).toEqual([]);
    expect(page.seen).toContain('/v1/audio/voices');
    expect(shapeless.seen).toContain('/v1/models');
    expect(await findLocalServers(kindsAt({ 8880: noisePort }))).toEqual([]);
  });

  it('keeps nothing between calls: a server that starts later is found the next time', async () => {
    let up = false;
    const kokoro = await fakeServer(() => (up ? KOKORO : {}));
    expect(await findLocalServers(kindsAt({ 8880: kokoro.port }))).toEqual([]);
    up = true;
    expect(await findLocalServers(kindsAt({ 8880: kokoro.port }))).toEqual([expect.objectContaining({ id: 'kokoro-fastapi' })]);
  });

  it('asks only the ports users run these servers on', () => {
    expect([...new Set(LOCAL_SERVER_KINDS.map((kind) => kind.port))].sort()).toEqual([8000, 8880]);
  });
});
