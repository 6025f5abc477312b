import { afterAll, beforeAll, expect, it } from 'vitest';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { runawayLimitMs, Utterance } from '../../electron/engine/utterance';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { UtteranceDecoder } from '../../shared/playback/utterance-decoder';
import type { EngineEvent } from '../../shared/speech-events';
import { fixtureAudio, startTtsServer, toneAudio, type TtsServer } from '../support/tts-server';

/**
 * A body that never ends (a live stream behind the URL, a server that loops) is cut where
 * no sentence of its length lasts, said in a notice, and the next sentence plays: it does
 * not hold the queue for ever. A real HTTP server sends 60 s of audio for a short sentence;
 * the consumer is the app's decoder, reporting what it decoded as a player does.
 */
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer({ audio: (format, input) => (input.startsWith('Endless') ? toneAudio(60) : fixtureAudio(format, 'sentence')) });
});
afterAll(() => server.close());

it('cuts an endless body where no sentence lasts, says so, and plays the next sentence', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: 'pcm', streamMaxBuffer: 2 };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
  const events: EngineEvent[] = [];
  const framesBySegment: number[] = [];
  let work = Promise.resolve();
  const utterance: Utterance = new Utterance('Endless sentence. Then the next one.', { provider, settings }, (event) => {
    events.push(event);
    // The segment the event belongs to, as it comes (the decoding runs behind).
    const segment = events.filter((e) => e.type === 'segment-start').length - 1;
    work = work.then(async () => {
      const blocks = await decoder.accept(event);
      framesBySegment[segment] = (framesBySegment[segment] ?? 0) + blocks.reduce((n, b) => n + b[0].length, 0);
      if (event.type === 'chunk') utterance.credit({ consumedBytes: decoder.consumedBytes, bufferedMs: 0, decodedMs: (decoder.metrics.decodedFrames / 24000) * 1000 });
    });
  });
  await utterance.done;
  await work;
  await provider.close();
  const limitMs = runawayLimitMs('Endless sentence.', 1);
  expect(events.filter((e) => e.type === 'error')).toEqual([]);
  const notices = events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
  expect(notices).toEqual([expect.stringMatching(new RegExp(`kept sending audio for a sentence of 17 characters: it was cut after ${Math.round(limitMs / 1000)} s`))]);
  // Played up to the limit (and what was in flight), not the 60 s sent.
  const firstMs = (framesBySegment[0] / 24000) * 1000;
  expect(firstMs).toBeGreaterThanOrEqual(limitMs);
  expect(firstMs).toBeLessThan(limitMs + 2000);
  // The next sentence, whole.
  expect(framesBySegment[1]).toBe(Math.round(fixtureAudio('pcm', 'sentence').seconds * 24000));
});
