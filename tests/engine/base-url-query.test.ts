import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, formatSettingsIssues, validateSettings } from '../../shared/config/schema';
import { primaryEndpoint } from '../../electron/engine/engine';
import { LinkWarmer } from '../../electron/engine/link-warmer';
import { providerStatus } from '../../electron/engine/provider-check';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import type { SpeechError } from '../../electron/engine/errors';
import { fixture } from '../support/audio-files';
import { closedPort } from '../support/closed-port';
import { startTtsServer } from '../support/tts-server';

const WAV = fixture('sentence-24k.wav');
/** Every request's method and target, as the server read them. */
const asked: string[] = [];
let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    req.resume();
    const path = req.url!.split('?')[0];
    // A server that takes its key in the path, and answers its model list with a status no check expects.
    if (path.startsWith('/key/')) return void res.writeHead(418).end();
    if (path === '/v1/audio/speech') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(WAV);
    if (path === '/v1/audio/voices') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"voices": ["af_bella"]}');
    if (path === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": []}');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

describe('a base URL with a query', () => {
  // Azure-style ?api-version=; and a repeated key, which the SDK's own query option would keep
  // as a=3 alone ("c=d/" once lost its slash with the base URL's).
  it.each(['?api-version=2024-06-01&deployment=a%2Fb', '?a=1&a=2&b=x%2Fy&a=3&c=d/'])('asks each path under the base with %s after it, as written: speech, voices, the check and the warm-up', async (query) => {
    const baseUrl = `${origin}/v1/${query}`;
    asked.length = 0;
    const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [baseUrl], voice: 'alloy', format: 'wav' });
    const audio = await provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal });
    expect((await readAll(audio.body)).equals(WAV)).toBe(true);
    expect((await provider.voices()).map((v) => v.id)).toContain('af_bella');
    expect((await providerStatus({ provider: 'openai', baseUrls: [baseUrl] })).status).toBe('reachable');
    await new LinkWarmer().warm({ provider: 'openai', baseUrls: [baseUrl] });
    expect(asked).toEqual([`POST /v1/audio/speech${query}`, `GET /v1/audio/voices${query}`, `GET /v1/models${query}`, `GET /v1/models${query}`]);
  });
});

describe("a base URL's name, in messages and events", () => {
  it('has no slash before the query, as a base URL without a query has none at its end', async () => {
    const baseUrl = `${origin}/elsewhere/?api-version=1`;
    const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: [baseUrl], voice: 'alloy', format: 'wav' as const };
    const provider = new OpenAiProvider(settings);
    expect(provider.endpoints).toEqual([`${origin}/elsewhere?api-version=1`]);
    expect(primaryEndpoint(settings)).toBe(`${origin}/elsewhere?api-version=1`);
    // The server has nothing there: its 404 names the base URL so.
    asked.length = 0;
    const failure = await provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal }).catch((error: Error) => error);
    expect(asked).toEqual(['POST /elsewhere/audio/speech?api-version=1']);
    expect((failure as Error).message).toContain(`${origin}/elsewhere?api-version=1 refused the request (404)`);
    // An empty query is none: it once took the path for its own ("/v1/?/audio/speech").
    const bare = new OpenAiProvider({ ...settings, baseUrls: [`${origin}/v1/?`] });
    expect(bare.endpoints).toEqual([`${origin}/v1`]);
    asked.length = 0;
    await readAll((await bare.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal })).body);
    expect(asked).toEqual(['POST /v1/audio/speech']);
  });
});

describe('a base URL with a #fragment', () => {
  it('is refused by the settings, saying why (the paths would go after the #, and no server sees it)', () => {
    const result = validateSettings({ provider: 'openai', baseUrls: ['http://127.0.0.1:8880/v1#voices'] });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : formatSettingsIssues(result.issues)).toContain('must not hold a # fragment');
  });

  it('a query alone is a valid setting', () => {
    expect(validateSettings({ provider: 'openai', baseUrls: ['https://example.openai.azure.com/openai?api-version=2024-06-01'] }).ok).toBe(true);
  });
});

