import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speakInPage, startWebRig, waitForText, type WebRig } from '../support/utter-web';

/** The embedded voice reports word timings: the player marks each word as it is heard. */
let rig: WebRig;

beforeAll(async () => {
  rig = await startWebRig({ settings: { provider: 'local' } });
}, 60_000);
afterAll(async () => rig?.close());

const EXPECTED = ['Seven', 'quiet', 'words', 'follow', 'each', 'other', 'here'];

/** The words `shown` marks while `player` plays, in the order they were seen. */
async function wordsMarked(player: Page, shown: Page): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (await player.getByTestId('state').textContent()) !== 'idle') {
    // One read in the page: the mark moves on between a count and a read.
    const text = (await shown.evaluate(`document.querySelector('[data-testid=word]')?.textContent ?? null`)) as string | null;
    if (text !== null && seen.at(-1) !== text) seen.push(text);
    await new Promise((r) => setTimeout(r, 15));
  }
  return seen;
}

/** What was seen comes in the text's order (sampling may miss a short word). */
function expectInOrder(seen: string[], atLeast: number): void {
  expect(seen.length).toBeGreaterThanOrEqual(atLeast);
  const order = seen.map((w) => EXPECTED.indexOf(w.replace(/[.,]$/, '')));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
}

describe('word-level highlight with the embedded voice', () => {
  it('marks the words in order as they are heard', async () => {
    const page = await rig.open();
    await speakInPage(page, 'Seven quiet words follow each other here.', 'pcm');
    await waitForText(page, 'state', 'playing', 20_000);
    expectInOrder(await wordsMarked(page, page), 4);
  }, 40_000);

  it('marks them in the mini player too, from the words the playing page reports', async () => {
    const page = await rig.open();
    const mini = await rig.open('mini');
    await speakInPage(page, 'Seven quiet words follow each other here.', 'pcm');
    await waitForText(page, 'state', 'playing', 20_000);
    // Reported a few times a second, so the mini player may skip a short word.
    expectInOrder(await wordsMarked(page, mini), 3);
  }, 40_000);
});
