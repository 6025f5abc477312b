import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { LinkEstimates, linkKey } from '../../electron/engine/link-estimate';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * Spec E1: a hedged request answered by the next server, whose body then breaks. Three real
 * HTTP servers on 127.0.0.1: the first turns silent past its learned p95, the second answers
 * and cuts its audio, the third is sound. The failure is the second's: its retries, its
 * failover and their messages say so, not the first's, which sent nothing.
 */
const dir = mkdtempSync(join(tmpdir(), 'utter-hedge-failure-'));
const sentence = (format: Parameters<typeof fixtureAudio>[0]) => fixtureAudio(format, 'sentence');
let slow: TtsServer;
let breaking: TtsServer;
let sound: TtsServer;

beforeAll(async () => {
  slow = await startTtsServer({ ttfbMs: 40, audio: sentence });
  breaking = await startTtsServer({ ttfbMs: 40, audio: sentence });
  sound = await startTtsServer({ ttfbMs: 40, audio: sentence });
});
afterAll(async () => {
  await Promise.all([slow, breaking, sound].map((server) => server.close()));
});

async function speak(settings: Settings, links: LinkEstimates): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  await speakToFile('One sentence.', { settings, provider: new OpenAiProvider({ ...settings, voice: 'alloy' }), out: join(dir, 'out.wav'), links, onEvent: (e) => events.push(e) });
  return events;
}

describe('a hedged answer that breaks mid-audio', () => {
  it('is the answering server\'s failure: failed over from it, by name', { timeout: 30_000 }, async () => {
    const links = new LinkEstimates();
    const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [slow.url, breaking.url, sound.url], format: 'mp3', maxRetries: 0 };
    // The first server's usual first byte is learned, so a silence past it is hedged at once.
    for (let i = 0; i < 6; i++) await speak(settings, links);
    expect(links.summary(linkKey(slow.url, 'mp3'))!.ttfbP95Ms).toBeLessThan(1000);
    slow.setDefault({ hangHeaders: true });
    breaking.setDefault({ resetAfterBytes: 3000 });

    const events = await speak(settings, links);
    const failovers = events.flatMap((e) => (e.type === 'failover' ? [e] : []));
    expect(failovers).toEqual([
      { type: 'failover', segmentIndex: 0, from: breaking.url, to: sound.url, error: expect.objectContaining({ endpoint: breaking.url, message: expect.stringContaining(`${breaking.url} broke mid-audio`) }) },
    ]);
    expect(events.flatMap((e) => (e.type === 'segment-start' ? [e.endpoint] : []))).toEqual([breaking.url, sound.url]);
    expect(breaking.speechRequests().filter((r) => r.outcome === 'reset')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('end');
  });
});
