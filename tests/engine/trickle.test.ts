import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { Utterance } from '../../electron/engine/utterance';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { fixtureAudio } from '../support/tts-server';

/**
 * A server that drips its body a few bytes at a time is never idle, so the idle timeout
 * alone waited for ever: a real HTTP server drips, the engine must give up on it as it does
 * on one that stops.
 */
let server: Server;
let url: string;
/** What the server sends at once, before it drips: set by each test. */
let opening: Uint8Array = new Uint8Array(0);
/** Instead of the drip: a server that thinks, sends a header, thinks again, then all its audio. */
let slowStart: { thinkMs: number; pauseMs: number } | null = null;
beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'audio/wav' });
    if (slowStart) {
      const { bytes } = fixtureAudio('wav');
      const { thinkMs, pauseMs } = slowStart;
      // Headers at once, as servers that stream do: the thinking is then a wait for the body.
      response.flushHeaders();
      setTimeout(() => response.write(bytes.subarray(0, 44)), thinkMs);
      setTimeout(() => response.end(bytes.subarray(44)), thinkMs + pauseMs);
      return;
    }
    response.write(opening);
    const drip = setInterval(() => response.write(new Uint8Array(4)), 50);
    response.on('close', () => clearInterval(drip));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Speaks a sentence; `bufferedMs` is what a player reports holding with each chunk (none: a file writer). */
async function speak(overrides: Partial<Settings> = {}, bufferedMs?: number): Promise<{ events: EngineEvent[]; elapsedMs: number }> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [url], format: 'wav', idleTimeoutSec: 1, maxRetries: 1, ...overrides };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  const events: EngineEvent[] = [];
  const started = performance.now();
  let bytes = 0;
  const utterance: Utterance = new Utterance('Hello from Utter.', { provider, settings, flowControl: bufferedMs !== undefined, retryPolicy: { baseDelayMs: 20, maxDelayMs: 20 } }, (event) => {
    events.push(event);
    if (event.type !== 'chunk' || bufferedMs === undefined) return;
    bytes += event.bytes.length;
    // 24 kHz 16-bit mono: 48 bytes a millisecond.
    utterance.credit({ consumedBytes: bytes, bufferedMs, decodedMs: bytes / 48 });
  });
  await utterance.done.catch(() => {});
  await provider.close();
  return { events, elapsedMs: performance.now() - started };
}

describe('a server that drips its body', () => {
  it.each([
    ['before its audio can be told (80 bytes a second of nothing)', () => new Uint8Array(0)],
    ['after a valid start (a wav header and 0.1 s of audio, then 80 bytes a second)', () => fixtureAudio('wav').bytes.subarray(0, 44 + 4800)],
  ])('is given up %s, retried once, then said', async (_, start) => {
    opening = start();
    const { events, elapsedMs } = await speak();
    const retries = events.flatMap((e) => (e.type === 'retry' ? [e.error.message] : []));
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error.message] : []));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1 sent only \d+ bytes in 1 s: too slow to play\.$/);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/too slow to play/);
    // Two windows of a second each, and the retry's wait: not the drip's whole length.
    expect(elapsedMs).toBeLessThan(5000);
  }, 20_000);

  it('is given up before the player runs dry, not after the idle timeout, when a player is holding audio', async () => {
    opening = fixtureAudio('wav').bytes.subarray(0, 44 + 48_000);
    const { events, elapsedMs } = await speak({ idleTimeoutSec: 10, maxRetries: 0 }, 1500);
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error.message] : []));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1 sent only \d+ bytes in 1300 ms while the player had 1500 ms of audio left\.$/);
    expect(elapsedMs).toBeLessThan(5000);
  }, 20_000);

  it('is no drip: a server that thinks before its first byte, sends a header, then thinks again within the idle timeout', async () => {
    slowStart = { thinkMs: 700, pauseMs: 600 };
    const { events } = await speak();
    slowStart = null;
    expect(events.filter((e) => e.type === 'retry' || e.type === 'error')).toEqual([]);
    expect(events.at(-1)?.type).toBe('end');
  }, 20_000);
});
