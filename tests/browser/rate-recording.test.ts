import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, readWav } from '../support/audio-files';
import { medianPitch } from '../support/pitch';
import { pulseAvailable, startPulse, type PulseAudio, type RecordedAudio } from '../support/pulse';
import { alignAndCompare, findOnset, resample } from '../support/recording';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, startWebRig, waitForText, type WebRig } from '../support/utter-web';

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
  if (!available) return;
  pulse = await startPulse();
  rig = await startWebRig({ env: pulse.env });
  page = await rig.open();
  // Warm up: the first AudioContext through PulseAudio may stall for up to 2 s (spec W4).
  await speakInPage(page, 'Warm up.', 'pcm');
  await waitForText(page, 'state', 'playing', 20_000);
  await page.getByTestId('stop').click();
  await waitForText(page, 'state', 'idle');
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
  it('at 2× the speech lasts half as long (±3%) and keeps its pitch (F0 within 5%)', { timeout: 120_000, retry: 1 }, async () => {
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

  it('a change mid-sentence is heard within the ring\'s lead, with no underrun and no new request', { timeout: 120_000, retry: 1 }, async () => {
    rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    try {
      await setRate('2×');
      const requestsBefore = rig.tts.requests.length;
      let clickedAt = 0;
      const audio = await record(async () => {
        await new Promise((r) => setTimeout(r, 2000));
        clickedAt = performance.timeOrigin + performance.now();
        // One press: the rate itself goes back to 1×.
        await page.getByTestId('rate').click();
      });
      const latencyMs = parseFloat((await page.getByTestId('metric-outputLatencyMs').textContent()) ?? '0');
      const underruns = await page.getByTestId('underruns').textContent();
      expect(rig.tts.requests.length - requestsBefore).toBe(1);
      // From the change on, 1× is the decoded audio itself, sample for sample; before it, 2×
      // matches no stretch of the reference. Blocks of 100 ms after the click are found in
      // the reference; at the first that holds, walk back 5 ms at a time while it still does.
      // (Located near the switch, not from the end: the capture may slip later on.)
      const ref = readWav(fixture('long-24k.wav'));
      const ref48 = resample(ref.channels[0], ref.sampleRate, audio.sampleRate);
      const rate = audio.sampleRate;
      const clickIndex = Math.round(((clickedAt - audio.startedAtMs) / 1000) * rate);
      const onset = findOnset(audio.samples, rate, { threshold: -45 });
      const regionStart = Math.max(0, (clickIndex - onset) * 2 - rate * 2);
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
      for (let i = clickIndex - rate / 4; i < clickIndex + rate && !found; i += rate / 50) {
        const { lag, correlation } = alignAndCompare(region, audio.samples.subarray(i, i + block), rate, rate);
        if (correlation < 0.97) continue;
        const shift = i - (regionStart + lag);
        // It holds for the next 300 ms too.
        const next = [1, 2, 3].map((k) => likeness(i + k * block, shift, block));
        if (next.every((v) => v === null || v > 0.95)) found = { at: i, shift };
      }
      expect(found).not.toBeNull();
      let first = found!.at;
      const step = rate / 200;
      for (;;) {
        const v = likeness(first - step, found!.shift, step);
        if (first - step < 0 || (v !== null && v < 0.9)) break;
        first -= step;
      }
      const shift = found!.shift;
      const heardAt = audio.startedAtMs + (first / audio.sampleRate) * 1000;
      const delayMs = heardAt - clickedAt;
      console.log(`rate change 2× → 1×: heard ${delayMs.toFixed(1)} ms after the click (output latency ${latencyMs.toFixed(1)} ms); 1× from the reference's ${(((first - shift) / audio.sampleRate) * 1000).toFixed(0)} ms`);
      expect(first - shift).toBeGreaterThan(audio.sampleRate * 2);
      expect(delayMs).toBeGreaterThan(0);
      // The ring's lead (RATE_LEAD_MS), what Sonic holds and the way to the worker, plus the way to the ears.
      expect(delayMs).toBeLessThan(100 + latencyMs);
      expect(underruns).toBe('0');
    } finally {
      rig.tts.set({ audio: undefined });
      await setRate('1×');
    }
  });
});
