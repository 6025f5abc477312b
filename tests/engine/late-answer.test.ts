import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { LATE_ANSWER_MS } from '../../electron/engine/hedge';
import { LinkEstimates, linkKey } from '../../electron/engine/link-estimate';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { Utterance } from '../../electron/engine/utterance';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { fixture, readWav, snrDb } from '../support/audio-files';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * Spec E1, a server that takes the request and never answers, with nothing learned about it
 * (no p95 first byte to hedge by): real HTTP servers on 127.0.0.1 sending real MP3. The
 * OpenAI SDK waits 30 s for headers and the engine retries three times, so before, the
 * listener heard nothing for about 120 s, and the next server was asked only then.
 */
const dir = mkdtempSync(join(tmpdir(), 'utter-late-'));
let hung: TtsServer;
let good: TtsServer;
let count = 0;

beforeEach(async () => {
  hung = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
  good = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
});
afterEach(async () => {
  // Nothing is left waiting on the hung server: every request to it was called off.
  await expect.poll(() => hung.openRequests(), { timeout: 5000 }).toBe(0);
  await hung.close();
  await good.close();
});

/** Far below the ~120 s the old code took; generous for a busy 2-core machine. */
const BOUND_MS = 15_000;
const TWO_SENTENCES = 'The first sentence is here. And the second one follows it.';

function settingsFor(baseUrls: string[]): Settings {
  return { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls, format: 'mp3' };
}

/** Each segment's audio in the file is the sentence's reference decode. */
function expectSentences(out: string, segments: number): void {
  const audio = readWav(new Uint8Array(readFileSync(out))).channels[0];
  const ref = readWav(fixture('sentence.mp3.ref.wav')).channels[0];
  expect(audio.length).toBe(ref.length * segments);
  for (let i = 0; i < segments; i++) expect(snrDb(audio.subarray(i * ref.length, (i + 1) * ref.length), ref).snr).toBeGreaterThanOrEqual(100);
}

