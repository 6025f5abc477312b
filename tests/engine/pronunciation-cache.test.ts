// The audio cache keys a segment by the text the voice was asked for, after the dictionary: a
// changed rule is a new request, never the old rule's audio replayed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { AudioCache } from '../../electron/engine/cache/audio-cache';
import { withCache } from '../../electron/engine/cache/caching-provider';
import { compilePronunciations } from '../../electron/engine/pronunciation';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { startTtsServer, type TtsServer } from '../support/tts-server';

const dir = mkdtempSync(join(tmpdir(), 'utter-pron-cache-'));
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer();
});
afterAll(() => server.close());

it('asks anew when a rule changes what is said, and replays from the cache when it does not', async () => {
  const cache = new AudioCache(join(dir, 'cache'), () => 50_000_000);
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: 'wav', voice: 'alloy', idleTimeoutSec: 2 };
  const speak = async (replacement: string) => {
    const before = server.speechRequests().length;
    const pronunciations = compilePronunciations([{ kind: 'word', match: 'GUI', replacement }]);
    await speakToFile('The GUI.', { settings, provider: withCache(new OpenAiProvider(settings), cache, settings), out: join(dir, 'out.wav'), pronunciations });
    await expect.poll(async () => (await cache.usage()).entries, { timeout: 5000 }).toBeGreaterThan(0);
    return server.speechRequests().slice(before).map((r) => r.body.input);
  };
  expect(await speak('gooey')).toEqual(['The gooey.']);
  expect(await speak('gooey')).toEqual([]);
  expect(await speak('graphical user interface')).toEqual(['The graphical user interface.']);
});
