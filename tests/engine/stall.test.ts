import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { Utterance } from '../../electron/engine/utterance';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { UtteranceDecoder } from '../../shared/playback/utterance-decoder';
import type { EngineEvent } from '../../shared/speech-events';
import { join } from '../decoders/helpers';
import { fixture, readWav, snrDb } from '../support/audio-files';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * Spec E1: a body that stops while a player is running down its buffer is asked again
 * before the silence is heard, not after the 10 s idle timeout; once per segment, and
 * spliced like any restart. A real HTTP server stalls mid-body; the consumer is the app's
 * decoder, reporting what a player would hold.
 */
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer();
});
afterAll(() => server.close());
afterEach(() => server.set({ realtimeFactor: Infinity, ttfbMs: 0 }));

const REFERENCE = { pcm: 'speech-24k.wav', mp3: 'speech.mp3.ref.wav' } as const;

/** Speaks one sentence; the consumer reports `bufferedMs` held with every chunk (0: a file writer). */
async function speak(format: keyof typeof REFERENCE, bufferedMs: number, maxBuffer = 2): Promise<{ events: EngineEvent[]; audio: Float32Array; elapsedMs: number }> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: format as AudioFormat, idleTimeoutSec: 10, streamMaxBuffer: maxBuffer };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
  const events: EngineEvent[] = [];
  const blocks: Float32Array[][] = [];
  let work = Promise.resolve();
  const started = performance.now();
  const utterance: Utterance = new Utterance('Hello from Utter.', { provider, settings, retryPolicy: { baseDelayMs: 500 } }, (event) => {
    events.push(event);
    work = work.then(async () => {
      blocks.push(...(await decoder.accept(event)));
      const rate = decoder.format?.sampleRate ?? 1;
      if (event.type === 'chunk') utterance.credit({ consumedBytes: decoder.consumedBytes, bufferedMs, decodedMs: (decoder.metrics.decodedFrames / rate) * 1000 });
    });
  });
  await utterance.done;
  await work;
  await provider.close();
  return { events, audio: join(blocks)[0], elapsedMs: performance.now() - started };
}

function retries(events: EngineEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'retry' ? [e.error.message] : []));
}

/** The one early retry's figures: how long nothing came, and what the player would hold (its report and the bytes on their way to it). */
function stallOf(events: EngineEvent[]): { afterMs: number; heldMs: number } {
  const found = retries(events).map((m) => /sent nothing for (\d+) ms while the player had (\d+) ms of audio left/.exec(m));
  expect(found).toHaveLength(1);
  expect(found[0]).not.toBeNull();
  return { afterMs: Number(found[0]![1]), heldMs: Number(found[0]![2]) };
}

describe.each(['pcm', 'mp3'] as const)('%s: a stall mid-body', (format) => {
  it('with a player holding 600 ms: asked again after 1 s (not 10), at once, and the audio is whole', async () => {
    server.enqueue({ stallAfterBytes: 30_000, stallMs: 8000 });
    const { events, audio, elapsedMs } = await speak(format, 600);
    const { afterMs, heldMs } = stallOf(events);
    expect(heldMs).toBeGreaterThanOrEqual(600);
    // Never sooner than 1 s; later only for what the player holds, less 200 ms.
    expect(afterMs).toBe(Math.max(1000, heldMs - 200));
    // No backoff after a stall: the retry's own request is all that is added.
    expect(elapsedMs).toBeLessThan(3000);
    const ref = readWav(fixture(REFERENCE[format])).channels[0];
    expect(audio.length).toBe(ref.length);
    expect(snrDb(audio, ref).snr).toBeGreaterThan(format === 'pcm' ? 1000 : 90);
  });

  it('with a player holding 3 s: waits until 200 ms before it would run dry', async () => {
    server.enqueue({ stallAfterBytes: 30_000, stallMs: 8000 });
    const { events } = await speak(format, 3000, 6);
    const { afterMs, heldMs } = stallOf(events);
    expect(heldMs).toBeGreaterThanOrEqual(3000);
    expect(afterMs).toBe(heldMs - 200);
  });

  it('for a file being written (no player holding audio): the idle timeout alone, and a stall shorter than it is waited out', async () => {
    server.enqueue({ stallAfterBytes: 30_000, stallMs: 2500 });
    const { events, elapsedMs } = await speak(format, 0);
    expect(retries(events)).toEqual([]);
    expect(elapsedMs).toBeGreaterThan(2500);
  });

  it('once per segment: a server that pauses again after the retry is waited for', async () => {
    server.enqueue({ stallAfterBytes: 30_000, stallMs: 8000 }, { stallAfterBytes: 30_000, stallMs: 2000 });
    const { events, audio } = await speak(format, 600);
    expect(retries(events)).toHaveLength(1);
    expect(audio.length).toBe(readWav(fixture(REFERENCE[format])).channels[0].length);
  });
});
