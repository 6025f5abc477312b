import type { Page } from 'playwright-core';
import { startPulse, type PulseAudio } from './pulse';
import { speakInPage, startWebRig, waitForText, type WebRig } from './utter-web';

/**
 * A private PulseAudio null sink, `utter web` playing into it and a player page, warmed up:
 * the first AudioContext through PulseAudio may stall for up to 2 s (spec W4), so one
 * utterance is played and stopped before any is measured.
 */
export async function startRecordingRig(): Promise<{ pulse: PulseAudio; rig: WebRig; page: Page }> {
  const pulse = await startPulse();
  const rig = await startWebRig({ env: pulse.env });
  const page = await rig.open();
  await speakInPage(page, 'Warm up.', 'pcm');
  await waitForText(page, 'state', 'playing', 20_000);
  // Long enough to outlast the stall: stopped at once, the first takes still had holes here.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await page.getByTestId('stop').click();
  await waitForText(page, 'state', 'idle');
  return { pulse, rig, page };
}
