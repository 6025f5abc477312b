import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { AudioSockets } from '../../electron/web/audio-sockets';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { audioClaim, CHUNK_HEADER_BYTES, decodeChunkFrame, parseAudioOffer } from '../../shared/playback/link-protocol';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * The decoder worker opens its audio socket before the utterance exists, so a play does not
 * wait for a handshake, and claims it with the utterance's id as its first message.
 */
let tts: TtsServer;
let web: WebServer;
beforeEach(async () => {
  tts = await startTtsServer({ realtimeFactor: Infinity });
  web = await startWebServer({ root: RENDERER_BUILD, settings: { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [tts.url], format: 'pcm' } });
});
afterEach(async () => {
  await web.close();
  await tts.close();
});

/** Opens `path`, as the page named `page` when given. */
function open(path: string, page?: string): Promise<WebSocket> {
  const { host, searchParams } = new URL(web.url);
  const socket = new WebSocket(`ws://${host}${path}?token=${searchParams.get('token')}${page ? `&page=${page}` : ''}`, { headers: { origin: web.origin } });
  socket.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const closed = (socket: WebSocket): Promise<{ code: number; reason: string }> => new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));

describe("utter web's audio socket", () => {
  it('is opened ahead of its utterance, waits idle, and then carries the utterance it claims', async () => {
    const spare = await open('/audio');
    // Idle: the server does not close a socket that has not claimed yet.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spare.readyState).toBe(WebSocket.OPEN);

    const control = await open('/control');
    const tickets: number[] = [];
    control.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event?: string; payload?: { id: number } };
      if (message.event === 'play' && message.payload) tickets.push(message.payload.id);
    });
    control.send(JSON.stringify({ id: 1, op: 'attachSink' }));
    control.send(JSON.stringify({ id: 2, op: 'speak', request: { texts: ['Claimed by its first message.'] } }));
    await expect.poll(() => tickets.length).toBe(1);

    const events: string[] = [];
    let chunkBytes = 0;
    const reads: number[] = [];
    spare.on('message', (data, isBinary) => {
      if (!isBinary) {
        events.push((JSON.parse(String(data)) as { type: string }).type);
        return;
      }
      const chunk = decodeChunkFrame(data as ArrayBuffer);
      chunkBytes += chunk.type === 'chunk' ? chunk.bytes.length : 0;
      reads.push(chunk.type === 'chunk' && chunk.readMs !== undefined ? chunk.readMs : Number.NaN);
    });
    spare.send(audioClaim(tickets[0]!));
    const end = closed(spare);
    // Credit as the worker gives it, so flow control lets the whole segment through.
    const credit = setInterval(() => spare.readyState === WebSocket.OPEN && spare.send(JSON.stringify({ type: 'credit', consumedBytes: chunkBytes, bufferedMs: 0 })), 20);
    expect((await end).code).toBe(1000);
    clearInterval(credit);
    expect(events[0]).toBe('utterance-start');
    expect(events.at(-1)).toBe('end');
    expect(chunkBytes).toBeGreaterThan(0);
    // Each chunk carries when the engine read it, in order: the worker times the link by it.
    expect(reads.every((r, i) => Number.isFinite(r) && (i === 0 || r >= reads[i - 1]))).toBe(true);
    control.close();
  });

  it('is closed with why when its first message is not a claim, or claims no utterance', async () => {
    const garbage = await open('/audio');
    garbage.send('hello');
    expect(await closed(garbage)).toMatchObject({ code: 4400, reason: expect.stringContaining('claim') });

    const binary = await open('/audio');
    binary.send(new Uint8Array([1, 2, 3]));
    expect((await closed(binary)).code).toBe(4400);

    const unknown = await open('/audio');
    unknown.send(audioClaim(999));
    expect(await closed(unknown)).toMatchObject({ code: 4404, reason: expect.stringContaining('No such utterance') });
  });

  it("is handed its page's next utterance by the server, with an offer first, and needs no claim", async () => {
    const spare = await open('/audio', PAGE);
    const received = collect(spare);
    const { tickets, control } = await attachedPage(PAGE);
    control.send(JSON.stringify({ id: 2, op: 'speak', request: { texts: ['Offered before the ticket reached the worker.'] } }));
    await expect.poll(() => tickets.length).toBe(1);
    await expect.poll(() => received.texts.length).toBeGreaterThan(0);
    expect(parseAudioOffer(received.texts[0]!)).toBe(tickets[0]);
    // The worker's claim crossed the offer: it is ignored, and the socket stays this utterance's.
    spare.send(audioClaim(tickets[0]!));
    const end = closed(spare);
    const credit = setInterval(() => spare.readyState === WebSocket.OPEN && spare.send(JSON.stringify({ type: 'credit', consumedBytes: received.chunkBytes, bufferedMs: 0 })), 20);
    expect((await end).code).toBe(1000);
    clearInterval(credit);
    expect(received.texts.slice(1).map((text) => (JSON.parse(text) as { type: string }).type)).toEqual(expect.arrayContaining(['utterance-start', 'end']));
    expect(received.chunkBytes).toBeGreaterThan(0);
    control.close();
  });

  it("is not offered an utterance while one of its page's waits for a claim, nor another page's", async () => {
    const { tickets, control } = await attachedPage(PAGE);
    control.send(JSON.stringify({ id: 2, op: 'speak', request: { texts: ['The first, to be claimed.'] } }));
    await expect.poll(() => tickets.length).toBe(1);
    // The socket opens after the first ticket went out: the worker will claim it for that one.
    const spare = await open('/audio', PAGE);
    const other = await open('/audio', 'another-page-1');
    const offers = [collect(spare), collect(other)];
    control.send(JSON.stringify({ id: 3, op: 'speak', request: { texts: ['The second, asked for at once.'] } }));
    await expect.poll(() => tickets.length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(offers.map((offer) => offer.texts)).toEqual([[], []]);
    // Claimed in order: the first (stopped by the second) ends as it should, and the second is carried.
    const firstEnd = closed(spare);
    spare.send(audioClaim(tickets[0]!));
    expect((await firstEnd).code).toBe(1000);
    const second = await open('/audio', PAGE);
    const carried = collect(second);
    second.send(audioClaim(tickets[1]!));
    await expect.poll(() => carried.texts.length).toBeGreaterThan(0);
    expect((JSON.parse(carried.texts[0]!) as { type: string }).type).toBe('utterance-start');
    control.close();
  });
});

