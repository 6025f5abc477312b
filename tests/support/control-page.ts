// `utter web` without a browser, for tests that speak to its control socket as a page does.
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { startTtsServer, type TtsServer } from './tts-server';

/** `utter web` (asking for pcm) over a test TTS server, both fresh for each test of the file. */
export function useWebServerEachTest(): { web: WebServer; tts: TtsServer } {
  const servers = {} as { web: WebServer; tts: TtsServer };
  beforeEach(async () => {
    servers.tts = await startTtsServer();
    servers.web = await startWebServer({ root: RENDERER_BUILD, settings: { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [servers.tts.url], format: 'pcm' } });
  });
  afterEach(async () => {
    await servers.web.close();
    await servers.tts.close();
  });
  return servers;
}

/** A page's control socket: what it received, as bytes and as parsed messages. */
export interface ControlPage<Message> {
  socket: WebSocket;
  bytes(): number;
  messages: Message[];
}

/** Opens a control socket as a page does, counting the bytes it receives. */
export async function openControlPage<Message>(web: WebServer): Promise<ControlPage<Message>> {
  const { host, searchParams } = new URL(web.url);
  const socket = new WebSocket(`ws://${host}/control?token=${searchParams.get('token')}`, { headers: { origin: web.origin } });
  let bytes = 0;
  const messages: Message[] = [];
  socket.on('message', (data) => {
    bytes += Buffer.byteLength(String(data));
    messages.push(JSON.parse(String(data)));
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, bytes: () => bytes, messages };
}
