import { describe, expect, it } from 'vitest';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/** The player's history with replay, and the buffer graph. */
const web = useWebRig();

describe('history and graph', () => {
  it('keeps what was spoken, newest first, and replays it', async () => {
    await speakInPage(web.page, 'The first text.', 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await speakInPage(web.page, 'The second text.', 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await web.page.getByTestId('stop').click();
    await expect.poll(() => web.page.getByTestId('history').locator('li').allTextContents()).toEqual(['Replay Save… The second text.', 'Replay Save… The first text.']);
    await web.page.getByTestId('replay').nth(1).click();
    await waitForText(web.page, 'state', 'playing');
    expect(await web.page.getByTestId('text-input').inputValue()).toBe('The first text.');
    expect(web.rig.tts.speechRequests().at(-1)!.body.input).toBe('The first text.');
    await web.page.getByTestId('stop').click();
  });

  it('marks a text that failed in the history, with why, and its Try again speaks it and clears the mark', async () => {
    const entries = () => web.page.getByTestId('history').locator('li').allTextContents();
    web.rig.tts.enqueue({ status: 401, message: 'Incorrect API key provided.' });
    await speakInPage(web.page, 'This one fails first.', 'pcm');
    await waitForText(web.page, 'state', 'error');
    const error = (await web.page.getByTestId('error').textContent())!;
    expect(error).toMatch(/API key/);
    await expect.poll(async () => (await entries())[0]).toBe(`Try again Save… Failed: ${error} This one fails first.`);
    const failed = web.page.getByTestId('history').locator('li[data-failed=true]');
    expect(await failed.count()).toBe(1);
    expect(await failed.getByTestId('history-failed').getAttribute('title')).toMatch(/API key/);
    expect(await web.page.getByRole('button', { name: 'Try again: This one fails first.' }).count()).toBe(1);
    // The session says the same to every page (and the app's): failed, and why.
    expect(web.rig.web.session.view().history[0]).toEqual(expect.objectContaining({ preview: 'This one fails first.', failed: expect.stringMatching(/API key/) }));
    await failed.getByTestId('replay').click();
    await waitForText(web.page, 'state', 'playing');
    await expect.poll(() => failed.count()).toBe(0);
    await waitForText(web.page, 'state', 'idle', 15_000);
    expect((await entries())[0]).toBe('Replay Save… This one fails first.');
    expect(web.rig.web.session.view().history[0]).not.toHaveProperty('failed');
  }, 30_000);

  it('takes a waiting text out of the queue with its Remove button', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    try {
      await speakInPage(web.page, 'Playing now.', 'pcm');
      await waitForText(web.page, 'state', 'playing');
      // Three more, queued behind it, as the session's speak does for a dropped batch.
      web.rig.web.session.speak(['First waiting.', 'Second waiting.', 'Third waiting.'], { queue: true });
      await expect.poll(() => web.page.getByTestId('queue').locator('li').allTextContents()).toEqual(['Remove First waiting.', 'Remove Second waiting.', 'Remove Third waiting.']);
      expect(await web.page.getByRole('button', { name: 'Remove from the queue: Second waiting.' }).count()).toBe(1);
      await web.page.getByTestId('unqueue').nth(1).click();
      await expect.poll(() => web.page.getByTestId('queue').locator('li').allTextContents()).toEqual(['Remove First waiting.', 'Remove Third waiting.']);
      expect(web.rig.web.session.view().queued.map((ref) => ref.preview)).toEqual(['First waiting.', 'Third waiting.']);
      await web.page.getByTestId('stop').click();
    } finally {
      web.rig.tts.set({ audio: undefined });
    }
  });

  it('draws the buffer level while playing', async () => {
    await speakInPage(web.page, 'Graph me.', 'pcm');
    await waitForText(web.page, 'state', 'playing');
    // Some pixels of the canvas are drawn (the level bars), while it plays.
    const drawn = () =>
      web.page.evaluate(`(() => {
        const canvas = document.querySelector('[data-testid=buffer-graph]');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return painted;
      })()`) as Promise<number>;
    await expect.poll(drawn, { timeout: 5000 }).toBeGreaterThan(100);
    await web.page.getByTestId('stop').click();
  });

  it('speaks on Ctrl+Enter, shows the server in use, and stops on Escape', async () => {
    await web.page.getByTestId('text-input').fill('Keyboard only.');
    await web.page.getByTestId('text-input').press('Control+Enter');
    await waitForText(web.page, 'state', 'playing');
    expect(await web.page.getByTestId('source').textContent()).toBe(web.rig.tts.url);
    await web.page.keyboard.press('Escape');
    await waitForText(web.page, 'state', 'idle', 2000);
  });

  it('opens the settings view from the player', async () => {
    const [settings] = await Promise.all([web.rig.browser.waitForEvent('page'), web.page.getByTestId('open-settings').click()]);
    await settings.getByTestId('setting-preset').waitFor();
    expect(new URL(settings.url()).hash).toBe('#settings');
    await settings.close();
  });
});
