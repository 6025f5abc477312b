import { afterEach, describe, expect, it } from 'vitest';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * The full player lays the text being read out by sentence: the one heard is marked, and a
 * click or Enter on any of them reads from there, with a new request for the rest and
 * none for what came before.
 */
const web = useWebRig();
afterEach(async () => {
  if (await web.page.getByTestId('stop').isEnabled()) await web.page.getByTestId('stop').click();
});

const TEXT = 'Alpha opens the text. Bravo comes second. Charlie is third. Delta ends it.';
const sentences = () => web.page.getByTestId('sentence');

describe('the sentence view', () => {
  it('shows the text by sentence, marks the one heard, and counts them', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    // The state is written from the audio on each frame; the text comes with the session's
    // view, which may render a frame later on a fresh page.
    await expect.poll(async () => (await sentences().allTextContents()).map((s) => s.trim())).toEqual(['Alpha opens the text.', 'Bravo comes second.', 'Charlie is third.', 'Delta ends it.']);
    await expect.poll(() => sentences().nth(0).getAttribute('aria-current')).toBe('true');
    await expect.poll(() => web.page.getByTestId('progress-line').textContent()).toMatch(/^Sentence 1 of 4 · /);
    // One Tab stop for the whole text: the sentence heard.
    expect(await web.page.locator('[data-testid=sentence][tabindex="0"]').count()).toBe(1);
  });

  it('reads from the sentence clicked: a new request from there, the earlier ones not asked again', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    const before = web.rig.tts.speechRequests().length;
    await sentences().nth(2).click();
    await expect.poll(() => web.rig.tts.speechRequests().slice(before).map((r) => r.body.input as string)[0]).toMatch(/^Charlie is third\./);
    expect(web.rig.tts.speechRequests().slice(before).some((r) => /Alpha|Bravo/.test(r.body.input as string))).toBe(false);
    await expect.poll(() => web.page.getByTestId('reading').textContent().catch(() => '')).toMatch(/^Charlie is third\./);
    await expect.poll(() => sentences().nth(2).getAttribute('aria-current')).toBe('true');
    expect(await web.page.getByTestId('progress-line').textContent()).toMatch(/^Sentence 3 of 4 · /);
    // The text is still one entry in the history.
    expect(web.rig.web.session.view().history.filter((ref) => web.rig.web.session.textOf(ref.textId) === TEXT)).toHaveLength(1);
  });

  it('moves among the sentences with the arrow keys and reads from one on Enter', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await sentences().nth(0).focus();
    await web.page.keyboard.press('ArrowDown');
    await web.page.keyboard.press('ArrowDown');
    await web.page.keyboard.press('ArrowDown');
    expect(await web.page.evaluate(`document.activeElement.textContent.trim()`)).toBe('Delta ends it.');
    await web.page.keyboard.press('Home');
    await web.page.keyboard.press('ArrowRight');
    const before = web.rig.tts.speechRequests().length;
    await web.page.keyboard.press('Enter');
    await expect.poll(() => web.rig.tts.speechRequests().slice(before).map((r) => r.body.input as string)[0]).toMatch(/^Bravo comes second\./);
  });
});
