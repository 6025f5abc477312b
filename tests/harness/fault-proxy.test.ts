// Proves the fault proxy's network conditions with real HTTP through it to the test server.
import { Agent, request, type IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startTtsServer, type TtsServer } from '../support/tts-server';

const ASK = { model: 'tts-1', input: 'Hello there.', voice: 'alloy', response_format: 'pcm' };
const BODY = new Uint8Array(100 * 1024).fill(7);

let server: TtsServer;
let proxies: FaultProxy[] = [];
beforeAll(async () => {
  server = await startTtsServer({ audio: { pcm: { bytes: BODY, seconds: 2 } } });
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  proxies = [];
  server.set({ audio: { pcm: { bytes: BODY, seconds: 2 } } });
  await expect.poll(() => server.openRequests(), { timeout: 2000 }).toBe(0);
});
async function proxy(options: Parameters<typeof startFaultProxy>[0] = { target: server.url }): Promise<FaultProxy> {
  const started = await startFaultProxy(options);
  proxies.push(started);
  return started;
}

/** Opens a speech request, on a fresh connection (closed after) unless an agent is given, resolving at the headers. */
function open(url: string, agent: Agent | false = false): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/audio/speech`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, resolve);
    req.on('error', reject).end(JSON.stringify(ASK));
  });
}

/** A whole speech request, timed from its start: bytes, first-byte and end times, gaps, and any error. */
async function transfer(url: string, agent: Agent | false = false): Promise<{ bytes: number; headersMs: number; doneMs: number; gaps: number[]; error: Error | null }> {
  const t0 = performance.now();
  let res: IncomingMessage;
  try {
    res = await open(url, agent);
  } catch (error) {
    return { bytes: 0, headersMs: -1, doneMs: performance.now() - t0, gaps: [], error: error as Error };
  }
  const headersMs = performance.now() - t0;
  let bytes = 0;
  let last = performance.now();
  const gaps: number[] = [];
  const error = await new Promise<Error | null>((resolve) => {
    res.on('data', (d: Buffer) => {
      bytes += d.length;
      gaps.push(performance.now() - last);
      last = performance.now();
    });
    res.on('error', resolve).on('end', () => resolve(null));
  });
  return { bytes, headersMs, doneMs: performance.now() - t0, gaps, error };
}

describe('fault proxy', () => {
  it('forwards to a target given as URL, port or host and port, counting bytes and connections', async () => {
    const byUrl = await proxy();
    const byPort = await proxy(server.port);
    const byHost = await proxy({ target: { host: 'localhost', port: server.port } });
    for (const p of [byUrl, byPort, byHost]) {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const { bytes, error } = await transfer(p.url);
      expect(error).toBeNull();
      expect(bytes).toBe(BODY.length);
      await expect.poll(() => p.openConnections()).toBe(0);
      const stats = p.stats();
      expect(stats).toMatchObject({ connections: 1, open: 0, resets: 0 });
      expect(stats.bytesDown).toBeGreaterThan(BODY.length);
      expect(stats.bytesUp).toBeGreaterThan(JSON.stringify(ASK).length);
    }
  });

  it('refuses any target that is not a loopback address', async () => {
    await expect(startFaultProxy({ target: 'http://10.0.0.1:8880/v1' })).rejects.toThrow(/not a loopback/);
    await expect(startFaultProxy({ target: { host: 'example.com', port: 80 } })).rejects.toThrow(/not a loopback/);
  });

  it('caps downstream bandwidth: 100 KB at 200 KB/s takes about 0.5 s', async () => {
    const p = await proxy({ target: server.url, bytesPerSecond: 200 * 1024 });
    const { bytes, doneMs } = await transfer(p.url);
    console.log(`100 KB at 200 KB/s: ${doneMs.toFixed(0)} ms`);
    expect(bytes).toBe(BODY.length);
    expect(doneMs).toBeGreaterThan(400);
    expect(doneMs).toBeLessThan(1200);
  });

  it('adds latency each way, changeable at runtime', async () => {
    const p = await proxy();
    const direct = await transfer(p.url);
    p.set({ latencyMs: 150 });
    const delayed = await transfer(p.url);
    console.log(`headers: ${direct.headersMs.toFixed(0)} ms without latency, ${delayed.headersMs.toFixed(0)} ms with 150 ms each way`);
    // Relative to the same proxy without latency, so a loaded machine's slowness cancels out.
    expect(delayed.headersMs).toBeGreaterThan(290);
    expect(delayed.headersMs - direct.headersMs).toBeGreaterThan(250);
    expect(delayed.headersMs - direct.headersMs).toBeLessThan(800);
    expect(delayed.bytes).toBe(BODY.length);
  });

  it('stalls a connection after N downstream bytes for M ms, then goes on', async () => {
    const p = await proxy({ target: server.url, stallAfterBytes: 20000, stallMs: 500 });
    const { bytes, gaps, error } = await transfer(p.url);
    console.log(`stall of 500 ms: longest gap ${Math.max(...gaps).toFixed(0)} ms`);
    expect(error).toBeNull();
    expect(bytes).toBe(BODY.length);
    expect(Math.max(...gaps)).toBeGreaterThan(450);
    expect(p.stats().stalls).toBe(1);
    // 'once' by default: the next connection runs clean.
    expect(Math.max(...(await transfer(p.url)).gaps)).toBeLessThan(400);
  });

  it('resets after N downstream bytes, once or on every connection', async () => {
    const p = await proxy({ target: server.url, resetAfterBytes: 5000 });
    const cut = await transfer(p.url);
    expect(cut.error?.message).toMatch(/aborted|ECONNRESET/);
    expect(cut.bytes).toBeGreaterThan(0);
    expect(cut.bytes).toBeLessThan(5000); // the HTTP head is part of the 5000
    expect(p.resets).toBe(1);
    expect((await transfer(p.url)).error).toBeNull();
    p.set({ resetAfterBytes: 3000, resetMode: 'every' });
    for (let i = 0; i < 2; i++) expect((await transfer(p.url)).error).not.toBeNull();
    expect(p.resets).toBe(3);
    await expect.poll(() => p.openConnections()).toBe(0);
    await expect.poll(() => server.openRequests()).toBe(0);
  });

  it('counts stall and reset points from the start of each answer on a kept-alive connection', async () => {
    const p = await proxy({ target: server.url, stallAfterBytes: 20000, stallMs: 500, stallMode: 'every' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const { bytes, gaps, error } = await transfer(p.url, agent);
        expect(error).toBeNull();
        expect(bytes).toBe(BODY.length);
        expect(Math.max(...gaps)).toBeGreaterThan(450);
      }
      p.set({ stallAfterBytes: undefined, resetAfterBytes: 5000 });
      const cut = await transfer(p.url, agent);
      // Mid-body in the third answer, not at its first byte (the connection had carried 200 KB).
      expect(cut.error?.message).toMatch(/aborted|ECONNRESET/);
      expect(cut.bytes).toBeGreaterThan(4000);
      expect(p.stats()).toMatchObject({ connections: 1, stalls: 2, resets: 1 });
    } finally {
      agent.destroy();
    }
  });

  it('passes backpressure on: a client that stops reading stops the server', async () => {
    const total = 32 << 20;
    server.set({ audio: { pcm: { bytes: new Uint8Array(total), seconds: 600 } } });
    const p = await proxy({ target: server.url, latencyMs: 5 });
    const res = await open(p.url);
    let got = 0;
    await new Promise<void>((resolve) => res.once('data', (d: Buffer) => ((got += d.length), res.pause(), resolve())));
    const record = server.requests.at(-1)!;
    let value = record.bytesSent;
    // Wait until the server's count stays put for 300 ms (at most 5 s).
    for (let quiet = 0, turns = 0; quiet < 15 && turns < 250; turns++) {
      await new Promise((r) => setTimeout(r, 20));
      quiet = record.bytesSent === value ? quiet + 1 : 0;
      value = record.bytesSent;
    }
    console.log(`client paused behind the proxy: server stopped at ${(value / 1048576).toFixed(1)} MB of ${total / 1048576} MB`);
    expect(value).toBeLessThan(total / 2);
    await new Promise<void>((resolve) => res.on('data', (d: Buffer) => (got += d.length)).on('end', resolve).resume());
    expect(got).toBe(total);
  });

  it('answers a dead target by closing the client, and close() ends open connections', async () => {
    const dead = await proxy(9); // the discard port: nothing listens there
    expect((await transfer(dead.url)).error).not.toBeNull();
    await expect.poll(() => dead.openConnections()).toBe(0);
    const p = await startFaultProxy({ target: server.url, bytesPerSecond: 10_000 });
    const pending = transfer(p.url);
    await expect.poll(() => p.openConnections()).toBe(1);
    await p.close();
    expect(p.openConnections()).toBe(0);
    expect((await pending).error).not.toBeNull();
  });
});
