import { afterEach, describe, expect, it } from 'vitest';
import { toneAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * The player's own keys in a browser tab (`utter web`), where the app's global shortcuts
 * do nothing: Space or K pauses and resumes, the arrows move a sentence, Escape stops; never
 * while the focus types or presses a control; and the tooltips name these keys, not the global ones.
 */
const web = useWebRig();
afterEach(async () => {
  if (await web.page.getByTestId('stop').isEnabled()) await web.page.getByTestId('stop').click();
  web.rig.tts.set({ audio: undefined });
});

const text = (id: string) => web.page.getByTestId(id).textContent();
const SENTENCES = ['Alpha is the first sentence of them.', 'Bravo is the second sentence of this text.', 'Charlie is the third sentence of this text.', 'Delta ends it, a little later.'];

/** Speaks the four sentences at 15 characters a second, and waits until the first is heard. */
async function speakSentences(): Promise<void> {
  web.rig.tts.set({ audio: (_format, input) => toneAudio(input.length / 15) });
  await speakInPage(web.page, SENTENCES.join(' '), 'pcm');
  await waitForText(web.page, 'state', 'playing');
  await expect.poll(() => text('reading'), { timeout: 10_000 }).toBe(SENTENCES[0]);
}

/** The focus on nothing in particular: the page's body. */
const focusPage = () => web.page.evaluate('document.activeElement.blur()');

describe('the player page in a browser tab', () => {
  it('pauses and resumes on Space or K, moves a sentence on and back on the arrows, and stops on Escape', async () => {
    await speakSentences();
    await focusPage();
    await web.page.keyboard.press('Space');
    await waitForText(web.page, 'state', 'paused');
    await web.page.keyboard.press('k');
    await waitForText(web.page, 'state', 'playing');
    await web.page.keyboard.press('ArrowRight');
    await expect.poll(() => text('reading'), { timeout: 5000 }).toBe(SENTENCES[1]);
    await web.page.keyboard.press('ArrowRight');
    await expect.poll(() => text('reading'), { timeout: 5000 }).toBe(SENTENCES[2]);
    // Under two seconds into a sentence, back goes to the one before (as Previous does).
    await web.page.keyboard.press('ArrowLeft');
    await expect.poll(() => text('reading'), { timeout: 5000 }).toBe(SENTENCES[1]);
    await web.page.keyboard.press('Shift+K');
    await waitForText(web.page, 'state', 'paused');
    await web.page.keyboard.press('Escape');
    await waitForText(web.page, 'state', 'idle');
    // The page did not scroll for the Space.
    expect(await web.page.evaluate('window.scrollY')).toBe(0);
    expect(await text('error')).toBe('');
  }, 30_000);

  it('leaves the keys to a text box, a list and a chord: Space types, K types, the arrows move the caret', async () => {
    await speakSentences();
    const box = web.page.getByTestId('text-input');
    await box.focus();
    await web.page.keyboard.press('End');
    await web.page.keyboard.press('Space');
    await web.page.keyboard.press('k');
    await web.page.keyboard.press('ArrowLeft');
    expect(await box.inputValue()).toBe(`${SENTENCES.join(' ')} k`);
    await web.page.getByTestId('format-select').focus();
    await web.page.keyboard.press('ArrowRight');
    await focusPage();
    await web.page.keyboard.press('Control+ArrowRight');
    await new Promise((r) => setTimeout(r, 400));
    expect(await text('state')).toBe('playing');
    expect(await text('reading')).toBe(SENTENCES[0]);
  }, 30_000);

  it('gives Space on a focused button to that button alone: one press, one click', async () => {
    await speakSentences();
    await web.page.getByTestId('pause').focus();
    await web.page.keyboard.press('Space');
    await waitForText(web.page, 'state', 'paused');
    // A second toggle from the page's own Space would have resumed it.
    await new Promise((r) => setTimeout(r, 400));
    expect(await text('state')).toBe('paused');
    // K on a focused button is not the page's either.
    await web.page.keyboard.press('k');
    await new Promise((r) => setTimeout(r, 400));
    expect(await text('state')).toBe('paused');
    await web.page.keyboard.press('Space');
    await waitForText(web.page, 'state', 'playing');
  }, 30_000);

  it('names the keys that work in a tab in its tooltips, and none of the global shortcuts', async () => {
    await speakSentences();
    const title = (id: string) => web.page.getByTestId(id).getAttribute('title');
    expect(await title('pause')).toBe('Pause (Space or K)');
    expect(await title('stop')).toBe('Stop (Esc)');
    expect(await title('previous')).toBe('Previous (←)');
    expect(await title('skip')).toBe('Skip (→)');
    expect(await title('rate-slower')).toBe('Slower');
    expect(await title('rate-faster')).toBe('Faster');
    expect(await title('rate')).toBe('Speed 1×: press for normal speed');
    const globalOnes = await web.page.evaluate(`[...document.querySelectorAll('[title]')].map((e) => e.title).filter((t) => /Alt\\+/.test(t))`);
    expect(globalOnes).toEqual([]);
  }, 30_000);
});
