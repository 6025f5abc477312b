import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { providerStatus } from '../../electron/engine/provider-check';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { closedPort } from '../support/closed-port';

/** Real HTTP servers on loopback, each answering /v1/models as told; every request is kept. */
const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

interface Asked {
  path: string;
  authorization: string | undefined;
}

async function server(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ baseUrl: string; port: number; asked: Asked[] }> {
  const asked: Asked[] = [];
  const http = createServer((req, res) => {
    asked.push({ path: req.url ?? '', authorization: req.headers.authorization });
    answer(req, res);
  });
  open.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, port, asked };
}

const status = (code: number, body = '{}') => (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(code, { 'content-type': 'application/json' }).end(body);

const openai = (baseUrls: string[], key?: { apiKey: string; apiKeyOrigins?: string[] }): Settings => ({ ...DEFAULT_SETTINGS, provider: 'openai', baseUrls, ...key });

describe('providerStatus', () => {
  it('calls the embedded voice always usable, without a request', async () => {
    expect(await providerStatus({ ...DEFAULT_SETTINGS, provider: 'local' })).toEqual({ status: 'offline-voice', detail: expect.stringContaining('embedded voice') });
  });

  it('finds a server that lists its models reachable, asking it with the key', async () => {
    const tts = await server(status(200, '{"object":"list","data":[]}'));
    expect(await providerStatus(openai([tts.baseUrl], { apiKey: 'sk-test' }))).toEqual({ status: 'reachable', httpStatus: 200, detail: `127.0.0.1:${tts.port} answers and accepts the API key.` });
    expect(tts.asked).toEqual([{ path: '/v1/models', authorization: 'Bearer sk-test' }]);
  });

  it('calls a web page where the model list belongs no server to speak with: a Wi-Fi portal, a proxy\'s sign-in, a base URL off its API', async () => {
    const portal = await server((_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Sign in to Hotel Wi-Fi</body></html>'));
    const expected = { status: 'unreachable', httpStatus: 200, detail: expect.stringMatching(/^127\.0\.0\.1:\d+ answers with a web page, not the API's list of models: a sign-in page/) };
    expect(await providerStatus(openai([portal.baseUrl], { apiKey: 'sk-test' }))).toEqual(expected);
    // Untyped, it is told by its first bytes; JSON sent untyped is still a model list.
    const untyped = await server((_req, res) => void res.writeHead(200, { 'content-type': '' }).end('\n  <!DOCTYPE html><html></html>'));
    expect(await providerStatus(openai([untyped.baseUrl]))).toEqual(expected);
    const json = await server((_req, res) => void res.writeHead(200, { 'content-type': '' }).end('{"object":"list","data":[]}'));
    expect(await providerStatus(openai([json.baseUrl]))).toMatchObject({ status: 'reachable', httpStatus: 200 });
    // A large model list is not read whole to tell it.
    const large = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('{"data": [');
      // Never ended: only the first chunk may be read.
    });
    expect(await providerStatus(openai([large.baseUrl]), { timeoutMs: 1500 })).toMatchObject({ status: 'reachable', httpStatus: 200 });
  });

  it('asks only the first server', async () => {
    const first = await server(status(200));
    const second = await server(status(200));
    await providerStatus(openai([first.baseUrl, second.baseUrl]));
    expect(first.asked).toHaveLength(1);
    expect(second.asked).toHaveLength(0);
  });

  it.each([401, 403])('calls the key refused on %i', async (code) => {
    const tts = await server(status(code, '{"error":{"message":"Incorrect API key provided"}}'));
    expect(await providerStatus(openai([tts.baseUrl], { apiKey: 'sk-wrong' }))).toEqual({ status: 'key-refused', httpStatus: code, detail: `127.0.0.1:${tts.port} refused the API key (HTTP ${code}).` });
  });

  it('keeps the key from a server it was not entered for, and says so when that server wants one', async () => {
    const tts = await server(status(401));
    const result = await providerStatus(openai([tts.baseUrl], { apiKey: 'sk-secret', apiKeyOrigins: ['https://api.openai.com'] }));
    expect(tts.asked).toEqual([{ path: '/v1/models', authorization: undefined }]);
    expect(result).toEqual({ status: 'key-refused', httpStatus: 401, detail: expect.stringContaining('it was entered for https://api.openai.com') });
  });

  it('counts a server without a model list (404) as reachable', async () => {
    const tts = await server(status(404, '{"detail":"Not Found"}'));
    expect(await providerStatus(openai([tts.baseUrl]))).toEqual({ status: 'reachable', httpStatus: 404, detail: expect.stringContaining(`127.0.0.1:${tts.port} answers`) });
  });

  it('calls a closed port unreachable, in plain words', async () => {
    const port = await closedPort();
    expect(await providerStatus(openai([`http://127.0.0.1:${port}/v1`]))).toEqual({ status: 'unreachable', detail: `Nothing answers at 127.0.0.1:${port}: is the server running?` });
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const tts = await server(() => {});
    const started = performance.now();
    const result = await providerStatus(openai([tts.baseUrl]), { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(300 + 250);
    expect(result).toEqual({ status: 'unreachable', detail: `127.0.0.1:${tts.port} did not answer within 0.3 s.` });
  });

  it('calls a server that fails (5xx) unreachable, with its status', async () => {
    const tts = await server(status(502));
    expect(await providerStatus(openai([tts.baseUrl]))).toEqual({ status: 'unreachable', httpStatus: 502, detail: expect.stringContaining('HTTP 502') });
  });

  it('follows no redirect, so the key cannot be led elsewhere', async () => {
    const elsewhere = await server(status(200));
    const tts = await server((_req, res) => void res.writeHead(302, { location: `${elsewhere.baseUrl}/models` }).end());
    expect(await providerStatus(openai([tts.baseUrl], { apiKey: 'sk-test' }))).toEqual({
      status: 'unreachable',
      httpStatus: 302,
      detail: `${tts.baseUrl} answered with a redirect to ${elsewhere.baseUrl}/models: set the base URL to ${elsewhere.baseUrl}.`,
    });
    expect(elsewhere.asked).toEqual([]);
  });

  it('calls a server that redirects unreachable, pointing to the base URL that speaking would', async () => {
    // A proxy that moved the API under /api: every path answers with its new place.
    const moved = await server((req, res) => void res.writeHead(307, { location: `/api${req.url}` }).end());
    const check = await providerStatus(openai([moved.baseUrl]));
    const speaking = await new OpenAiProvider({ baseUrls: [moved.baseUrl], model: 'tts-1', voice: 'alloy', format: 'mp3', speed: 1 })
      .open({ text: 'Hello.', endpointIndex: 0, signal: AbortSignal.timeout(5000) })
      .then(() => new Error('it spoke'), (error: unknown) => error as Error);
    const newBase = `http://127.0.0.1:${moved.port}/api/v1`;
    expect(check).toEqual({ status: 'unreachable', httpStatus: 307, detail: `${moved.baseUrl} answered with a redirect to ${newBase}/models: set the base URL to ${newBase}.` });
    expect(speaking.message).toBe(`${moved.baseUrl} answered with a redirect to ${newBase}/audio/speech: set the base URL to ${newBase}.`);
  });

  it('calls a base URL that is not a web address unreachable', async () => {
    expect(await providerStatus(openai(['not a url']))).toEqual({ status: 'unreachable', detail: 'The base URL "not a url" is not a web address.' });
  });
});