describe('a base URL that carries a secret (?key=, user:pass@)', () => {
  const SECRET = 'SECRETVALUE';
  const ask = (provider: OpenAiProvider) => provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal }).then(() => undefined, (error: SpeechError) => error);
  /** Everything of a failure a person may be shown. */
  const shown = (error: SpeechError | undefined) => `${error?.message} ${error?.details.endpoint}`;

  it('is asked with the secret, and never names it: refused key (401), failure (500), redirect, voice list, the check', async () => {
    const server = await startTtsServer({ apiKey: 'sk-right' });
    try {
      const baseUrl = `${server.url}?key=${SECRET}&api-version=1`;
      const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [baseUrl], apiKey: 'sk-wrong', voice: 'alloy', format: 'wav' });
      expect(provider.endpoints).toEqual([`${server.url}?key=***&api-version=1`]);

      const refused = await ask(provider);
      expect(refused?.message).toBe(`${server.url}?key=***&api-version=1 refused the API key (401): Incorrect API key provided: sk-w***.`);
      const unread: SpeechError[] = [];
      await provider.voices(undefined, (problem) => unread.push(problem));
      expect(unread.map((problem) => problem.message)).toEqual([`Could not read the voices of ${server.url}?key=***&api-version=1: ${server.url}?key=***&api-version=1 refused the API key (401): Incorrect API key provided: sk-w***.`]);

      server.set({ apiKey: undefined });
      server.enqueue({ status: 500, message: `synthesis failed for ${baseUrl}` });
      const failed = await ask(provider);
      // The server's own text quoted the URL asked: hidden there too.
      expect(failed?.message).toBe(`${server.url}?key=***&api-version=1 failed (500): synthesis failed for ${server.url}?key=***&api-version=1`);

      server.enqueue({ status: 302, location: `${origin}/v2/audio/speech?key=${SECRET}` });
      const redirected = await ask(provider);
      expect(redirected?.message).toBe(`${server.url}?key=***&api-version=1 answered with a redirect to ${origin}/v2/audio/speech?key=***: set the base URL to ${origin}/v2?key=***.`);

      expect((await providerStatus({ provider: 'openai', baseUrls: [baseUrl] })).status).toBe('reachable');
      const notAnAddress = await providerStatus({ provider: 'openai', baseUrls: [`127.0.0.1:8880/v1?key=${SECRET}`] });
      expect(notAnAddress.detail).toBe('The base URL "127.0.0.1:8880/v1?key=***" is not a web address.');

      for (const error of [refused, ...unread, failed, redirected]) expect(shown(error)).not.toContain(SECRET);
      // Every request went with the key in its query, as written.
      expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v1/audio/speech', 'GET /v1/audio/voices', 'POST /v1/audio/speech', 'POST /v1/audio/speech', 'GET /v1/models']);
      for (const request of server.requests) expect(request.query).toBe(`key=${SECRET}&api-version=1`);
    } finally {
      await server.close();
    }
  });

  it('is not named when nothing answers there', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1?token=${SECRET}`;
    const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [baseUrl], voice: 'alloy', format: 'wav' });
    const failure = await ask(provider);
    expect(failure?.message).toBe(`Nothing answers at ${baseUrl.replace(SECRET, '***')}: is the server running?`);
    const unread: SpeechError[] = [];
    await provider.voices(undefined, (problem) => unread.push(problem));
    expect(unread).toHaveLength(1);
    for (const error of [failure, ...unread]) expect(shown(error)).not.toContain(SECRET);
  });

  it("hides a URL's password, which fetch quotes when it refuses to send one", async () => {
    const server = await startTtsServer();
    try {
      const baseUrl = server.url.replace('://', `://user:${SECRET}@`);
      const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [baseUrl], voice: 'alloy', format: 'wav' });
      expect(provider.endpoints).toEqual([server.url.replace('://', '://user:***@')]);
      const failure = await ask(provider);
      expect(failure?.message).toContain('user:***@');
      expect(shown(failure)).not.toContain(SECRET);
    } finally {
      await server.close();
    }
  });

  it('is hidden where the settings refuse it, and in the name the link estimates are kept under', () => {
    const result = validateSettings({ provider: 'openai', baseUrls: [`http://127.0.0.1:0/v1?key=${SECRET}`] });
    expect(result.ok ? '' : formatSettingsIssues(result.issues)).toContain('?key=***');
    expect(result.ok ? '' : formatSettingsIssues(result.issues)).not.toContain(SECRET);
    expect(primaryEndpoint({ provider: 'openai', baseUrls: [`https://example.invalid/v1/?sig=${SECRET}`] })).toBe('https://example.invalid/v1?sig=***');
  });
});

