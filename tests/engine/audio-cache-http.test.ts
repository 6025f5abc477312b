// The local audio cache in front of a real HTTP TTS server (spec X4): what is kept, what is
// not, and that a kept segment plays with no request, offline, exactly as it first did.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { AudioCache } from '../../electron/engine/cache/audio-cache';
import { withCache } from '../../electron/engine/cache/caching-provider';
import { segmentText, segmentsFrom } from '../../electron/engine/segment';
import { prepareText } from '../../electron/engine/text';
import { LinkEstimates } from '../../electron/engine/link-estimate';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

const dir = mkdtempSync(join(tmpdir(), 'utter-cache-http-'));
let server: TtsServer;
let count = 0;

beforeAll(async () => {
  server = await startTtsServer();
});
afterAll(async () => {
  await server.close();
});

function newCache(): { cache: AudioCache; folder: string } {
  const folder = join(dir, `cache-${count++}`);
  return { cache: new AudioCache(folder, () => 50_000_000), folder };
}

/** Speaks `text` to a WAV file through the cache; the file's bytes, the events and the speech requests it cost. */
async function speak(cache: AudioCache, format: AudioFormat, options: { text?: string; url?: string; settings?: Partial<Settings>; links?: LinkEstimates } = {}) {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [options.url ?? server.url], format, voice: 'alloy', idleTimeoutSec: 2, maxRetries: 1, ...options.settings };
  const provider = withCache(new OpenAiProvider(settings), cache, settings);
  const before = server.speechRequests().length;
  const events: EngineEvent[] = [];
  const out = join(dir, `out-${count++}.wav`);
  const report = await speakToFile(options.text ?? 'Hello from the cache.', { settings, provider, out, links: options.links, retryPolicy: { baseDelayMs: 10, maxDelayMs: 20 }, onEvent: (e) => events.push(e) });
  return { report, wav: readFileSync(out), events, requests: server.speechRequests().length - before };
}

/** Waits for the cache to hold `entries` (it keeps a segment once it decoded to its end, after the engine moved on). */
async function settled(cache: AudioCache, entries: number): Promise<void> {
  await expect.poll(async () => (await cache.usage()).entries, { timeout: 5000 }).toBe(entries);
}

describe.each(['pcm', 'wav', 'mp3', 'opus', 'flac'] as const)('%s', (format) => {
  it('is fetched once, then replayed from the cache with no request, sample for sample', async () => {
    const { cache } = newCache();
    const first = await speak(cache, format);
    expect(first.requests).toBe(1);
    await settled(cache, 1);
    const again = await speak(cache, format);
    expect(again.requests).toBe(0);
    expect(again.wav.equals(first.wav)).toBe(true);
    expect(again.events.find((e) => e.type === 'segment-start')).toMatchObject({ cached: true });
    expect(first.events.find((e) => e.type === 'segment-start')).not.toHaveProperty('cached');
  });
});

