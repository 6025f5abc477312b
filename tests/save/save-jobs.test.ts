import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechProvider } from '../../electron/engine/provider';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { SaveJobs } from '../../electron/save/save-jobs';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { SaveStatus } from '../../shared/save';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

/** The shells' save runner: the session's settings and provider, one save at a time, progress for the pages. */
const dir = mkdtempSync(join(tmpdir(), 'utter-save-jobs-'));
let server: TtsServer;
let settings: Settings;
const asked: Settings[] = [];
const provider = (given: Settings): SpeechProvider => {
  asked.push(given);
  return new OpenAiProvider({ ...given, voice: 'alloy' });
};

beforeAll(async () => {
  server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
  settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: 'opus' };
});
afterAll(() => server.close());

describe('SaveJobs', () => {
  it('speaks with the session\'s settings and provider, and tells the pages how it goes', async () => {
    const jobs = new SaveJobs({ settings: () => settings, provider });
    const seen: SaveStatus[] = [];
    jobs.subscribe((status) => seen.push(status));
    const out = join(dir, 'a.wav');
    const outcome = await jobs.save('One sentence. And another.', 'wav', async (name, format) => {
      expect({ name, format }).toEqual({ name: 'One-sentence-And-another.wav', format: 'wav' });
      return { path: out, format, overwrite: false };
    });
    expect(outcome).toMatchObject({ state: 'saved', name: 'a.wav', path: out, format: 'wav' });
    expect(asked.at(-1)!.format).toBe('opus');
    expect(server.speechRequests().at(-1)!.body.response_format).toBe('opus');
    expect(seen[0]).toMatchObject({ state: 'saving', progress: { phase: 'speaking', done: 0 } });
    expect(seen.at(-1)).toEqual(outcome);
    expect(jobs.view()).toEqual(outcome);
  });

  it('asks for MP3 where the session asks for AAC, which only a browser decodes', async () => {
    const jobs = new SaveJobs({ settings: () => ({ ...settings, format: 'aac' }), provider });
    const outcome = await jobs.save('Hello.', 'mp3', async (_name, format) => ({ path: join(dir, 'b.mp3'), format, overwrite: false }));
    expect(outcome.state).toBe('saved');
    expect(asked.at(-1)!.format).toBe('mp3');
  });

  it('writes nothing when no place is chosen, or the chooser fails, and nothing for empty text', async () => {
    const jobs = new SaveJobs({ settings: () => settings, provider });
    const before = readdirSync(dir).length;
    expect(await jobs.save('Hello.', 'mp3', async () => null)).toEqual({ state: 'not-saved', reason: 'No file was chosen, so nothing was saved.' });
    expect(await jobs.save('Hello.', 'mp3', async () => Promise.reject(new Error('Utter cannot write .aiff files')))).toEqual({ state: 'not-saved', reason: 'Utter cannot write .aiff files' });
    expect(await jobs.save('  ', 'mp3', async () => null)).toMatchObject({ state: 'not-saved', reason: 'There is nothing to save.' });
    expect(readdirSync(dir).length).toBe(before);
    // Nothing ran: the pages heard of none of it.
    expect(jobs.view()).toEqual({ state: 'idle' });
  });

  it('says why a save failed, in words', async () => {
    const jobs = new SaveJobs({ settings: () => settings, provider });
    server.enqueue({ status: 401, message: 'Incorrect API key provided' });
    const outcome = await jobs.save('Hello.', 'mp3', async (_name, format) => ({ path: join(dir, 'c.mp3'), format, overwrite: false }));
    expect(outcome).toMatchObject({ state: 'failed', name: 'c.mp3', message: expect.stringMatching(/^The audio could not be saved: .*Incorrect API key/) });
  });
});