describe('a server that never answers', () => {
  it('with a second server: the second is asked after the fixed wait, plays, and reads the rest', { timeout: 40_000 }, async () => {
    hung.setDefault({ hangHeaders: true });
    const settings = settingsFor([hung.url, good.url]);
    const events: { at: number; event: EngineEvent }[] = [];
    const out = join(dir, `out-${count++}.wav`);
    const links = new LinkEstimates();
    const started = performance.now();
    const report = await speakToFile(TWO_SENTENCES, {
      settings,
      provider: new OpenAiProvider({ ...settings, voice: 'alloy' }),
      out,
      links,
      onEvent: (event) => events.push({ at: performance.now() - started, event }),
    });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(BOUND_MS);

    const notices = events.filter((e) => e.event.type === 'notice');
    expect(notices.map((e) => e.event)).toEqual([{ type: 'notice', segmentIndex: 0, message: `${hung.url} has not answered in 5 s; asking ${good.url} too.` }]);
    expect(notices[0].at).toBeGreaterThanOrEqual(LATE_ANSWER_MS - 50);
    const failovers = events.flatMap((e) => (e.event.type === 'failover' ? [e.event] : []));
    expect(failovers).toEqual([{ type: 'failover', segmentIndex: 0, from: hung.url, to: good.url, error: { kind: 'network', message: `${hung.url} did not answer in 5 s.`, endpoint: hung.url } }]);
    expect(events.filter((e) => e.event.type === 'retry')).toEqual([]);

    // Both sentences from the second server; the hung one was asked once and let go.
    expect(events.flatMap((e) => (e.event.type === 'segment-start' ? [e.event.endpoint] : []))).toEqual([good.url, good.url]);
    expect(hung.speechRequests()).toHaveLength(1);
    await expect.poll(() => hung.speechRequests()[0].outcome, { timeout: 5000 }).toBe('client-aborted');
    expect(good.speechRequests()).toHaveLength(2);
    expect(report).toMatchObject({ segments: 2, failovers: 1, retries: 0 });
    expectSentences(out, 2);
    // The listener waited 5 s for the first byte; the second server took its own few ms, and
    // that is what is learned of it, not the wait for the first.
    expect(report.ttfbMs).toBeGreaterThanOrEqual(LATE_ANSWER_MS - 50);
    expect(links.summary(linkKey(good.url, 'mp3'))!.ttfbMs).toBeLessThan(LATE_ANSWER_MS / 2);
    expect(links.summary(linkKey(hung.url, 'mp3'))).toBeUndefined();
  });

  it('one server: said once after the fixed wait, still waited for, and a stop ends the wait at once', async () => {
    hung.setDefault({ hangHeaders: true });
    const settings = settingsFor([hung.url]);
    const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
    const events: EngineEvent[] = [];
    let noticed: () => void = () => {};
    const notice = new Promise<void>((resolve) => (noticed = resolve));
    const started = performance.now();
    const utterance = new Utterance(TWO_SENTENCES, { provider, settings }, (event) => {
      events.push(event);
      if (event.type === 'notice') noticed();
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const quiet = new Promise<'quiet'>((resolve) => (timer = setTimeout(() => resolve('quiet'), BOUND_MS)));
    expect(await Promise.race([notice.then(() => 'said' as const), quiet])).toBe('said');
    clearTimeout(timer);
    expect(performance.now() - started).toBeGreaterThanOrEqual(LATE_ANSWER_MS - 50);
    expect(events.filter((e) => e.type !== 'utterance-start')).toEqual([{ type: 'notice', segmentIndex: 0, message: `${hung.url} has not answered in 5 s; still waiting.` }]);
    // Still waiting: the one request is open, not given up or retried.
    expect(hung.speechRequests()).toHaveLength(1);
    expect(hung.openRequests()).toBe(1);

    const stoppedAt = performance.now();
    utterance.stop();
    await utterance.done;
    // At once, not when the SDK's 30 s headers timeout comes.
    expect(performance.now() - stoppedAt).toBeLessThan(5000);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'cancelled' } });
    expect(events.filter((e) => e.type === 'notice')).toHaveLength(1);
    await expect.poll(() => hung.speechRequests()[0].outcome, { timeout: 5000 }).toBe('client-aborted');
  });

  it('that answers at once but sends no audio for 8 s: said once after the fixed wait, and its audio plays when it comes', { timeout: 40_000 }, async () => {
    hung.set({ headersFirst: true });
    hung.setDefault({ stallAfterBytes: 0, stallMs: 8000 });
    const settings = settingsFor([hung.url]);
    const events: { at: number; event: EngineEvent }[] = [];
    const out = join(dir, `out-${count++}.wav`);
    const started = performance.now();
    const report = await speakToFile('The first sentence is here.', {
      settings,
      provider: new OpenAiProvider({ ...settings, voice: 'alloy' }),
      out,
      onEvent: (event) => events.push({ at: performance.now() - started, event }),
    });
    const notices = events.filter((e) => e.event.type === 'notice');
    expect(notices.map((e) => e.event)).toEqual([{ type: 'notice', segmentIndex: 0, message: `${hung.url} answered but has sent no audio in 5 s; still waiting.` }]);
    expect(notices[0].at).toBeGreaterThanOrEqual(LATE_ANSWER_MS - 50);
    expect(report).toMatchObject({ segments: 1, retries: 0 });
    expectSentences(out, 1);
  });

  it('that stops answering mid-text: the sentence asked ahead of it goes to the second server after the fixed wait', { timeout: 40_000 }, async () => {
    // The first request is answered; every one after it hangs.
    hung.enqueue({});
    hung.setDefault({ hangHeaders: true });
    const settings = settingsFor([hung.url, good.url]);
    const events: EngineEvent[] = [];
    const out = join(dir, `out-${count++}.wav`);
    const started = performance.now();
    const report = await speakToFile(TWO_SENTENCES, {
      settings,
      provider: new OpenAiProvider({ ...settings, voice: 'alloy' }),
      out,
      onEvent: (event) => events.push(event),
    });
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(events.flatMap((e) => (e.type === 'segment-start' ? [e.endpoint] : []))).toEqual([hung.url, good.url]);
    expect(events.filter((e) => e.type === 'notice')).toEqual([{ type: 'notice', segmentIndex: 1, message: `${hung.url} has not answered in 5 s; asking ${good.url} too.` }]);
    expect(events.filter((e) => e.type === 'failover')).toHaveLength(1);
    expect(hung.speechRequests()).toHaveLength(2);
    expect(good.speechRequests()).toHaveLength(1);
    expect(report).toMatchObject({ segments: 2, failovers: 1, retries: 0 });
    expectSentences(out, 2);
  });
});
