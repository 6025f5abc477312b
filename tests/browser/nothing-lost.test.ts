import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { pulseAvailable, startPulse, type PulseAudio, type RecordedAudio } from '../support/pulse';
import { PRELOAD_STANDIN } from '../support/preload-standin';
import { SECONDS_PER_SENTENCE, toneAudio, tonesHeard, toneText, type ToneRun } from '../support/sentence-tones';
import { startTtsServer, type TtsServer } from '../support/tts-server';
import { speakInPage, spawnUtterWeb, startWebRig, waitForText, type WebRig } from '../support/utter-web';

/**
 * Nothing is lost: a page that crashes, and an app killed outright, both go on reading
 * from the sentence that was being heard. Each sentence is a tone of its own pitch
 * (support/sentence-tones.ts), so the recording of what the speakers played says which
 * sentence was heard when.
 */
const available = pulseAvailable();
if (!available) console.log('nothing-lost.test.ts: skipped: pulseaudio/parec are not installed (apt-get install pulseaudio pulseaudio-utils)');

const TEXT = toneText();
const SENTENCE_MS = SECONDS_PER_SENTENCE * 1000;

let pulse: PulseAudio;
beforeAll(async () => {
  if (available) pulse = await startPulse();
}, 30_000);
afterAll(async () => pulse?.stop());

/**
 * A hole shorter than this inside one tone is the same sentence going on, not a restart: a
 * loaded CI machine recorded Alpha as 180 ms, 240 ms of silence, then the other 2,340 ms.
 * Holes are the recording tests' subject; here it is which sentences are heard, and whole.
 * What comes after the loss is joined apart (split): a page opened again can play within
 * 480 ms of the crash (CI of 9080a54), so a hole's length alone cannot tell a restart.
 */
const HOLE_MS = 500;

/** Runs of one tone with a short hole between them as one run, as long as the audio heard. */
function joinHoles(runs: ToneRun[]): ToneRun[] {
  const joined: ToneRun[] = [];
  let lastEnd = -Infinity;
  for (const run of runs) {
    const last = joined.at(-1);
    const hole = run.startMs - lastEnd;
    lastEnd = run.startMs + run.lengthMs;
    if (last?.tone !== run.tone || hole >= HOLE_MS) {
      joined.push({ ...run });
      continue;
    }
    console.log(`a hole of ${hole} ms in ${run.tone}, ${run.startMs - hole} ms into the recording`);
    // What was heard, not the span: a lost piece still shows as a sentence too short.
    last.lengthMs += run.lengthMs;
  }
  return joined;
}

/** The tones before and after `atMs` (wall clock), from a recording. */
function split(audio: RecordedAudio, atMs: number): { before: ToneRun[]; after: ToneRun[] } {
  const runs = tonesHeard(audio.samples, audio.sampleRate);
  const at = atMs - audio.startedAtMs;
  // Each side is joined apart: a sentence heard again after the loss is never joined to its first hearing.
  return { before: joinHoles(runs.filter((run) => run.startMs < at)), after: joinHoles(runs.filter((run) => run.startMs >= at)) };
}

/** Speaks the text, and returns 0.8 s into its second sentence (Bravo), as the page shows it. */
async function readUntilBravo(page: Page): Promise<void> {
  await speakInPage(page, TEXT, 'pcm');
  await expect.poll(() => page.getByTestId('reading').textContent().catch(() => ''), { timeout: 30_000, interval: 20 }).toMatch(/^Bravo /);
  await new Promise((r) => setTimeout(r, 800));
  // Whether a hole in the recording was the player's own underrun or the output's.
  console.log(`underruns the page counted before the loss: ${await page.getByTestId('underruns').textContent()}`);
}

/** Bravo was cut off; after the loss it is heard again in full, then the rest, and never Alpha. */
function expectGoesOnFromBravo({ before, after }: { before: ToneRun[]; after: ToneRun[] }): void {
  expect(before.map((run) => run.tone)).toEqual(['Alpha', 'Bravo']);
  expect(before[1].lengthMs).toBeLessThan(SENTENCE_MS - 500);
  expect(after.map((run) => run.tone)).toEqual(['Bravo', 'Charlie', 'Delta']);
  for (const run of after) expect(Math.abs(run.lengthMs - SENTENCE_MS), `${run.tone} heard whole`).toBeLessThan(150);
}

describe.skipIf(!available)('nothing lost, as heard', () => {
  for (const shell of ['utter web', 'the Electron stand-in'] as const) {
    it(`goes on from the sentence being heard when the page crashes (${shell})`, async () => {
      const rig: WebRig = await startWebRig({ env: pulse.env, tts: { audio: toneAudio }, initScript: shell === 'utter web' ? undefined : PRELOAD_STANDIN });
      try {
        const page = await rig.open();
        const recording = pulse.record();
        await recording.ready;
        await readUntilBravo(page);
        // A real renderer crash, as Chromium reports it (the page's sockets drop with it).
        const cdp = await page.context().newCDPSession(page);
        const crashed = new Promise((resolve) => page.once('crash', resolve));
        void cdp.send('Page.crash').catch(() => {});
        await crashed;
        const crashAt = Date.now();
        // The shell opens the player again (windows.ts in Electron; a reload under utter web).
        const again = await rig.open();
        await waitForText(again, 'state', 'playing', 20_000);
        await waitForText(again, 'state', 'idle', 30_000);
        await new Promise((r) => setTimeout(r, 300));
        const heard = split(await recording.stop(), crashAt);
        console.log(`${shell}, crash: before ${JSON.stringify(heard.before)}, after ${JSON.stringify(heard.after)}`);
        expectGoesOnFromBravo(heard);
        expect(await again.getByTestId('notice').textContent()).toMatch(/reading goes on from “Bravo/);
      } finally {
        await rig.close();
      }
    }, 120_000);
  }

  it('goes on from the sentence being heard after the app is killed (SIGKILL) and started again', async () => {
    const tts: TtsServer = await startTtsServer({ audio: toneAudio });
    const home = mkdtempSync(join(tmpdir(), 'utter-restart-'));
    const env = { ...process.env, XDG_CONFIG_HOME: home, UTTER_SETTINGS: join(home, 'utter', 'settings.json'), UTTER_SOCKET: join(home, 'utter.sock') };
    const startApp = () => spawnUtterWeb(['--base-url', tts.url], env);
    const browser: BrowserContext = await launchChromium({ env: pulse.env });
    const first = await startApp();
    let second: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      const page = await browser.newPage();
      await page.goto(first.url.href);
      await page.getByTestId('format-select').waitFor();
      const recording = pulse.record();
      await recording.ready;
      await readUntilBravo(page);
      first.child.kill('SIGKILL');
      const killedAt = Date.now();
      await page.close();
      second = await startApp();
      const again = await browser.newPage();
      await again.goto(second.url.href);
      const resume = again.getByTestId('resume-reading');
      await resume.waitFor({ timeout: 10_000 });
      expect(await resume.textContent()).toMatch(/^Resume reading “Alpha starts the text\. Bravo/);
      await resume.click();
      await waitForText(again, 'state', 'playing', 20_000);
      await waitForText(again, 'state', 'idle', 30_000);
      await new Promise((r) => setTimeout(r, 300));
      const heard = split(await recording.stop(), killedAt);
      console.log(`SIGKILL: before ${JSON.stringify(heard.before)}, after ${JSON.stringify(heard.after)}`);
      expectGoesOnFromBravo(heard);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await browser.close();
      await tts.close();
    }
  }, 120_000);
});
