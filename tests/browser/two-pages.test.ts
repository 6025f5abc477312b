import { describe, expect, it } from 'vitest';
import { toneAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * Two pages of `utter web` open at once (two tabs, or a second window): the one opened last
 * takes the audio over, without calling it a crash, and when it closes the one still open
 * plays on, from the sentence heard; before, it showed "Starting…" until a page was loaded.
 */
const web = useWebRig({ tts: { audio: { pcm: toneAudio(3) } } });
/** Sentences long enough that the engine asks for them in three parts: Alpha; Bravo and Charlie; Delta and Echo. */
const long = (name: string): string => `${name} ${'is a sentence that goes on and on, '.repeat(12)}to its end.`;
const TEXT = ['Alpha starts the text.', long('Bravo'), long('Charlie'), long('Delta'), 'Echo ends it.'].join(' ');

describe('two pages open at once', () => {
  it('the page opened last plays; when it closes, the other plays on from where it was', async () => {
    const first = web.page;
    await speakInPage(first, TEXT, 'pcm');
    await expect.poll(() => first.getByTestId('reading').textContent().catch(() => ''), { timeout: 15_000, interval: 20 }).toMatch(/^Bravo /);

    const asked = web.rig.tts.speechRequests().length;
    const second = await web.rig.open();
    await waitForText(second, 'state', 'playing', 15_000);
    expect(await second.getByTestId('notice').textContent()).toMatch(/^Now playing in the window opened last, from “Bravo /);
    expect(await second.getByTestId('error').textContent()).toBe('');
    expect(web.rig.tts.speechRequests().slice(asked)[0].body.input).toMatch(/^Bravo /);
    await expect.poll(() => second.getByTestId('reading').textContent().catch(() => ''), { timeout: 15_000, interval: 20 }).toMatch(/^Delta /);

    const before = web.rig.tts.speechRequests().length;
    await second.close({ runBeforeUnload: true });
    await expect.poll(() => web.rig.tts.speechRequests().length, { timeout: 15_000 }).toBeGreaterThan(before);
    // Back in the first page, from the sentence the closed one was reading.
    expect(web.rig.tts.speechRequests()[before].body.input).toMatch(/^Delta /);
    await waitForText(first, 'state', 'playing', 15_000);
    await expect.poll(() => first.getByTestId('reading').textContent().catch(() => ''), { timeout: 15_000, interval: 20 }).toMatch(/^Delta /);
    expect(await first.getByTestId('error').textContent()).toBe('');
  }, 90_000);
});
