import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, readWav } from '../support/audio-files';
import { medianPitch } from '../support/pitch';
import { pulseAvailable, type PulseAudio, type RecordedAudio } from '../support/pulse';
import { startRecordingRig } from '../support/recording-rig';
import { alignAndCompare, findOnset, resample } from '../support/recording';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, waitForText, type WebRig } from '../support/utter-web';

/**
 * The playback rate as heard: Chromium's output recorded from a PulseAudio null sink while
 * `utter web` plays real speech (espeak-ng, tests/fixtures/make.sh) from the test TTS server,
 * time-stretched by Sonic in the decoder worker.
 */
const available = pulseAvailable();
if (!available) console.log('rate-recording.test.ts: skipped: pulseaudio/parec are not installed (apt-get install pulseaudio pulseaudio-utils)');

let pulse: PulseAudio;
let rig: WebRig;
let page: Page;

beforeAll(async () => {
  if (available) ({ pulse, rig, page } = await startRecordingRig());
}, 90_000);
afterAll(async () => {
  await rig?.close();
  await pulse?.stop();
});

/** Clicks Faster or Slower until the player shows `rate` (the session sets it, the page shows it). */
async function setRate(rate: string): Promise<void> {
  for (let i = 0; i < 12 && (await page.getByTestId('rate').textContent()) !== rate; i++) {
    const shown = parseFloat((await page.getByTestId('rate').textContent()) ?? '1');
    await page.getByTestId(shown < parseFloat(rate) ? 'rate-faster' : 'rate-slower').click();
    await new Promise((r) => setTimeout(r, 50));
  }
  await waitForText(page, 'rate', rate);
}

/** Speaks the fixture while recording and returns the recording, played out. */
async function record(during?: () => Promise<void>): Promise<RecordedAudio> {
  const recording = pulse.record();
  await recording.ready;
  await speakInPage(page, 'Hello from Utter.', 'pcm');
  await waitForText(page, 'state', 'playing');
  await during?.();
  await waitForText(page, 'state', 'idle', 60_000);
  await new Promise((r) => setTimeout(r, 300)); // the output latency's worth still on its way
  console.log(`take at ${await page.getByTestId('rate').textContent()}: underruns ${await page.getByTestId('underruns').textContent()}`);
  return recording.stop();
}

/** From the first sound to the last, in ms. */
function soundingMs(audio: RecordedAudio): number {
  const first = findOnset(audio.samples, audio.sampleRate, { threshold: -45 });
  let last = audio.samples.length - 1;
  while (last > first && Math.abs(audio.samples[last]) < 1e-3) last--;
  return ((last - first) / audio.sampleRate) * 1000;
}

