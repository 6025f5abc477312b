import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../electron/engine/engine';
import { SpeechError } from '../../electron/engine/errors';
import { HEADERS_TIMEOUT_MS, OpenAiProvider } from '../../electron/engine/providers/openai';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * The wait for an answer's start. A slow server (a CPU voice that synthesises the whole part
 * before it answers) is what the idle limit is raised for; the headers' wait ignored it and
 * cut such a server off at 30 s, on every retry.
 */
let hung: TtsServer;
beforeAll(async () => {
  hung = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
  hung.setDefault({ hangHeaders: true });
});
afterAll(async () => hung.close());

describe('the wait for an answer to start', () => {
  it('follows an idle limit longer than the SDK\'s 30 s, and keeps 30 s under a shorter one', () => {
    const provider = (idleTimeoutSec: number) => createProvider({ ...DEFAULT_SETTINGS, provider: 'openai', idleTimeoutSec }) as OpenAiProvider;
    expect(provider(120).headersTimeoutMs).toBe(120_000);
    expect(provider(5).headersTimeoutMs).toBe(HEADERS_TIMEOUT_MS);
    expect(HEADERS_TIMEOUT_MS).toBe(30_000);
  });

  it('is what the request is given: a server that never answers is left after it, as not answering in time', { timeout: 20_000 }, async () => {
    const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [hung.url], headersTimeoutMs: 700 });
    const started = performance.now();
    const failure = await provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal }).catch((error: unknown) => error);
    const waited = performance.now() - started;
    expect(failure).toBeInstanceOf(SpeechError);
    expect(failure).toMatchObject({ kind: 'network', message: expect.stringMatching(/did not answer in time/) });
    expect(waited).toBeGreaterThanOrEqual(650);
    expect(waited).toBeLessThan(10_000);
    await provider.close();
  });
});
