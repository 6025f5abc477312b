import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_RESTS_AFTER_MS } from '../../shared/playback/output-rest';
import { findOnset } from '../support/recording';
import { pulseAvailable, startPulse, type PulseAudio } from '../support/pulse';
import { speakInPage, startWebRig, waitForText, type WebRig } from '../support/utter-web';
import { toneAudio } from '../support/tts-server';

/**
 * The page's audio output, as PulseAudio sees it: awake from the page's start and after
 * each utterance (waking it made the next utterance heard later), then let go after a while
 * of quiet (an awake output costs a tray app CPU all day), and woken again by the next play.
 */
const available = pulseAvailable();
if (!available) console.log('output-rest.test.ts: skipped: pulseaudio/parec are not installed (apt-get install pulseaudio pulseaudio-utils)');

let pulse: PulseAudio;
let rig: WebRig;
let page: Page;
beforeAll(async () => {
  if (!available) return;
  pulse = await startPulse();
  rig = await startWebRig({ env: pulse.env, tts: { audio: { pcm: toneAudio(1, 'pcm') } } });
  page = await rig.open();
}, 60_000);
afterAll(async () => {
  await rig?.close();
  await pulse?.stop();
});

/** Whether Chromium's stream into the sink is corked (paused by its owner): null when it has none. */
async function corked(): Promise<boolean | null> {
  const { stdout } = await promisify(execFile)('pactl', ['list', 'sink-inputs'], { env: { ...process.env, ...pulse.env } });
  const match = /Corked: (yes|no)/.exec(stdout);
  return match ? match[1] === 'yes' : null;
}

describe.skipIf(!available)('the audio output', () => {
  it('stays awake after the page opens, rests after a quiet while, and wakes for the next utterance', async () => {
    // The page warmed its audio path as it opened.
    await expect.poll(corked, { timeout: 10_000 }).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, OUTPUT_RESTS_AFTER_MS + 2000));
    expect(await corked()).toBe(true);

    const recording = pulse.record();
    await recording.ready;
    await speakInPage(page, 'A tone after a rest.', 'pcm');
    await waitForText(page, 'state', 'idle', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const audio = await recording.stop();
    expect(findOnset(audio.samples, audio.sampleRate)).toBeGreaterThanOrEqual(0);
    // Awake again, and it stays so after the utterance.
    expect(await corked()).toBe(false);
  }, OUTPUT_RESTS_AFTER_MS + 60_000);
});
