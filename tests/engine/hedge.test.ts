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
 * Spec E1, hedged first byte: two real HTTP servers in the failover list; the first one
 * turns slow to answer, and the same request goes to the second once the first is later
 * than its own p95.
 */
const dir = mkdtempSync(join(tmpdir(), 'utter-hedge-'));
let first: TtsServer;
let second: TtsServer;
const links = new LinkEstimates();

beforeAll(async () => {
  first = await startTtsServer({ ttfbMs: 40, audio: (format) => fixtureAudio(format, 'sentence') });
  second = await startTtsServer({ ttfbMs: 40, audio: (format) => fixtureAudio(format, 'sentence') });
});
afterAll(async () => {
  await first.close();
  await second.close();
});

async function speak(overrides: Partial<Settings> = {}): Promise<{ events: EngineEvent[]; ttfbMs: number }> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [first.url, second.url], format: 'mp3', ...overrides };
  const events: EngineEvent[] = [];
  const report = await speakToFile('One sentence.', { settings, provider: new OpenAiProvider({ ...settings, voice: 'alloy' }), out: join(dir, 'out.wav'), links, onEvent: (e) => events.push(e) });
  return { events, ttfbMs: report.ttfbMs };
}

const endpointOf = (events: EngineEvent[]): string | undefined => events.find((e) => e.type === 'segment-start')?.endpoint;

describe('a first byte later than usual', () => {
  it('learns the first server\'s usual first byte, asking only it', async () => {
    for (let i = 0; i < 6; i++) expect(endpointOf((await speak()).events)).toBe(first.url);
    expect(second.speechRequests()).toHaveLength(0);
    const p95 = links.summary(linkKey(first.url, 'mp3'))!.ttfbP95Ms;
    expect(p95).toBeGreaterThanOrEqual(40);
    expect(p95).toBeLessThan(200);
  });

  it('asks the next server too once the first is later than its p95, plays the first to answer, and cancels the other', async () => {
    first.set({ ttfbMs: 3000 });
    const p95 = links.summary(linkKey(first.url, 'mp3'))!.ttfbP95Ms;
    const { events, ttfbMs } = await speak();
    expect(endpointOf(events)).toBe(second.url);
    // The p95, then the second server's own 40 ms: far from the first's 3 s.
    expect(ttfbMs).toBeLessThan(p95 + 40 + 300);
    expect(second.speechRequests()).toHaveLength(1);
    // The first server's request was cancelled, not left to run.
    await expect.poll(() => first.openRequests(), { timeout: 2000 }).toBe(0);
    expect(events.filter((e) => e.type === 'retry' || e.type === 'failover')).toEqual([]);
  });

  it('with the setting off, waits for the first server alone', async () => {
    first.set({ ttfbMs: 600 });
    const before = second.speechRequests().length;
    const { events, ttfbMs } = await speak({ hedgeRequests: false });
    expect(endpointOf(events)).toBe(first.url);
    expect(ttfbMs).toBeGreaterThanOrEqual(600);
    expect(second.speechRequests()).toHaveLength(before);
  });
});
