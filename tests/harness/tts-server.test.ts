// Proves the test server does what the engine's tests rely on, with real HTTP requests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { audioFromFolder, speechRequest, startTtsServer, toneAudio, type ServedAudio, type TtsServer, type TtsServerOptions } from '../support/tts-server';

const PCM_2S = toneAudio(2, 'pcm'); // 96000 bytes
const fake = (n: number): ServedAudio => ({ bytes: new Uint8Array(n).fill(0x55), seconds: 2 });
const CLIPS: Partial<Record<AudioFormat, ServedAudio>> = { pcm: PCM_2S, wav: toneAudio(2, 'wav'), mp3: fake(16000), opus: fake(8000), flac: fake(60000), aac: fake(16000) };
const ASK = { model: 'tts-1', input: 'Hello there.', voice: 'alloy' };

let servers: TtsServer[] = [];
async function start(options: TtsServerOptions = {}): Promise<TtsServer> {
  const server = await startTtsServer({ audio: CLIPS, ...options });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** OpenAI's error body. */
interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}
const errorOf = async (res: Response): Promise<OpenAiError> => (await res.json()) as OpenAiError;

/** Reads a whole body, timing its first and last bytes from `t0`. */
async function download(res: Response, t0: number): Promise<{ bytes: Uint8Array; firstMs: number; doneMs: number; gaps: number[] }> {
  const parts: Uint8Array[] = [];
  let firstMs = -1;
  let last = performance.now();
  const gaps: number[] = [];
  for await (const part of res.body!) {
    const now = performance.now();
    if (firstMs < 0) firstMs = now - t0;
    else gaps.push(now - last);
    last = now;
    parts.push(part);
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), firstMs, doneMs: performance.now() - t0, gaps };
}

