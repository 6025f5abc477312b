import type { Page } from 'playwright-core';
import { startPulse, type PulseAudio } from './pulse';
import { speakInPage, startWebRig, waitForText, type WebRig } from './utter-web';

/** Keeps each page's AudioContexts where a test can read Chromium's own counts (chromiumUnderrunMs). */
const KEEP_CONTEXTS = `(() => {
  const Real = window.AudioContext;
  window.__contexts = [];
  window.AudioContext = class extends Real { constructor(...args) { super(...args); window.__contexts.push(this); } };
})();`;

/**
 * Chromium's own count of audio its output played silence for, in ms, summed over the page's
 * contexts (AudioContext.playbackStats): the renderer late for a callback. PulseAudio's stalls
 * are not in it (0 for every frozen take), but on the output clock (the page's "held up").
 * NaN where the browser does not count.
 */
export async function chromiumUnderrunMs(page: Page): Promise<number> {
  // A string, run in the page: this file is type-checked for Node, without the DOM's types.
  // NaN when the page has no context that counts (so a 0 is never a count not taken).
  const contexts = '(window.__contexts || []).filter((c) => c.playbackStats)';
  return page.evaluate<number>(`${contexts}.reduce((sum, c) => sum + c.playbackStats.underrunDuration * 1000, ${contexts}.length ? 0 : NaN)`);
}

/**
 * A private PulseAudio null sink, `utter web` playing into it and a player page, warmed up:
 * the first AudioContext through PulseAudio may stall for up to 2 s (spec W4), so one
 * utterance is played and stopped before any is measured.
 */
export async function startRecordingRig(): Promise<{ pulse: PulseAudio; rig: WebRig; page: Page }> {
  const pulse = await startPulse();
  const rig = await startWebRig({ env: pulse.env, initScript: KEEP_CONTEXTS });
  const page = await rig.open();
  await speakInPage(page, 'Warm up.', 'pcm');
  await waitForText(page, 'state', 'playing', 20_000);
  // Long enough to outlast the stall: stopped at once, the first takes still had holes here.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await page.getByTestId('stop').click();
  await waitForText(page, 'state', 'idle');
  return { pulse, rig, page };
}
