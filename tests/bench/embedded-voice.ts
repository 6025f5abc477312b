// The embedded voice in `npm run bench` (issue 12 §1): from an in-page click on Speak to the
// first sound in a PulseAudio recording, for the first utterance after `utter web` starts
// again (as after the app restarts, with what it learned of the voice kept), the very first
// one (nothing learned yet), and later ones. Each start is a fresh `utter web` process, as
// a user runs it: a start inside the bench's process would find the code the first one ran
// already compiled, and share its loop with the recorder's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pulseAvailable, startPulse, type PulseAudio } from '../support/pulse';
import { startWebProcessRig, waitForText, type WebProcessRig } from '../support/utter-web';
import { clickSpeakToFirstSound } from './click-to-heard';
import { median } from './report';

const RUNS = 5;
/** Restarts measured: one take each, and a single take is the machine's as much as the code's. */
const RESTARTS = 3;
const TEXT = 'Hello from the embedded voice.';

export async function benchEmbeddedVoice(): Promise<string> {
  if (!pulseAvailable()) return 'Embedded voice, click to heard: skipped (no PulseAudio to record what is heard).';
  const pulse: PulseAudio = await startPulse();
  // One home for both starts: the second finds what the first learned of the voice (web-network.json).
  const home = mkdtempSync(join(tmpdir(), 'utter-bench-voice-'));
  const start = (): Promise<WebProcessRig> => startWebProcessRig({ env: pulse.env, settings: { provider: 'local' }, home });
  try {
    const { first: firstEver, later } = await session(await start(), pulse, RUNS);
    // Started again: the pre-roll comes from what the voice showed before, as after an app restart.
    const restarts: Heard[] = [];
    for (let i = 0; i < RESTARTS; i++) restarts.push((await session(await start(), pulse, 0)).first);
    const first = { heardMs: median(restarts.map((r) => r.heardMs)), pageMs: median(restarts.map((r) => r.pageMs)) };
    const warm = median(later.map((r) => r.heardMs));
    const verdict = (value: number, target: number): string => `${Math.round(value)} ms (target ≤ ${target}: ${value <= target ? 'met' : 'NOT met'})`;
    return [
      `Embedded voice (eSpeak NG) through utter web, in-page click on Speak to the first sound recorded:`,
      `  first utterance after utter web starts again (median of ${RESTARTS} restarts: ${restarts.map((r) => Math.round(r.heardMs)).join(', ')} ms): ${verdict(first.heardMs, 100)}; the page's own figure ${Math.round(first.pageMs)} ms`,
      `  the very first one, nothing learned of the voice yet (the pre-roll is the setting's): ${Math.round(firstEver.heardMs)} ms; the page's own figure ${Math.round(firstEver.pageMs)} ms`,
      `  later ones (median of ${RUNS}): ${verdict(warm, 80)}; the page's own figure ${Math.round(median(later.map((r) => r.pageMs)))} ms`,
    ].join('\n');
  } finally {
    await pulse.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** A page opened on a fresh `utter web`, its first utterance a moment later, then `runs` more; closes the rig. */
async function session(rig: WebProcessRig, pulse: PulseAudio, runs: number): Promise<{ first: Heard; later: Heard[] }> {
  try {
    const page = await rig.open();
    // A moment after the page opens, as a hotkey comes a moment after the app starts.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const first = await clickToHeard(page, pulse);
    const later: Heard[] = [];
    for (let i = 0; i < runs; i++) later.push(await clickToHeard(page, pulse));
    return { first, later };
  } finally {
    await rig.close();
  }
}

interface Heard {
  heardMs: number;
  pageMs: number;
}

/** One utterance: click in the page, record, find the first sound; the page's heard time beside it. */
async function clickToHeard(page: Page, pulse: PulseAudio): Promise<Heard> {
  const { heardMs, clickedAt } = await clickSpeakToFirstSound(page, pulse, TEXT);
  const heardAtPage = Number(await page.getByTestId('ttfa').getAttribute('data-heard-at'));
  await page.getByTestId('stop').dispatchEvent('click');
  await waitForText(page, 'state', 'idle', 5000);
  return { heardMs, pageMs: heardAtPage - clickedAt };
}
