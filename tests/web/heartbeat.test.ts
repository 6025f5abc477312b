import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { BEAT_MESSAGE } from '../../shared/control-link';

/**
 * A socket whose other end went away without a word (a laptop that slept, a network that
 * dropped) stays open for minutes as far as TCP knows. `utter web` pings every socket and
 * ends one that does not answer; it beats on each control socket so that the page can tell
 * a silent server too. The interval is short here; it is 15 s in use.
 */
const BEAT_MS = 200;
const servers: WebServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(): Promise<WebServer> {
  const server = await startWebServer({ root: RENDERER_BUILD, settings: { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: ['http://127.0.0.1:9'] }, heartbeatMs: BEAT_MS });
  servers.push(server);
  return server;
}

/** A socket on `path` as a page opens it, with every text message it receives. */
async function open(server: WebServer, path: '/control' | '/audio'): Promise<{ socket: WebSocket; messages: string[] }> {
  const { host, searchParams } = new URL(server.url);
  const socket = new WebSocket(`ws://${host}${path}?token=${searchParams.get('token')}`, { headers: { origin: server.origin } });
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, messages };
}

describe("utter web's heartbeat", () => {
  it('says hello first with this run and its beat, then beats on a control socket', async () => {
    const server = await start();
    const { socket, messages } = await open(server, '/control');
    await expect.poll(() => messages.length).toBeGreaterThan(0);
    const hello = JSON.parse(messages[0]!) as { hello?: { instance: string; beatMs: number } };
    expect(hello.hello?.beatMs).toBe(BEAT_MS);
    expect(hello.hello?.instance).toMatch(/\w{8}/);
    await expect.poll(() => messages.filter((message) => message === BEAT_MESSAGE).length, { timeout: 3000 }).toBeGreaterThanOrEqual(3);
    socket.close();

    // Another run of utter web is another instance: the page can tell a restart.
    const next = await open(await start(), '/control');
    await expect.poll(() => next.messages.length).toBeGreaterThan(0);
    expect((JSON.parse(next.messages[0]!) as { hello: { instance: string } }).hello.instance).not.toBe(hello.hello!.instance);
    next.socket.close();
  });

  it('ends a control socket and an audio socket that stop answering pings, and keeps those that answer', async () => {
    const server = await start();
    const answering = await open(server, '/control');
    const silentControl = await open(server, '/control');
    const silentAudio = await open(server, '/audio');
    expect(server.clientCount()).toBe(3);
    // A paused socket reads nothing, so it answers no ping: as a page that went away unheard.
    silentControl.socket.pause();
    silentAudio.socket.pause();
    await expect.poll(() => server.clientCount(), { timeout: BEAT_MS * 10 }).toBe(1);
    // The one that answers stays, however many beats go by.
    await new Promise((resolve) => setTimeout(resolve, BEAT_MS * 4));
    expect(server.clientCount()).toBe(1);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    answering.socket.close();
  });
});
