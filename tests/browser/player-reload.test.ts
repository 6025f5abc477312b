import { describe, expect, it } from 'vitest';
import { toneAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * A reload (F5) is not a crash: the page says it is going as it unloads, and the session
 * goes on from the sentence heard in the page that comes back, without saying the player
 * stopped unexpectedly. A page that dies without a word still is an alarm.
 */
const web = useWebRig({ tts: { audio: { pcm: toneAudio(4) } } });
const TEXT = 'Alpha starts the text. Bravo comes second. Charlie ends it.';

const text = (testId: string) => web.page.getByTestId(testId).textContent();

describe('a page that goes mid-text', () => {
  it('reloaded, goes on from the sentence heard with no alarm; crashed, still says the player stopped unexpectedly', async () => {
    await speakInPage(web.page, TEXT, 'pcm');
    await expect.poll(() => text('reading').catch(() => ''), { timeout: 15_000, interval: 20 }).toMatch(/^Bravo /);
    const before = web.rig.tts.speechRequests().length;
    await web.page.reload();
    await web.page.getByTestId('format-select').waitFor();
    await waitForText(web.page, 'state', 'playing', 15_000);
    expect(web.rig.tts.speechRequests().slice(before).map((r) => r.body.input as string)[0]).toMatch(/^Bravo comes second\./);
    expect(await text('notice')).toMatch(/^Reading goes on from “Bravo comes second/);
    expect(await text('error')).toBe('');

    // A real renderer crash: the page's sockets drop with it, and it said nothing.
    const cdp = await web.page.context().newCDPSession(web.page);
    const crashed = new Promise((resolve) => web.page.once('crash', resolve));
    void cdp.send('Page.crash').catch(() => {});
    await crashed;
    const again = await web.rig.open();
    await expect.poll(() => again.getByTestId('notice').textContent(), { timeout: 15_000 }).toMatch(/^The player stopped unexpectedly; reading goes on from “/);
  }, 60_000);

  it('reloaded inside a part of several sentences, goes on from the sentence heard, not from the part\'s start', async () => {
    // Speech at 15 characters a second, the pace the first sentence (over 1.5 s) teaches the page.
    web.rig.tts.set({ audio: (_format, input) => toneAudio(input.length / 15) });
    try {
      const sentences = ['Alpha is the first sentence of them.', 'Bravo is the second sentence of this text.', 'Charlie is the third sentence of this text.', 'Delta is the last sentence of it.'];
      // A page of its own: the one above crashed.
      const page = await web.rig.open();
      await speakInPage(page, sentences.join(' '), 'pcm');
      await expect.poll(() => page.getByTestId('reading').textContent().catch(() => ''), { timeout: 15_000, interval: 20 }).toBe(sentences[2]);
      const before = web.rig.tts.speechRequests().length;
      await page.reload();
      await page.getByTestId('format-select').waitFor();
      await waitForText(page, 'state', 'playing', 15_000);
      expect(web.rig.tts.speechRequests().slice(before)[0].body.input).toBe(sentences[2]);
    } finally {
      web.rig.tts.set({ audio: { pcm: toneAudio(4) } });
    }
  }, 60_000);
});
