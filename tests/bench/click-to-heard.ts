import type { Page } from 'playwright-core';
import type { PulseAudio } from '../support/pulse';
import { findOnset } from '../support/recording';
import { waitForText } from '../support/utter-web';

/**
 * Speaks `text` by an in-page click on Speak (a Playwright click adds tens of ms) while
 * PulseAudio records, for 400 ms of playing: when the first sound was heard, in ms after
 * the click, and the epoch ms of the click. Leaves the page playing.
 */
export async function clickSpeakToFirstSound(page: Page, pulse: PulseAudio, text: string): Promise<{ heardMs: number; clickedAt: number }> {
  await page.getByTestId('text-input').fill(text);
  const recording = pulse.record();
  await recording.ready;
  const clickedAt = (await page.evaluate(`(() => { const at = performance.timeOrigin + performance.now(); document.querySelector('[data-testid=speak]').click(); return at; })()`)) as number;
  await waitForText(page, 'state', 'playing', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const audio = await recording.stop();
  const onset = findOnset(audio.samples, audio.sampleRate);
  if (onset < 0) throw new Error('the recording holds no sound');
  return { heardMs: audio.startedAtMs + (onset / audio.sampleRate) * 1000 - clickedAt, clickedAt };
}
