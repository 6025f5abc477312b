import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speakInPage, startWebRig, waitForText, type WebRig } from '../support/utter-web';

/** The embedded voice reports word timings: the player marks each word as it is heard. */
let rig: WebRig;

beforeAll(async () => {
  rig = await startWebRig({ settings: { provider: 'local' } });
}, 60_000);
afterAll(async () => rig?.close());

describe('word-level highlight with the embedded voice', () => {
  it('marks the words in order as they are heard', async () => {
    const page = await rig.open();
    await speakInPage(page, 'Seven quiet words follow each other here.', 'pcm');
    await waitForText(page, 'state', 'playing', 20_000);
    const seen: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await page.getByTestId('state').textContent()) !== 'idle') {
      // One read in the page: the mark moves on between a count and a read.
      const text = (await page.evaluate(`document.querySelector('[data-testid=word]')?.textContent ?? null`)) as string | null;
      if (text !== null && seen.at(-1) !== text) seen.push(text);
      await new Promise((r) => setTimeout(r, 15));
    }
    const expected = ['Seven', 'quiet', 'words', 'follow', 'each', 'other', 'here'];
    // Sampling may miss a short word; what was seen comes in the text's order.
    expect(seen.length).toBeGreaterThanOrEqual(4);
    const order = seen.map((w) => expected.indexOf(w.replace(/[.,]$/, '')));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  }, 40_000);

  it('marks them in the mini player too, from the words the playing page reports', async () => {
    const page = await rig.open();
    const mini = await rig.open('mini');
    await speakInPage(page, 'Seven quiet words follow each other here.', 'pcm');
    await waitForText(page, 'state', 'playing', 20_000);
    const seen: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await page.getByTestId('state').textContent()) !== 'idle') {
      const text = (await mini.evaluate(`document.querySelector('[data-testid=word]')?.textContent ?? null`)) as string | null;
      if (text !== null && seen.at(-1) !== text) seen.push(text);
      await new Promise((r) => setTimeout(r, 15));
    }
    const expected = ['Seven', 'quiet', 'words', 'follow', 'each', 'other', 'here'];
    // Reported a few times a second, so the mini player may skip a short word.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const order = seen.map((w) => expected.indexOf(w.replace(/[.,]$/, '')));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  }, 40_000);
});
