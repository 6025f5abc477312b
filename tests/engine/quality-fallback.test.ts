import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { LinkEstimates } from '../../electron/engine/link-estimate';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { QualityFallback } from '../../electron/engine/quality-fallback';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { readWav } from '../support/audio-files';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';
import { readFileSync } from 'node:fs';

describe('the fallback decision (spec P3)', () => {
  it('switches under 1.3× real time, tries the asked format again every 4 segments, and returns once the link carries it', () => {
    const fallback = new QualityFallback('pcm', true);
    expect(fallback.next(0)).toEqual({ format: 'pcm' });
    expect(fallback.next(2)).toEqual({ format: 'pcm' });
    expect(fallback.next(1.1)).toEqual({ format: 'opus', notice: 'Slow link (1.1× real time for pcm): switched to opus.' });
    for (let i = 0; i < 3; i++) expect(fallback.next(1.1)).toEqual({ format: 'opus' });
    expect(fallback.next(1.1)).toEqual({ format: 'pcm' }); // tried again after 4 in opus
    expect(fallback.next(1.0)).toEqual({ format: 'opus' }); // still slow: back to opus, quietly
    for (let i = 0; i < 3; i++) expect(fallback.next(1.0)).toEqual({ format: 'opus' });
    expect(fallback.next(1.0)).toEqual({ format: 'pcm' });
    expect(fallback.next(3.2)).toEqual({ format: 'pcm', notice: 'The link is fast enough again (3.2× real time): back to pcm.' });
    expect(fallback.next(3.2)).toEqual({ format: 'pcm' });
  });

  it('takes mp3 where the server refuses opus, and the asked format where it refuses both', () => {
    const fallback = new QualityFallback('wav', true);
    expect(fallback.next(0.5).format).toBe('opus');
    expect(fallback.refuse('opus')).toBe(true);
    expect(fallback.next(0.5)).toEqual({ format: 'mp3', notice: 'Slow link (0.5× real time for wav): switched to mp3.' });
    expect(fallback.refuse('mp3')).toBe(true);
    expect(fallback.next(0.5)).toEqual({ format: 'wav' });
    expect(fallback.refuse('wav')).toBe(false);
  });

  it('leaves compressed formats, and a setting that is off, alone', () => {
    expect(new QualityFallback('mp3', true).next(0.5)).toEqual({ format: 'mp3' });
    expect(new QualityFallback('pcm', false).next(0.5)).toEqual({ format: 'pcm' });
  });
});

describe('a link too slow for pcm, through a real HTTP server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utter-fallback-'));
  let server: TtsServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
    proxy = await startFaultProxy(server.port);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('asks for opus once the link has shown it, says so, tries pcm again, and every sentence is written', async () => {
    // 40,000 bytes a second: pcm at 24 kHz needs 48,000 (0.8× real time); opus a tenth of it.
    proxy.set({ bytesPerSecond: 40_000 });
    // Long enough for nine requests (segments join sentences up to 4,096 characters); each answer is the same short sentence.
    const sentences = Array.from({ length: 300 }, (_, i) => `Sentence number ${i + 1} is here, and it goes on for a while so that the text is long enough.`);
    const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [proxy.url], format: 'pcm' };
    const events: EngineEvent[] = [];
    const out = join(dir, 'slow.wav');
    const report = await speakToFile(sentences.join(' '), {
      settings,
      provider: new OpenAiProvider({ ...settings, voice: 'alloy' }),
      out,
      links: new LinkEstimates(),
      onEvent: (event) => events.push(event),
    });
    const formats = events.flatMap((e) => (e.type === 'segment-start' ? [e.format] : []));
    // The first two are asked before the first has shown the link's pace (the second is opened ahead).
    expect(formats.slice(0, 2)).toEqual(['pcm', 'pcm']);
    expect(formats.slice(2, 6)).toEqual(['opus', 'opus', 'opus', 'opus']);
    // Tried again, still too slow: opus again, quietly.
    expect(formats[6]).toBe('pcm');
    expect(formats.slice(7)).toEqual(Array(formats.length - 7).fill('opus'));
    expect(formats.length).toBeGreaterThanOrEqual(8);
    const notices = events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
    expect(notices).toEqual([expect.stringMatching(/^Slow link \(0\.\d× real time for pcm\): switched to opus\.$/)]);
    expect(report.segments).toBe(formats.length);
    // Every sentence, in one file at the first segment's rate.
    const audio = readWav(new Uint8Array(readFileSync(out)));
    const perSentence = fixtureAudio('pcm', 'sentence').seconds;
    expect(audio.sampleRate).toBe(24000);
    expect(audio.channels[0].length / 24000).toBeGreaterThan(perSentence * formats.length * 0.95);
    expect(server.speechRequests().slice(-formats.length).map((r) => r.body.response_format)).toEqual(formats);
  }, 60_000);
});
