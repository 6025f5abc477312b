import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { SpeechError } from '../../electron/engine/errors';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/** A server that answers each request with `answer`, and keeps what it was asked. */
async function recordingServer(answer: (res: ServerResponse) => void): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const dir = mkdtempSync(join(tmpdir(), 'utter-redirect-'));
let location = '';
let status = 302;
let redirecting: Awaited<ReturnType<typeof recordingServer>>;
let elsewhere: Awaited<ReturnType<typeof recordingServer>>;
let speech: TtsServer;

beforeAll(async () => {
  redirecting = await recordingServer((res) => res.writeHead(status, location ? { location } : {}).end('moved'));
  elsewhere = await recordingServer((res) => res.writeHead(404).end());
  speech = await startTtsServer();
});
afterAll(async () => {
  for (const { server } of [redirecting, elsewhere]) {
    server.closeAllConnections();
    server.close();
  }
  await speech.close();
});

/** Speaks through the engine, with fast retries: what it fails with. */
async function speakFailure(baseUrls: string[]): Promise<SpeechError> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls, format: 'wav' };
  const provider = new OpenAiProvider({ ...settings, apiKey: 'sk-test', voice: 'alloy' });
  const error = await speakToFile('Hello.', { settings, provider, out: join(dir, 'out.wav'), retryPolicy: { baseDelayMs: 1, maxDelayMs: 2 } }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
}

describe('a speech server that answers with a redirect', () => {
  it('is not followed (a 302 would turn the POST into a GET elsewhere), nor asked again, and says where it points', async () => {
    status = 302;
    location = `${elsewhere.url}/v1/audio/speech`;
    redirecting.seen.length = 0;
    elsewhere.seen.length = 0;
    const failure = await speakFailure([`${redirecting.url}/v1`]);
    expect(failure.message).toBe(`${redirecting.url}/v1 answered with a redirect to ${elsewhere.url}/v1/audio/speech: set the base URL to ${elsewhere.url}/v1.`);
    expect(failure.kind).toBe('network');
    expect(redirecting.seen).toEqual(['POST /v1/audio/speech']);
    expect(elsewhere.seen).toEqual([]);
  });

  it('fails over to the next server in the list at once', async () => {
    status = 301;
    location = `${elsewhere.url}/v1/audio/speech`;
    redirecting.seen.length = 0;
    const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [`${redirecting.url}/v1`, speech.url], format: 'wav' };
    const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
    const report = await speakToFile('Hello.', { settings, provider, out: join(dir, 'failover.wav'), retryPolicy: { baseDelayMs: 1, maxDelayMs: 2 } });
    expect(report.audioSeconds).toBeGreaterThan(0);
    expect(redirecting.seen).toEqual(['POST /v1/audio/speech']);
  });

  it.each([
    ['a path on the same server', 308, '/v2/audio/speech', (base: string) => `${base}/v1 answered with a redirect to ${base}/v2/audio/speech: set the base URL to ${base}/v2.`],
    ['elsewhere without the API path', 307, 'https://example.invalid/login', (base: string) => `${base}/v1 answered with a redirect to https://example.invalid/login: set the base URL to where it points.`],
    ['the same address (a loop)', 302, '/v1/audio/speech', (base: string) => `${base}/v1 answered with a redirect to the same address, a loop.`],
    ['no Location', 302, '', (base: string) => `${base}/v1 answered with a redirect (302) without saying where to.`],
    ['a Location that is no address, with a terminal control (C1 CSI)', 301, 'http://[::1\x9b2J', (base: string) => `${base}/v1 answered with a redirect to "http://[::1 2J", which is not a web address.`],
  ])('%s: said plainly', async (_case, code, to, said) => {
    status = code;
    location = to;
    redirecting.seen.length = 0;
    const failure = await speakFailure([`${redirecting.url}/v1`]);
    expect(failure.message).toBe(said(redirecting.url));
    expect(redirecting.seen).toHaveLength(1);
  });

  it('a Location of any length is cut for a terminal line', async () => {
    status = 302;
    location = `http://example.invalid/${'a'.repeat(5000)}`;
    const failure = await speakFailure([`${redirecting.url}/v1`]);
    expect(failure.message).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1 answered with a redirect to http:\/\/example\.invalid\/a+…: set the base URL to where it points\.$/);
    expect(failure.message.length).toBeLessThan(300);
  });
});
