// The local audio cache in `npm run bench` (issue 14 §4): a text replayed from the cache,
// from an in-page click on Speak to the first sound in a PulseAudio recording, against
// texts fetched from the test server in the same run. `utter web` runs in its own process,
// as a user runs it: in the bench's process its loop would share the recorder's and
// Playwright's, which a replay (no network wait to hide them) feels.
import { existsSync, readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { ENTRY_SUFFIX } from '../../electron/engine/cache/audio-cache';
import { pulseAvailable, startPulse, type PulseAudio } from '../support/pulse';
import { fixtureAudio } from '../support/tts-server';
import { startWebProcessRig, waitForText, type WebProcessRig } from '../support/utter-web';
import { clickSpeakToFirstSound } from './click-to-heard';
import { median } from './report';

const RUNS = 5;
const TTFB_MS = 300;
const TEXT = 'A sentence heard before, read again.';
const TARGET_MS = 60;

export async function benchCacheReplay(): Promise<string> {
  if (!pulseAvailable()) return 'Replay from the local cache: skipped (no PulseAudio to record what is heard).';
  const pulse: PulseAudio = await startPulse();
  const rig = await startWebProcessRig({
    env: pulse.env,
    tts: { ttfbMs: TTFB_MS, realtimeFactor: 4, audio: { mp3: fixtureAudio('mp3', 'sentence') } },
    settings: { format: 'mp3' },
  });
  try {
    const page = await rig.open();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // A new text each time, so none is in the cache (the test server answers every one with
    // the same audio); the first, not counted, is the process's very first.
    const fetched: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const heard = await clickToHeard(page, pulse, `Fetched afresh, take ${i}.`, false);
      if (i > 0) fetched.push(heard);
    }
    // Heard to the end once: now it is kept.
    await clickToHeard(page, pulse, TEXT, true);
    await waitForCached(rig);
    const cached: number[] = [];
    const requestsBefore = rig.tts.speechRequests().length;
    for (let i = 0; i < RUNS; i++) cached.push(await clickToHeard(page, pulse, TEXT, false));
    const requests = rig.tts.speechRequests().length - requestsBefore;
    const replay = median(cached);
    const fetch = median(fetched);
    return [
      `Replay from the local cache through utter web (mp3, one sentence), in-page click on Speak to the first sound recorded, median of ${RUNS}:`,
      `  from the cache: ${Math.round(replay)} ms (target ≤ ${TARGET_MS}: ${replay <= TARGET_MS ? 'met' : 'NOT met'}); requests made: ${requests}`,
      `  fetched from the test server (${TTFB_MS} ms to first byte), same run: ${Math.round(fetch)} ms; the replay is heard ${(fetch / replay).toFixed(1)}× sooner`,
    ].join('\n');
  } finally {
    await rig.close();
    await pulse.stop();
  }
}

/** Waits for the cache's first entry file (`utter web` writes it once the text was heard whole). */
async function waitForCached(rig: WebProcessRig): Promise<void> {
  const deadline = Date.now() + 5000;
  const entries = (): number => (existsSync(rig.cacheDir) ? readdirSync(rig.cacheDir).filter((name) => name.endsWith(ENTRY_SUFFIX)).length : 0);
  while (entries() === 0) {
    if (Date.now() > deadline) throw new Error('the text heard to its end was not kept in the cache');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One reading, as heard: stopped soon after the first sound, unless played to the end. */
async function clickToHeard(page: Page, pulse: PulseAudio, text: string, toTheEnd: boolean): Promise<number> {
  const { heardMs } = await clickSpeakToFirstSound(page, pulse, text);
  if (toTheEnd) await waitForText(page, 'state', 'idle', 15_000);
  else {
    await page.getByTestId('stop').dispatchEvent('click');
    await waitForText(page, 'state', 'idle', 5000);
  }
  return heardMs;
}