describe("utter web's audio socket, against misuse", () => {
  it('is closed, with why, when a newer socket from the same page takes its place', async () => {
    const old = await open('/audio', PAGE);
    const end = closed(old);
    const newer = await open('/audio', PAGE);
    expect(await end).toMatchObject({ code: 4409, reason: expect.stringContaining('newer audio socket') });
    expect(newer.readyState).toBe(WebSocket.OPEN);
    newer.close();
  });

  it('is closed when a message is far larger than any command, and the server goes on', async () => {
    const { tickets, control } = await attachedPage('a-page-of-its-own');
    control.send(JSON.stringify({ id: 2, op: 'speak', request: { texts: ['A socket that then sends too much.'] } }));
    await expect.poll(() => tickets.length).toBe(1);
    const socket = await open('/audio');
    socket.send(audioClaim(tickets[0]!));
    const end = closed(socket);
    socket.send(JSON.stringify({ type: 'credit', consumedBytes: 0, bufferedMs: 0, padding: 'x'.repeat(64 * 1024) }));
    // 1009: too big, when the close frame makes it out before the connection goes.
    expect([1006, 1009]).toContain((await end).code);
    const next = await open('/audio');
    next.send(audioClaim(999));
    expect((await closed(next)).code).toBe(4404);
    control.close();
  });

  it("logs a page's first bad command, and only counts the rest", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { tickets, control } = await attachedPage('a-page-of-its-own');
      control.send(JSON.stringify({ id: 2, op: 'speak', request: { texts: ['A socket that sends nonsense.'] } }));
      await expect.poll(() => tickets.length).toBe(1);
      const socket = await open('/audio');
      socket.send(audioClaim(tickets[0]!));
      for (let i = 0; i < 50; i++) socket.send(JSON.stringify({ type: 'nonsense', i }));
      await expect.poll(() => warn.mock.calls.some(([message]) => String(message).includes('refused a command'))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const end = closed(socket);
      socket.close();
      await end;
      await expect.poll(() => warn.mock.calls.some(([message]) => String(message).includes('49 more bad commands'))).toBe(true);
      expect(warn.mock.calls.filter(([message]) => String(message).includes('refused a command'))).toHaveLength(1);
      control.close();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('AudioSockets', () => {
  it('closes a socket that no utterance claimed within its bound, with why, and not one it offered an utterance', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const sockets = new AudioSockets(() => {}, 300);
    server.on('connection', (ws, req) => sockets.accept(ws, new URL(req.url ?? '/', 'http://x').searchParams.get('page')));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const connect = (path: string): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url + path);
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    try {
      const idle = await connect('');
      const end = closed(idle);
      const offered = await connect(`?page=${PAGE}`);
      const offers = collect(offered);
      await expect.poll(() => server.clients.size).toBe(2);
      sockets.linkFor(7, PAGE);
      await expect.poll(() => offers.texts.length).toBe(1);
      expect(await end).toMatchObject({ code: 4408, reason: expect.stringContaining('Not claimed') });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(offered.readyState).toBe(WebSocket.OPEN);
      offered.close();
    } finally {
      sockets.close();
      for (const client of server.clients) client.terminate();
      server.close();
    }
  });
});

const PAGE = 'page-under-test-1';

/** A page's control socket, attached as the sink, and the tickets it is handed. */
async function attachedPage(page: string): Promise<{ control: WebSocket; tickets: number[] }> {
  const control = await open('/control', page);
  const tickets: number[] = [];
  control.on('message', (data) => {
    const message = JSON.parse(String(data)) as { event?: string; payload?: { id: number } };
    if (message.event === 'play' && message.payload) tickets.push(message.payload.id);
  });
  control.send(JSON.stringify({ id: 1, op: 'attachSink' }));
  return { control, tickets };
}

/** What a socket receives: its text messages, and how many chunk bytes. */
function collect(socket: WebSocket): { texts: string[]; chunkBytes: number } {
  const received = { texts: [] as string[], chunkBytes: 0 };
  socket.on('message', (data, isBinary) => {
    if (isBinary) received.chunkBytes += (data as ArrayBuffer).byteLength - CHUNK_HEADER_BYTES;
    else received.texts.push(String(data));
  });
  return received;
}