describe('the cache', () => {
  it('keys on the voice, the format and the text, not on spacing', async () => {
    const { cache } = newCache();
    await speak(cache, 'mp3');
    await settled(cache, 1);
    expect((await speak(cache, 'mp3', { text: '  Hello \t from  the cache. ' })).requests).toBe(0);
    expect((await speak(cache, 'mp3', { settings: { voice: 'nova' } })).requests).toBe(1);
    expect((await speak(cache, 'opus')).requests).toBe(1);
    expect((await speak(cache, 'mp3', { text: 'Something else.' })).requests).toBe(1);
  });

  it('plays what it kept with the server gone, and without an error', async () => {
    const { cache } = newCache();
    const gone = await startTtsServer();
    const first = await speak(cache, 'opus', { url: gone.url });
    await settled(cache, 1);
    await gone.close();
    const offline = await speak(cache, 'opus', { url: gone.url });
    expect(offline.events.filter((e) => e.type === 'error' || e.type === 'retry')).toEqual([]);
    expect(offline.wav.equals(first.wav)).toBe(true);
  });

  it('teaches the link nothing: a replay is not a fast network', async () => {
    const { cache } = newCache();
    await speak(cache, 'pcm');
    await settled(cache, 1);
    const links = new LinkEstimates(undefined, () => {});
    await speak(cache, 'pcm', { links });
    expect(links.summary(`${server.url}|pcm`)).toBeUndefined();
  });

  it('drops a damaged entry, fetches the segment again and keeps the good one', async () => {
    const { cache, folder } = newCache();
    const first = await speak(cache, 'flac');
    await settled(cache, 1);
    const [entry] = readdirSync(folder);
    const data = readFileSync(join(folder, entry));
    data[data.length - 100] ^= 0x55;
    writeFileSync(join(folder, entry), data);
    // A later run, which reads the disk (this one still holds the good copy in memory).
    const later = new AudioCache(folder, () => 50_000_000);
    const refetched = await speak(later, 'flac');
    expect(refetched.requests).toBe(1);
    expect(refetched.wav.equals(first.wav)).toBe(true);
    await settled(later, 1);
    expect((await speak(new AudioCache(folder, () => 50_000_000), 'flac')).requests).toBe(0);
  });

  it('keeps no segment that was cut short or reset, however it ended', async () => {
    const { cache } = newCache();
    server.setDefault({ resetAfterBytes: 3000 });
    try {
      await expect(speak(cache, 'mp3', { settings: { maxRetries: 0 } })).rejects.toThrow(/broke mid-audio/);
    } finally {
      server.setDefault(undefined);
    }
    // A body that ends cleanly before the length its header declares.
    server.enqueue({ stallAfterBytes: 5000, stallMs: 10, afterStall: 'end' }, { stallAfterBytes: 5000, stallMs: 10, afterStall: 'end' });
    await expect(speak(cache, 'wav', { settings: { maxRetries: 0 } })).rejects.toThrow(/ended the audio early/);
    await new Promise((r) => setTimeout(r, 300));
    expect(await cache.usage()).toEqual({ bytes: 0, entries: 0 });
  });

  it('keeps no segment its decoder had to skip damage in', async () => {
    const { cache } = newCache();
    const good = fixtureAudio('mp3');
    const damaged = good.bytes.slice();
    // Garbage over a stretch of frames in the middle: played with the damage skipped (spec E2), never kept.
    for (let i = 4000; i < 4600; i++) damaged[i] = (i * 37) & 0xff;
    server.set({ audio: { mp3: { ...good, bytes: damaged } } });
    try {
      const played = await speak(cache, 'mp3');
      expect(played.report.skippedFrames).toBeGreaterThan(0);
    } finally {
      server.set({ audio: undefined });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await cache.usage()).entries).toBe(0);
  });

  it('leaves the embedded voice alone', () => {
    const { cache } = newCache();
    const local = new LocalVoiceProvider({});
    expect(withCache(local, cache, DEFAULT_SETTINGS)).toBe(local);
  });
});

describe('reading from a sentence', () => {
  const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is here to be read aloud by the voice.`).join(' ');
  const all = [...segmentText(prepareText(text), { maxChars: 400 })];

  it('asks for the same segments as reading from the start, after the one it starts in', () => {
    expect(all.length).toBeGreaterThan(4);
    const boundary = all[3].start;
    const fromBoundary = [...segmentsFrom(segmentText(prepareText(text), { maxChars: 400 }), boundary, 400)];
    expect(fromBoundary.map((s) => s.text)).toEqual(all.slice(3).map((s) => s.text));
    expect(fromBoundary.map((s) => s.index)).toEqual(all.slice(3).map((_, i) => i));

    // The second sentence of a segment that holds several.
    const segment = 3;
    const inside = text.indexOf('Sentence', all[segment].start + 1);
    expect(inside).toBeLessThan(all[segment].end);
    const fromInside = [...segmentsFrom(segmentText(prepareText(text), { maxChars: 400 }), inside, 400)];
    // The sentence chosen alone, then the rest of its segment, then the segments as before.
    expect(fromInside[0].text).toMatch(/^Sentence number \d+ is here to be read aloud by the voice\.$/);
    expect(fromInside[0].start).toBe(inside);
    expect(fromInside[1].start).toBe(inside + fromInside[0].text.length + 1);
    expect(fromInside[1].end).toBe(all[segment].end);
    expect(fromInside.slice(2).map((s) => s.text)).toEqual(all.slice(segment + 1).map((s) => s.text));
    expect(fromInside.map((s) => s.index)).toEqual(fromInside.map((_, i) => i));
  });

  it('past the last sentence, asks for nothing', () => {
    expect([...segmentsFrom(segmentText(prepareText(text), { maxChars: 400 }), text.length, 400)]).toEqual([]);
  });
});