describe.skipIf(!available)('the playback rate, as heard', () => {
  it('at 2× the speech lasts half as long (±3%) and keeps its pitch (F0 within 5%)', { timeout: 150_000, retry: 2 }, async () => {
    await setRate('1×');
    const normal = await record();
    await setRate('2×');
    const fast = await record();
    await setRate('1×');
    const ratio = soundingMs(fast) / soundingMs(normal);
    const f0 = [medianPitch(normal.samples, normal.sampleRate), medianPitch(fast.samples, fast.sampleRate)];
    console.log(`rate 2×: ${soundingMs(normal).toFixed(0)} ms at 1×, ${soundingMs(fast).toFixed(0)} ms at 2× (ratio ${ratio.toFixed(4)}); F0 ${f0[0].toFixed(1)} Hz at 1×, ${f0[1].toFixed(1)} Hz at 2×`);
    expect(Math.abs(ratio - 0.5)).toBeLessThan(0.5 * 0.03);
    expect(Math.abs(f0[1] / f0[0] - 1)).toBeLessThan(0.05);
    expect(await page.getByTestId('underruns').textContent()).toBe('0');
  });

  /**
   * Where 1× playback begins (or ends) near `clickedAt` in a recording of the long fixture:
   * 1× is the decoded audio itself, sample for sample, while another rate matches no stretch of
   * the reference. 100 ms blocks near the click are found in the reference; from the first
   * that holds for 300 ms, 5 ms steps walk toward the change while it still holds. (Found near
   * the change, not from the end: the capture may slip later on.)
   */
  function oneXEdge(audio: RecordedAudio, clickedAt: number, sourceRateBefore: number, side: 'after' | 'before'): { index: number; sourceMs: number } {
    const ref = readWav(fixture('long-24k.wav'));
    const ref48 = resample(ref.channels[0], ref.sampleRate, audio.sampleRate);
    const rate = audio.sampleRate;
    const clickIndex = Math.round(((clickedAt - audio.startedAtMs) / 1000) * rate);
    const onset = findOnset(audio.samples, rate, { threshold: -45 });
    const regionStart = Math.max(0, Math.round((clickIndex - onset) * sourceRateBefore) - rate * 2);
    const region = ref48.subarray(regionStart, regionStart + rate * 5);
    const block = rate / 10;
    const likeness = (i: number, shift: number, length: number): number | null => {
      let [dot, a, b] = [0, 0, 0];
      for (let k = 0; k < length; k++) {
        const x = audio.samples[i + k];
        const y = ref48[i + k - shift] ?? 0;
        dot += x * y;
        a += x * x;
        b += y * y;
      }
      return a < 1e-5 || b < 1e-5 ? null : dot / Math.sqrt(a * b);
    };
    let found: { at: number; shift: number } | null = null;
    const [from, to, by] = side === 'after' ? [clickIndex - rate / 4, clickIndex + rate, rate / 50] : [clickIndex - rate / 10 - block * 4, clickIndex - rate, -rate / 50];
    for (let i = from; side === 'after' ? i < to : i > to; i += by) {
      const { lag, correlation } = alignAndCompare(region, audio.samples.subarray(i, i + block), rate, rate);
      if (correlation < 0.97) continue;
      const shift = i - (regionStart + lag);
      const next = [1, 2, 3].map((k) => likeness(i + k * block, shift, block));
      if (next.every((v) => v === null || v > 0.95)) {
        found = { at: side === 'after' ? i : i + 4 * block, shift };
        break;
      }
    }
    if (!found) throw new Error(`no 1× audio found ${side} the click`);
    // 5 ms steps; each judged on 20 ms, which a stretch (that keeps whole pitch periods of the
    // original, and blends where it drops or repeats one) does not pass.
    const step = (rate / 200) * (side === 'after' ? -1 : 1);
    const judged = rate / 50;
    // The edge is the last sound that still matches: in a pause either rate would do.
    let edge = found.at;
    let heard = edge;
    for (;;) {
      const probe = side === 'after' ? edge + step : edge + step - judged;
      const v = likeness(probe, found.shift, judged);
      if (probe < 0 || probe + judged > audio.samples.length || (v !== null && v < 0.95)) break;
      edge += step;
      if (v !== null) heard = edge;
    }
    return { index: heard, sourceMs: ((heard - found.shift) / rate) * 1000 };
  }

  /**
   * Plays the long fixture, clicking `button` after 2 s; returns the recording and the click's
   * time. The click is the page's own (Playwright's adds tens of ms), timed in the page.
   */
  async function changeMidSentence(button: 'rate' | 'rate-faster'): Promise<{ audio: RecordedAudio; clickedAt: number; latencyMs: number; underruns: string | null; requests: number }> {
    const requestsBefore = rig.tts.requests.length;
    let clickedAt = 0;
    const audio = await record(async () => {
      await new Promise((r) => setTimeout(r, 2000));
      clickedAt = (await page.evaluate(`(() => { const at = performance.timeOrigin + performance.now(); document.querySelector('[data-testid=${button}]').click(); return at; })()`)) as number;
    });
    const latencyMs = parseFloat((await page.getByTestId('metric-outputLatencyMs').textContent()) ?? '0');
    return { audio, clickedAt, latencyMs, underruns: await page.getByTestId('underruns').textContent(), requests: rig.tts.requests.length - requestsBefore };
  }

  it('2× → 1× mid-sentence cuts the full ring just ahead: heard within 100 ms of the click, with no underrun and no new request', { timeout: 150_000, retry: 2 }, async () => {
    rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    try {
      await setRate('2×');
      // One press: the rate itself goes back to 1×.
      const { audio, clickedAt, latencyMs, underruns, requests } = await changeMidSentence('rate');
      expect(requests).toBe(1);
      const edge = oneXEdge(audio, clickedAt, 2, 'after');
      const delayMs = audio.startedAtMs + (edge.index / audio.sampleRate) * 1000 - clickedAt;
      console.log(`rate change 2× → 1×: heard ${delayMs.toFixed(1)} ms after the click (output latency ${latencyMs.toFixed(1)} ms); 1× from the reference's ${edge.sourceMs.toFixed(0)} ms`);
      expect(edge.sourceMs).toBeGreaterThan(2000);
      expect(delayMs).toBeGreaterThan(0);
      // The cut is RATE_CUT_MS ahead of the play position, then a 10 ms fade and the refill;
      // the rest is the click's way to the worker and the way to the ears.
      expect(delayMs).toBeLessThan(100);
      expect(underruns).toBe('0');
    } finally {
      rig.tts.set({ audio: undefined });
      await setRate('1×');
    }
  });

  it('1× → 1.25× mid-sentence cuts the full ring just ahead: heard at once, with no underrun and no new request', { timeout: 150_000, retry: 2 }, async () => {
    rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    try {
      await setRate('1×');
      const { audio, clickedAt, latencyMs, underruns, requests } = await changeMidSentence('rate-faster');
      expect(requests).toBe(1);
      expect(await page.getByTestId('rate').textContent()).toBe('1.25×');
      const edge = oneXEdge(audio, clickedAt, 1, 'before');
      const delayMs = audio.startedAtMs + (edge.index / audio.sampleRate) * 1000 - clickedAt;
      console.log(`rate change 1× → 1.25×: 1× heard until ${delayMs.toFixed(1)} ms after the click (output latency ${latencyMs.toFixed(1)} ms), at the reference's ${edge.sourceMs.toFixed(0)} ms`);
      // (Up to a pause's length early when the cut falls in one.)
      expect(delayMs).toBeGreaterThan(-300);
      // The cut is RATE_CUT_MS ahead of the play position, then a 10 ms fade: the rest is the click's way and the ears'.
      expect(delayMs).toBeLessThan(100);
      expect(underruns).toBe('0');
    } finally {
      rig.tts.set({ audio: undefined });
      await setRate('1×');
    }
  });
});