/** A speech request over node:http, which lets the test pause reading and see raw errors. */
function rawSpeech(url: string, body: object): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/audio/speech`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, resolve);
    req.on('error', reject).end(JSON.stringify(body));
  });
}

/** Polls until a value stops changing for `quietMs` (bounded by `maxMs`). */
async function settled(read: () => number, quietMs: number, maxMs: number): Promise<number> {
  let value = read();
  let since = performance.now();
  for (const started = performance.now(); performance.now() - started < maxMs; ) {
    await new Promise((r) => setTimeout(r, 20));
    if (read() !== value) [value, since] = [read(), performance.now()];
    else if (performance.now() - since >= quietMs) break;
  }
  return value;
}

describe('the OpenAI API shape', () => {
  it('lists models and Kokoro-style voices, and answers unknown routes with OpenAI JSON', async () => {
    const server = await start({ voices: ['af_bella', 'am_adam'] });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(await (await fetch(`${server.url}/audio/voices`)).json()).toEqual({ voices: ['af_bella', 'am_adam'] });
    const models = (await (await fetch(`${server.url}/models`)).json()) as { object: string; data: { id: string }[] };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toContain('tts-1');
    server.set({ voices: false });
    const off = await fetch(`${server.url}/audio/voices`);
    expect(off.status).toBe(404);
    expect(await off.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/audio/voices)', type: 'invalid_request_error', param: null, code: null } });
  });

  it('validates like OpenAI: 400 with its error JSON, naming the parameter', async () => {
    const server = await start();
    const cases: [object, string | null, RegExp][] = [
      [{ model: 'tts-1', voice: 'alloy' }, 'input', /Missing required parameter: 'input'/],
      [{ model: 'tts-1', input: 'Hi' }, 'voice', /Missing required parameter: 'voice'/],
      [{ ...ASK, input: 'x'.repeat(4097) }, 'input', /string too long.*4096/],
      [{ ...ASK, response_format: 'ogg' }, 'response_format', /Invalid value: 'ogg'/],
      [{ ...ASK, speed: 5 }, 'speed', /speed/],
      [{ ...ASK, stream_format: 'chunks' }, 'stream_format', /'chunks'/],
    ];
    for (const [body, param, message] of cases) {
      const res = await speechRequest(server.url, body as Record<string, unknown>);
      expect(res.status).toBe(400);
      const json = await res.json();
      expect(json).toEqual({ error: { message: expect.stringMatching(message), type: 'invalid_request_error', param, code: null } });
    }
    const bad = await fetch(`${server.url}/audio/speech`, { method: 'POST', body: '{"input": ' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).error.message).toMatch(/could not parse the JSON body/);
    expect((await speechRequest(server.url, { ...ASK, input: 'x'.repeat(4096) })).status).toBe(200);
  });

  it('wants the API key when one is set: 401 with OpenAI JSON otherwise', async () => {
    const server = await start({ apiKey: 'sk-right' });
    const none = await speechRequest(server.url, ASK);
    expect(none.status).toBe(401);
    expect((await errorOf(none)).error.message).toMatch(/didn't provide an API key/);
    const wrong = await speechRequest(server.url, ASK, { apiKey: 'sk-wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { message: expect.stringMatching(/^Incorrect API key provided/), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    const right = await speechRequest(server.url, ASK, { apiKey: 'sk-right' });
    expect(right.status).toBe(200);
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-right');
    await right.arrayBuffer();
  });

  it('defaults to mp3, labels each format, and lets content types and audio be scripted', async () => {
    const server = await start();
    const plain = await speechRequest(server.url, ASK);
    expect(plain.headers.get('content-type')).toBe('audio/mpeg');
    expect((await plain.arrayBuffer()).byteLength).toBe(16000);
    const expected = { pcm: 'audio/pcm;rate=24000', wav: 'audio/wav', mp3: 'audio/mpeg', opus: 'audio/ogg', flac: 'audio/flac', aac: 'audio/aac' };
    for (const [format, type] of Object.entries(expected)) {
      const res = await speechRequest(server.url, { ...ASK, response_format: format });
      expect(res.headers.get('content-type')).toBe(type);
      expect(Buffer.from(await res.arrayBuffer()).equals(CLIPS[format as AudioFormat]!.bytes)).toBe(true);
    }
    for (const contentTypes of [{ pcm: 'audio/pcm' }, { pcm: 'application/octet-stream' }, { opus: 'audio/opus' }]) {
      server.set({ contentTypes });
      const [format, type] = Object.entries(contentTypes)[0];
      const res = await speechRequest(server.url, { ...ASK, response_format: format });
      expect(res.headers.get('content-type')).toBe(type);
      await res.arrayBuffer();
    }
    // A function sees format, text and voice; no audio for a format is a 400.
    const seen: string[] = [];
    server.set({ audio: (format, input, voice) => (seen.push(`${format}|${input}|${voice}`), format === 'wav' ? PCM_2S : undefined), contentTypes: {} });
    expect((await speechRequest(server.url, { ...ASK, response_format: 'wav', voice: 'nova' }).then((r) => r.arrayBuffer())).byteLength).toBe(96000);
    const missing = await speechRequest(server.url, { ...ASK, response_format: 'flac' });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).error.param).toBe('response_format');
    expect(seen).toEqual(['wav|Hello there.|nova', 'flac|Hello there.|alloy']);
    // Content-Length instead of chunked, for servers that know the size up front.
    server.set({ audio: CLIPS, contentLength: true });
    const sized = await speechRequest(server.url, { ...ASK, response_format: 'pcm' });
    expect(sized.headers.get('content-length')).toBe('96000');
    await sized.arrayBuffer();
  });

  it('streams SSE audio deltas when stream_format is sse', async () => {
    const server = await start({ chunkBytes: 10000 });
    const res = await speechRequest(server.url, { ...ASK, response_format: 'pcm', stream_format: 'sse' });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(events.length).toBe(11);
    expect(events.at(-1).type).toBe('speech.audio.done');
    const audio = Buffer.concat(events.slice(0, -1).map((e) => Buffer.from(e.audio, 'base64')));
    expect(audio.equals(PCM_2S.bytes)).toBe(true); // (toEqual on 96000 bytes is slow)
  });

  it('loads per-format clips from a folder, timed by their PCM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-clips-'));
    writeFileSync(join(dir, 'tone-24k.pcm'), toneAudio(1.5, 'pcm').bytes);
    writeFileSync(join(dir, 'tone-24k.wav'), toneAudio(1.5, 'wav').bytes);
    writeFileSync(join(dir, 'tone.mp3'), fake(100).bytes);
    const clips = audioFromFolder(dir, 'tone');
    expect(Object.keys(clips).sort()).toEqual(['mp3', 'pcm', 'wav']);
    expect(clips.mp3).toMatchObject({ seconds: 1.5, contentType: 'audio/mpeg' });
    expect(clips.wav!.bytes.length).toBe(72044);
    expect(() => audioFromFolder(dir, 'nothing')).toThrow(/no nothing-24k/);
  });
});

describe('pacing', () => {
  it('sends a 2 s clip at 4× real time in about 0.5 s, and at once when unpaced', async () => {
    const server = await start({ realtimeFactor: 4 });
    let t0 = performance.now();
    const paced = await download(await speechRequest(server.url, { ...ASK, response_format: 'pcm' }), t0);
    expect(paced.bytes.length).toBe(96000);
    console.log(`2 s clip at 4× real time: ${paced.doneMs.toFixed(0)} ms`);
    expect(paced.doneMs).toBeGreaterThan(350);
    expect(paced.doneMs).toBeLessThan(1500);
    // Jitter delays chunks, but the schedule does not drift.
    server.set({ jitterMs: 60 });
    t0 = performance.now();
    const jittery = await download(await speechRequest(server.url, { ...ASK, response_format: 'pcm' }), t0);
    expect(jittery.doneMs).toBeGreaterThan(350);
    expect(jittery.doneMs).toBeLessThan(1500);
    server.set({ realtimeFactor: Infinity, jitterMs: 0 });
    t0 = performance.now();
    const fast = await download(await speechRequest(server.url, { ...ASK, response_format: 'pcm' }), t0);
    console.log(`unpaced: ${fast.doneMs.toFixed(0)} ms`);
    expect(fast.doneMs).toBeLessThan(paced.doneMs / 2);
  });

  it('sends a larger first write at once, its extra bytes costing no time on the schedule', async () => {
    // 2 s of pcm at 4×: 192 bytes a ms, so 4000 bytes are due every 21 ms.
    const server = await start({ realtimeFactor: 4, chunkBytes: 4000, firstChunkBytes: 10000 });
    const res = await speechRequest(server.url, { ...ASK, response_format: 'pcm' });
    const arrivals: { at: number; bytes: number }[] = [];
    for await (const part of res.body!) arrivals.push({ at: performance.now(), bytes: part.length });
    const first = arrivals[0].at;
    const firstWrite = arrivals.filter((a) => a.at - first < 8).reduce((sum, a) => sum + a.bytes, 0);
    const next = arrivals.find((a) => a.at - first >= 8)!;
    console.log(`first write ${firstWrite} bytes; the next ${(next.at - first).toFixed(1)} ms after it`);
    expect(firstWrite).toBe(10000);
    // One chunk's time (21 ms), not the first write's (52 ms).
    expect(next.at - first).toBeGreaterThan(12);
    expect(next.at - first).toBeLessThan(40);
  });

  it('holds headers and first byte for ttfbMs, or only the first byte with headersFirst', async () => {
    const server = await start({ ttfbMs: 300 });
    let t0 = performance.now();
    let res = await speechRequest(server.url, { ...ASK, response_format: 'pcm' });
    const headersMs = performance.now() - t0;
    expect(headersMs).toBeGreaterThan(280);
    expect((await download(res, t0)).firstMs).toBeGreaterThan(280);
    server.set({ headersFirst: true, ttfbMs: 500 });
    t0 = performance.now();
    res = await speechRequest(server.url, { ...ASK, response_format: 'pcm' });
    const earlyMs = performance.now() - t0;
    const body = await download(res, t0);
    console.log(`ttfb 300: headers ${headersMs.toFixed(0)} ms; headersFirst, ttfb 500: headers ${earlyMs.toFixed(0)} ms, first byte ${body.firstMs.toFixed(0)} ms`);
    expect(body.firstMs).toBeGreaterThan(480);
    expect(earlyMs).toBeLessThan(body.firstMs - 200);
    const r = server.requests.at(-1)!;
    expect(r.firstByteAt! - r.headersAt!).toBeGreaterThan(480);
  });
});

describe('scripted faults', () => {
  it('plays the queue in order, then the default, with OpenAI error bodies', async () => {
    const server = await start();
    server.enqueue({ status: 500 }, { status: 503 }, { status: 400, message: "Invalid value: 'alloyx'" }, { status: 401 });
    server.setDefault({ status: 502 });
    const answers: [number, string][] = [];
    for (let i = 0; i < 6; i++) {
      const res = await speechRequest(server.url, ASK);
      answers.push([res.status, (await errorOf(res)).error.type]);
    }
    expect(answers).toEqual([
      [500, 'server_error'],
      [503, 'server_error'],
      [400, 'invalid_request_error'],
      [401, 'invalid_request_error'],
      [502, 'server_error'],
      [502, 'server_error'],
    ]);
    expect(server.requests[2].fault).toEqual({ status: 400, message: "Invalid value: 'alloyx'" });
    server.setDefault();
    expect((await speechRequest(server.url, ASK)).status).toBe(200);
  });

  it('sends 429 with Retry-After in seconds, or retry-after-ms', async () => {
    const server = await start();
    server.enqueue({ status: 429, retryAfter: '1' }, { status: 429, retryAfterMs: 250, message: 'Slow down' });
    const first = await speechRequest(server.url, ASK);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(await first.json()).toEqual({ error: { message: expect.stringMatching(/Rate limit/), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    const second = await speechRequest(server.url, ASK);
    expect(second.headers.get('retry-after-ms')).toBe('250');
    expect((await errorOf(second)).error.message).toBe('Slow down');
  });

  it('sends an HTML error page with status 200, also one that claims to be audio', async () => {
    const server = await start();
    server.enqueue({ status: 200, html: true }, { html: true, contentType: 'audio/mpeg' });
    const page = await speechRequest(server.url, ASK);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/502 Bad Gateway/);
    const lying = await speechRequest(server.url, ASK);
    expect(lying.headers.get('content-type')).toBe('audio/mpeg');
    expect(await lying.text()).toMatch(/<html>/);
  });

  it('resets the connection after exactly N bytes: the client sees an error', async () => {
    const server = await start();
    server.enqueue({ resetAfterBytes: 5000 });
    const res = await speechRequest(server.url, { ...ASK, response_format: 'pcm' });
    const error = await res.arrayBuffer().then(() => null, (e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    // node:http shows what arrived before the cut.
    server.enqueue({ resetAfterBytes: 5000 });
    const cut = await rawSpeech(server.url, { ...ASK, response_format: 'pcm' });
    let got = 0;
    const rawError = await new Promise<Error | null>((resolve) => {
      cut.on('data', (d: Buffer) => (got += d.length)).on('error', resolve).on('end', () => resolve(null));
    });
    expect(rawError?.message).toMatch(/aborted/);
    expect(got).toBe(5000);
    const resets = server.requests.filter((r) => r.outcome === 'reset');
    expect(resets.map((r) => r.bytesSent)).toEqual([5000, 5000]);
  });

  it('stalls mid-body, then continues, or ends the body there', async () => {
    const server = await start({ chunkBytes: 4000 });
    server.enqueue({ stallAfterBytes: 10000, stallMs: 400 }, { stallAfterBytes: 10000, stallMs: 200, afterStall: 'end' });
    const t0 = performance.now();
    const stalled = await download(await speechRequest(server.url, { ...ASK, response_format: 'pcm' }), t0);
    expect(stalled.bytes.length).toBe(96000);
    console.log(`stall of 400 ms: longest gap ${Math.max(...stalled.gaps).toFixed(0)} ms`);
    expect(Math.max(...stalled.gaps)).toBeGreaterThan(350);
    const ended = await download(await speechRequest(server.url, { ...ASK, response_format: 'pcm' }), performance.now());
    expect(ended.bytes.length).toBe(10000);
    expect(server.requests.map((r) => r.outcome)).toEqual(['finished', 'finished']);
  });

  it('hangs without headers until the client gives up, and counts the request open until then', async () => {
    const server = await start();
    server.enqueue({ hangHeaders: true });
    const controller = new AbortController();
    const pending = speechRequest(server.url, ASK, { signal: controller.signal }).catch((e: Error) => e);
    await expect.poll(() => server.openRequests()).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(server.openRequests()).toBe(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await expect.poll(() => server.openRequests(), { timeout: 2000 }).toBe(0);
    expect(server.requests[0]).toMatchObject({ outcome: 'client-aborted', status: undefined, bytesSent: 0 });
  });
});

describe('accounting and backpressure', () => {
  it('records each request and returns to no open request after a client abort mid-body', async () => {
    const server = await start({ realtimeFactor: 1 });
    const controller = new AbortController();
    const res = await speechRequest(server.url, { ...ASK, response_format: 'pcm', speed: 1.5 }, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    expect(server.openRequests()).toBe(1);
    controller.abort();
    await expect.poll(() => server.openRequests(), { timeout: 2000 }).toBe(0);
    const r = server.requests[0];
    expect(r).toMatchObject({ method: 'POST', path: '/v1/audio/speech', status: 200, outcome: 'client-aborted', bytesTotal: 96000 });
    expect(r.body).toEqual({ ...ASK, response_format: 'pcm', speed: 1.5 });
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.bytesSent).toBeGreaterThan(0);
    expect(r.bytesSent).toBeLessThan(96000);
    expect(r.receivedAt).toBeLessThanOrEqual(r.headersAt!);
    expect(r.headersAt).toBeLessThanOrEqual(r.firstByteAt!);
    expect(r.firstByteAt).toBeLessThan(r.endedAt!);
    expect(server.speechRequests()).toEqual([r]);
  });

  it('stops writing when the client stops reading, and goes on when it reads again', async () => {
    const total = 32 << 20;
    const server = await start({ audio: { pcm: { bytes: new Uint8Array(total), seconds: 600 } } });
    const res = await rawSpeech(server.url, { ...ASK, response_format: 'pcm' });
    let got = 0;
    await new Promise<void>((resolve) => res.once('data', (d: Buffer) => ((got += d.length), res.pause(), resolve())));
    const record = server.requests[0];
    const plateau = await settled(() => record.bytesSent, 300, 5000);
    console.log(`client paused: server stopped at ${(plateau / 1048576).toFixed(1)} MB of ${total / 1048576} MB`);
    expect(plateau).toBeLessThan(total / 2);
    expect(server.openRequests()).toBe(1);
    await new Promise<void>((resolve) => res.on('data', (d: Buffer) => (got += d.length)).on('end', resolve).resume());
    expect(got).toBe(total);
    expect(record).toMatchObject({ bytesSent: total, outcome: 'finished' });
  });

  it('close() ends hung and streaming requests, and resolves', async () => {
    const server = await startTtsServer({ audio: CLIPS, realtimeFactor: 0.5 });
    server.enqueue({ hangHeaders: true });
    const hung = speechRequest(server.url, ASK).catch((e: Error) => e);
    const streaming = await speechRequest(server.url, { ...ASK, response_format: 'pcm' });
    await expect.poll(() => server.openRequests()).toBe(2);
    await server.close();
    expect(await hung).toBeInstanceOf(Error);
    expect(await streaming.arrayBuffer().catch((e: Error) => e)).toBeInstanceOf(Error);
    expect(server.openRequests()).toBe(0);
    expect(server.requests.map((r) => r.outcome)).toEqual(['server-closed', 'server-closed']);
  });
});