describe('a key in the base URL\'s path, and secrets a server repeats with no URL around them', () => {
  const PATH_KEY = 'sk-path-Zq9x8W7v6U5t4S3r';
  const API_KEY = 'sk-live-Ab1Cd2Ef3Gh4Ij5Kl6';
  const ask = (provider: OpenAiProvider) => provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal }).then(() => undefined, (error: SpeechError) => error);

  it('is asked with the key in its path, and neither its name nor the path the server quotes shows it', async () => {
    const server = await startTtsServer({ base: `/key/${PATH_KEY}/v1` });
    try {
      const at = server.url.slice(0, server.url.indexOf('/key/'));
      const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [server.url], voice: 'alloy', format: 'wav' });
      expect(provider.endpoints).toEqual([`${at}/key/***/v1`]);
      expect(await ask(provider)).toBeUndefined();
      // A base URL one version off: the server's 404 quotes the path it was asked, key and all.
      const wrong = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [`${at}/key/${PATH_KEY}/v2`], voice: 'alloy', format: 'wav' });
      const refused = await ask(wrong);
      expect(refused?.message).toBe(`${at}/key/***/v2 refused the request (404): Invalid URL (POST /key/***/v2/audio/speech)`);
      expect(`${refused?.message} ${refused?.details.endpoint}`).not.toContain(PATH_KEY);
      expect(server.requests.map((request) => request.path)).toEqual([`/key/${PATH_KEY}/v1/audio/speech`, `/key/${PATH_KEY}/v2/audio/speech`]);
    } finally {
      await server.close();
    }
  });

  it('the check, which the settings and the doctor show, does not name the path it asked', async () => {
    const status = await providerStatus({ provider: 'openai', baseUrls: [`${origin}/key/${PATH_KEY}/v1`] });
    expect(status.detail).toBe(`${new URL(origin).host} answers, with HTTP 418 to /key/***/v1/models.`);
    expect(asked.at(-1)).toBe(`GET /key/${PATH_KEY}/v1/models`);
  });

  it('the API key and a base URL\'s secret repeated in an error\'s words are hidden: 401, 403, and one cut at 300 characters', async () => {
    const server = await startTtsServer();
    try {
      const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [`${server.url}?key=SECRETVALUE`], apiKey: API_KEY, voice: 'alloy', format: 'wav' });
      const shown = `${server.url}?key=***`;
      server.enqueue({ status: 401, message: `Incorrect API key provided: ${API_KEY}. Find your key at https://platform.example/account/api-keys.` });
      expect((await ask(provider))?.message).toBe(`${shown} refused the API key (401): Incorrect API key provided: ***. Find your key at https://platform.example/account/api-keys.`);
      server.enqueue({ status: 403, message: 'Project key SECRETVALUE may not use this model' });
      expect((await ask(provider))?.message).toBe(`${shown} refused the API key (403): Project key *** may not use this model`);
      // The key straddles the 300th character: hidden before the cut, or its start would be left.
      server.enqueue({ status: 500, message: `${'word '.repeat(58)}${API_KEY} failed` });
      const cut = await ask(provider);
      expect(cut?.message).toMatch(/failed \(500\): (word ){58}\*\*\*/);
      expect(cut?.message).not.toContain(API_KEY.slice(0, 8));
      // Each request carried the key it was given.
      for (const request of server.requests) expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    } finally {
      await server.close();
    }
  });
});
