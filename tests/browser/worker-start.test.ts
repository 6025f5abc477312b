import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { speakInPage, useWebRig } from '../support/utter-web';
import { toneAudio } from '../support/tts-server';

/**
 * The decoder worker's script comes from utter web, as the page does: when it restarts just
 * as a page opens, the worker's script fails to load. A worker that never loaded left every
 * play waiting on it, "buffering" for good and nothing said (seen in CI). Here a route stands
 * for the server that went away: it refuses the worker's script.
 */
const web = useWebRig({ tts: { audio: { pcm: toneAudio(1) } } });
const WORKER_SCRIPT = '**/decoder.worker-*.js';

let page: Page;
afterEach(async () => page?.close());

/** A player page whose worker script is refused the first `refusals` times it is asked for. */
async function openRefusingWorker(refusals: number): Promise<{ asked: () => number }> {
  page = await web.rig.browser.newPage();
  let asked = 0;
  await page.route(WORKER_SCRIPT, (route) => (asked++ < refusals ? route.abort('connectionrefused') : route.continue()));
  await page.goto(web.rig.web.url);
  await page.getByTestId('format-select').waitFor();
  // The page opened its audio path as it attached: that worker failed.
  await expect.poll(() => asked, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  return { asked: () => asked };
}

/** What the page's state went through until it is `end`, or the 15 s are up. */
async function statesUntil(end: string): Promise<string[]> {
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const state = (await page.getByTestId('state').textContent()) ?? '';
        if (seen.at(-1) !== state) seen.push(state);
        return state === end && seen.length > 1 ? end : seen.join(' → ');
      },
      { timeout: 15_000, interval: 25 },
    )
    .toBe(end);
  return seen;
}

it('plays all the same when its first decoder worker did not load: the next play makes another', async () => {
  const worker = await openRefusingWorker(1);
  await speakInPage(page, 'The worker loads this time.', 'pcm');
  expect(await statesUntil('idle')).toContain('playing');
  expect(worker.asked()).toBe(2);
  expect(await page.getByTestId('error').textContent()).toBe('');
});

it('says why it cannot play when no decoder worker loads, instead of buffering for good', async () => {
  await openRefusingWorker(Infinity);
  await speakInPage(page, 'No worker will play this.', 'pcm');
  await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 15_000 }).toMatch(/The audio decoder could not start: the decoder worker did not load/);
  expect(await page.getByTestId('state').textContent()).not.toBe('buffering');
});
