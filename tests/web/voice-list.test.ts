import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { askControl } from '../support/utter-web';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';

/** `utter web`'s voice list: a server's list that could not be read is said, not left out in silence. */
let web: WebServer | undefined;
let tts: Server;
let voicesAnswer = '';
afterEach(async () => web?.close());

beforeAll(async () => {
  // Answers /v1/audio/voices with whatever the test sets; anything else is no route.
  tts = createServer((req, res) => {
    if (req.url !== '/v1/audio/voices') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(voicesAnswer);
  });
  await new Promise<void>((resolve) => tts.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  tts.closeAllConnections();
  await new Promise((resolve) => tts.close(resolve));
});

function askVoices(server: WebServer): Promise<{ voices: { id: string }[]; unread: string[] }> {
  return askControl(server, 'voices', undefined);
}

it("says which server's voice list could not be read, beside the voices it has", async () => {
  const baseUrl = `http://127.0.0.1:${(tts.address() as AddressInfo).port}/v1`;
  web = await startWebServer({ root: RENDERER_BUILD, settings: { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [baseUrl] } });
  voicesAnswer = '{"voices": ["af_bella", ';
  const broken = await askVoices(web);
  expect(broken.unread).toEqual([`Could not read the voices of ${baseUrl}: its answer is not JSON.`]);
  // OpenAI's own voices are still offered; the server's are what is missing.
  expect(broken.voices.map((v) => v.id)).toContain('alloy');
  expect(broken.voices.map((v) => v.id)).not.toContain('af_bella');

  voicesAnswer = '{"voices": ["af_bella"]}';
  const read = await askVoices(web);
  expect(read.unread).toEqual([]);
  expect(read.voices.map((v) => v.id)).toContain('af_bella');
});
