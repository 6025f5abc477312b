import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AudioCache, MEGABYTE } from '../../electron/engine/cache/audio-cache';
import { SaveJobs } from '../../electron/save/save-jobs';
import { Session } from '../../electron/session/session';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * Saving goes through the session's speech, cache included: a text saved (or heard) once is
 * saved again from the local cache with no request, and only what is missing is fetched.
 */
const dir = mkdtempSync(join(tmpdir(), 'utter-save-cache-'));
let server: TtsServer;
let saves: SaveJobs;
let cache: AudioCache;
const TEXT = 'The first sentence is cached. So is the second one.';

beforeAll(async () => {
  server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: 'mp3', voice: 'alloy' };
  cache = new AudioCache(join(dir, 'cache'), () => 100 * MEGABYTE);
  const session = new Session({ settings: () => settings, cache });
  saves = new SaveJobs({ settings: () => settings, provider: (given) => session.speechProvider(given) });
});
afterAll(() => server.close());

const saveTo = (text: string, name: string) => saves.save(text, 'wav', async (_name, format) => ({ path: join(dir, name), format, overwrite: false }));

describe('saving with the local cache', () => {
  it('saves a cached text again with no request, to the same audio', async () => {
    expect(await saveTo(TEXT, 'first.wav')).toMatchObject({ state: 'saved' });
    const fetched = server.speechRequests().length;
    expect(fetched).toBeGreaterThan(1);
    // The cache keeps a segment once it decoded to its end: wait for the last one.
    await vi.waitFor(async () => expect((await cache.usage()).entries).toBe(fetched));
    const requestsBefore = server.speechRequests().length;
    expect(await saveTo(TEXT, 'again.wav')).toMatchObject({ state: 'saved' });
    expect(server.speechRequests().length).toBe(requestsBefore);
    expect(readFileSync(join(dir, 'again.wav'))).toEqual(readFileSync(join(dir, 'first.wav')));
  });

  it('fetches only what the cache is missing', async () => {
    const before = server.speechRequests().length;
    expect(await saveTo(`${TEXT} A third sentence is new.`, 'more.wav')).toMatchObject({ state: 'saved' });
    const asked = server.speechRequests().slice(before).map((request) => request.body.input);
    // The first segment is the one cached; the rest is segmented anew with the new sentence, and fetched.
    expect(asked).toEqual(['So is the second one. A third sentence is new.']);
  });
});
