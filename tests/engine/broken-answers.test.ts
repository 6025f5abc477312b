import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { SpeechError } from '../../electron/engine/errors';
import { OpenAiProvider } from '../../electron/engine/providers/openai';

// Answers that are HTTP, and a success, but carry no audio that can be read.

const dir = mkdtempSync(join(tmpdir(), 'utter-broken-'));
/** What the server answers to each speech request. */
let answer: (res: ServerResponse) => void = (res) => res.end();
let requests = 0;
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Speaks through the engine, with fast retries: what it fails with. */
async function speakFailure(): Promise<SpeechError> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [baseUrl], format: 'wav' };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  requests = 0;
  const error = await speakToFile('Hello.', { settings, provider, out: join(dir, 'out.wav'), retryPolicy: { baseDelayMs: 1, maxDelayMs: 2 } }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
}

describe('a success that carries no readable audio', () => {
  it('204 (No Content): said as such, not as a TypeError from inside the SDK, and not asked again', async () => {
    answer = (res) => res.writeHead(204).end();
    const failure = await speakFailure();
    expect(failure.message).toBe(`${baseUrl} answered 204 with no audio.`);
    expect(failure.kind).toBe('bad-audio');
    expect(requests).toBe(1);
  });
});
