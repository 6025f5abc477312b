import { afterAll, beforeAll, expect, it } from 'vitest';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { runawayLimitMs, Utterance } from '../../electron/engine/utterance';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { UtteranceDecoder } from '../../shared/playback/utterance-decoder';
import type { EngineEvent } from '../../shared/speech-events';
import { fixtureAudio, startTtsServer, toneAudio, type ServedAudio, type TtsServer } from '../support/tts-server';
import { concatBytes } from '../../shared/decoders/audio';

/**
 * A body that never ends (a live stream behind the URL, a server that loops) is cut where
 * no sentence of its length lasts, said in a notice, and the next sentence plays: it does
 * not hold the queue for ever. A real HTTP server sends 60 s of audio for a short sentence;
 * the consumer is the app's decoder, reporting what it decoded as a player does.
 */
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer({
    audio: (format, input) => (input.startsWith('Endless') ? toneAudio(60) : input.startsWith('Tagged') ? withCoverArt(fixtureAudio('mp3', 'sentence')) : fixtureAudio(format, 'sentence')),
  });
});
afterAll(() => server.close());

/** LAME's mp3 behind an ID3v2.3 tag holding 400 KB of cover art, as a music tagger writes it. */
function withCoverArt(clip: ServedAudio): ServedAudio {
  const picture = concatBytes(new TextEncoder().encode('\0image/jpeg\0\x03\0'), new Uint8Array(400_000));
  const frame = new Uint8Array(10 + picture.length);
  frame.set(new TextEncoder().encode('APIC'));
  new DataView(frame.buffer).setUint32(4, picture.length);
  frame.set(picture, 10);
  const n = frame.length;
  const header = Uint8Array.of(0x49, 0x44, 0x33, 3, 0, 0, (n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127);
  return { ...clip, bytes: concatBytes(header, frame, clip.bytes) };
}

/** Speaks `text` through the engine to the app's decoder, which reports what it decoded as a player does. */
async function speak(text: string, format: Settings['format']): Promise<{ events: EngineEvent[]; framesBySegment: number[] }> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format, streamMaxBuffer: 2 };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
  const events: EngineEvent[] = [];
  const framesBySegment: number[] = [];
  let work = Promise.resolve();
  const utterance: Utterance = new Utterance(text, { provider, settings }, (event) => {
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
  return { events, framesBySegment };
}

it('cuts an endless body where no sentence lasts, says so, and plays the next sentence', async () => {
  const { events, framesBySegment } = await speak('Endless sentence. Then the next one.', 'pcm');
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

it('plays a sentence behind a tag of cover art whole: the tag\'s bytes are no audio', async () => {
  // 400 KB at mp3's 8 bytes a millisecond would be 50 s, past the 28 s no sentence of 16 characters lasts.
  const { events, framesBySegment } = await speak('Tagged sentence.', 'mp3');
  expect(events.filter((e) => e.type === 'error' || e.type === 'notice')).toEqual([]);
  expect(framesBySegment[0]).toBe(Math.round(fixtureAudio('pcm', 'sentence').seconds * 24000));
});
