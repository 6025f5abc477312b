import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speakInPage, startWebRig, waitForText, type WebRig } from '../support/utter-web';

/** The player's history with replay, and the buffer graph (issue 4 §2). */
let rig: WebRig;
let page: Page;

beforeAll(async () => {
  rig = await startWebRig();
  page = await rig.open();
}, 60_000);
afterAll(async () => rig?.close());

describe('history and graph', () => {
  it('keeps what was spoken, newest first, and replays it', async () => {
    await speakInPage(page, 'The first text.', 'pcm');
    await waitForText(page, 'state', 'playing');
    await speakInPage(page, 'The second text.', 'pcm');
    await waitForText(page, 'state', 'playing');
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('history').locator('li').allTextContents()).toEqual(['Replay The second text.', 'Replay The first text.']);
    await page.getByTestId('replay').nth(1).click();
    await waitForText(page, 'state', 'playing');
    expect(await page.getByTestId('text-input').inputValue()).toBe('The first text.');
    expect(rig.tts.speechRequests().at(-1)!.body.input).toBe('The first text.');
    await page.getByTestId('stop').click();
  });

  it('draws the buffer level while playing', async () => {
    await speakInPage(page, 'Graph me.', 'pcm');
    await waitForText(page, 'state', 'playing');
    await new Promise((r) => setTimeout(r, 1000));
    // Some pixels of the canvas are drawn (the level bars).
    const drawn = await page.evaluate(`(() => {
      const canvas = document.querySelector('[data-testid=buffer-graph]');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return painted;
    })()`);
    expect(drawn).toBeGreaterThan(100);
    await page.getByTestId('stop').click();
  });

  it('speaks on Ctrl+Enter, shows the server in use, and stops on Escape', async () => {
    await page.getByTestId('text-input').fill('Keyboard only.');
    await page.getByTestId('text-input').press('Control+Enter');
    await waitForText(page, 'state', 'playing');
    expect(await page.getByTestId('source').textContent()).toBe(rig.tts.url);
    await page.keyboard.press('Escape');
    await waitForText(page, 'state', 'idle', 2000);
  });

  it('opens the settings view from the player', async () => {
    const [settings] = await Promise.all([rig.browser.waitForEvent('page'), page.getByTestId('open-settings').click()]);
    await settings.getByTestId('setting-preset').waitFor();
    expect(new URL(settings.url()).hash).toBe('#settings');
    await settings.close();
  });
});
