import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { BEHIND_CLOSE_CODE, ControlOutbox } from '../../electron/web/control-outbox';

/**
 * The outbox's timing, with bounds small enough to see in a test: a socket that writes
 * nothing while messages wait is given up; one that reads slowly is not.
 */
let server: WebSocketServer | undefined;
afterEach(() => {
  for (const client of server?.clients ?? []) client.terminate();
  server?.close();
});

/** A real server and client; the server's end sends through an outbox with small bounds. */
async function pair(): Promise<{ outbox: ControlOutbox; client: WebSocket; gaveUp: () => boolean; serverEnd: () => WebSocket }> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server!.once('listening', resolve));
  const { port } = server.address() as { port: number };
  let gaveUp = false;
  const accepted = new Promise<ControlOutbox>((resolve) => server!.once('connection', (ws) => resolve(new ControlOutbox(ws, () => (gaveUp = true), { behindBytes: 64 * 1024, mostHeldBytes: 1024 * 1024, stallMs: 400 }))));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve) => client.once('open', resolve));
  return { outbox: await accepted, client, gaveUp: () => gaveUp, serverEnd: () => [...server!.clients][0] };
}

const SNAPSHOT = 'x'.repeat(100_000);

describe("a page's control outbox", () => {
  it('closes a socket that writes nothing for its stall bound while snapshots wait', async () => {
    const { outbox, client, gaveUp } = await pair();
    client.pause();
    // Snapshots replace each other, so only the stall can end this.
    const feed = setInterval(() => outbox.send(SNAPSHOT, 'session'), 20);
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    await expect.poll(gaveUp, { timeout: 5000 }).toBe(true);
    clearInterval(feed);
    client.resume();
    expect(await closed).toBe(BEHIND_CLOSE_CODE);
  });

  it('writes what goes ahead of a snapshot only for the one written, just before it, and holds none of it', async () => {
    const { outbox, client, gaveUp, serverEnd } = await pair();
    const received: string[] = [];
    client.on('message', (data) => received.push(String(data).slice(0, 20)));
    client.pause();
    // Behind: the kernel took what it could, and the socket holds more than its bound.
    while (serverEnd().bufferedAmount <= 64 * 1024) outbox.send(SNAPSHOT, 'fill');
    // Ten views, each with 300 KB of texts ahead: 3 MB, over the 1 MB bound had they waited.
    for (let i = 0; i < 10; i++) outbox.send(`view ${i}`, 'session', (write) => write(`texts of view ${i} ${'t'.repeat(300_000)}`));
    client.resume();
    await expect.poll(() => received.at(-1)).toBe('view 9');
    expect(received.filter((message) => !message.startsWith('x'))).toEqual(['texts of view 9 tttt', 'view 9']);
    expect(gaveUp()).toBe(false);
  });

  it('keeps a socket that reads slowly, however long it stays behind', async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server!.once('listening', resolve));
    const { port } = server.address() as { port: number };
    let gaveUp = false;
    // Replies are never replaced: they pile up while the reader is slower than the feed.
    const accepted = new Promise<ControlOutbox>((resolve) => server!.once('connection', (ws) => resolve(new ControlOutbox(ws, () => (gaveUp = true), { behindBytes: 64 * 1024, mostHeldBytes: 1024 ** 3, stallMs: 400 }))));
    // A reader at 6.4 MB/s (64 KB every 10 ms), as a page on a slow link: raw, so its pace is exact.
    const reader = connect(port, '127.0.0.1');
    reader.pause();
    reader.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    const outbox = await accepted;
    let received = 0;
    const read = setInterval(() => (received += reader.read(64 * 1024)?.length ?? 0), 10);
    // 20 MB/s: behind from the first second on, for longer than the stall bound.
    const feed = setInterval(() => outbox.send(SNAPSHOT), 5);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    clearInterval(feed);
    clearInterval(read);
    reader.destroy();
    expect(gaveUp).toBe(false);
    expect(received).toBeGreaterThan(5_000_000);
  });
});
