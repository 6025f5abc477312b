import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../support/axe';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, startWebRig, useWebRig, waitForText, type WebRig } from '../support/utter-web';

/**
 * The pronunciation dictionary through `utter web` in Chromium: rules edited in the settings
 * view, an invalid pattern refused next to its field with nothing saved, "Try it", and the
 * rules changing what the TTS server is asked to say while the player shows the original.
 */
const web = useWebRig();
let settings: Page;

beforeAll(async () => {
  settings = await web.rig.open('settings');
}, 30_000);
afterAll(async () => settings?.close());

/** Types into a field and leaves it, as a user does. */
async function type(testId: string, value: string): Promise<void> {
  await settings.getByTestId(testId).fill(value);
  await settings.getByTestId(testId).blur();
}

/** The rules the app kept: what a settings page opened now shows. */
async function savedRules(): Promise<{ match: string; replacement: string }[]> {
  const fresh = await web.rig.open('settings');
  try {
    await fresh.getByTestId('pronunciation-add').waitFor();
    const count = await fresh.getByTestId('pronunciation-rule').count();
    return await Promise.all(
      Array.from({ length: count }, async (_, i) => ({ match: await fresh.getByTestId(`pron-match-${i}`).inputValue(), replacement: await fresh.getByTestId(`pron-replacement-${i}`).inputValue() })),
    );
  } finally {
    await fresh.close();
  }
}

/** What the TTS server was asked to say, from request `from` on. */
const inputsSince = (from: number) => web.rig.tts.speechRequests().slice(from).map((r) => r.body.input as string);

describe('the pronunciation dictionary', () => {
  it('refuses an invalid pattern next to its field and saves nothing until it is corrected', async () => {
    await settings.getByTestId('pronunciation-add').click();
    await settings.getByTestId('pron-kind-0').selectOption('regex');
    await type('pron-match-0', '(\\d+ km');
    await type('pron-replacement-0', '$1 kilometres');
    const issue = settings.getByTestId('pron-issue-0-match');
    await expect.poll(() => issue.textContent()).toBe('Not a valid regular expression: Unterminated group.');
    const field = settings.getByTestId('pron-match-0');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe(await issue.getAttribute('id'));
    expect(await settings.getByTestId('pronunciation-status').textContent()).toBe('Not saved: correct the rule marked below.');
    expect(await savedRules()).toEqual([]);
    // The rows and the refusal pass axe in both themes.
    for (const colorScheme of ['light', 'dark'] as const) {
      // Without motion, no colour is caught mid-transition.
      await settings.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
      expect(await audit(settings)).toEqual([]);
    }

    await type('pron-match-0', '(\\d+) ?km');
    await expect.poll(() => settings.getByTestId('pronunciation-status').textContent()).toBe('Saved.');
    expect(await issue.count()).toBe(0);
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    expect(await savedRules()).toEqual([{ match: '(\\d+) ?km', replacement: '$1 kilometres' }]);
  });

  it('refuses a pattern that matches the empty string, and one that could run for ever', async () => {
    await type('pron-match-0', 'x*');
    await expect.poll(() => settings.getByTestId('pron-issue-0-match').textContent()).toMatch(/matches the empty string/);
    await type('pron-match-0', '(a+)+b');
    await expect.poll(() => settings.getByTestId('pron-issue-0-match').textContent()).toMatch(/can run for ever/);
    await type('pron-match-0', '(\\d+) ?km');
    await expect.poll(() => settings.getByTestId('pronunciation-status').textContent()).toBe('Saved.');
  });

  it('adds word rules, reorders them, and shows the text after the rules with Try it', async () => {
    await settings.getByTestId('pronunciation-add').click();
    await type('pron-match-1', 'GUI');
    await type('pron-replacement-1', 'graphical user interface');
    await settings.getByTestId('pronunciation-add').click();
    await type('pron-match-2', 'Kokoro');
    await type('pron-replacement-2', '[Kokoro](/kˈOkəɹO/)');
    await expect.poll(() => settings.getByTestId('pronunciation-status').textContent()).toBe('Saved.');
    // The Kokoro rule to the top: the saved order follows.
    await settings.getByRole('button', { name: 'Move rule 3 up' }).click();
    await settings.getByRole('button', { name: 'Move rule 2 up' }).click();
    await expect.poll(async () => (await savedRules()).map((r) => r.match)).toEqual(['Kokoro', '(\\d+) ?km', 'GUI']);
    await settings.getByTestId('pron-try-text').fill('The GUI of Kokoro walks 5 km.');
    await settings.getByTestId('pron-try').click();
    await expect.poll(() => settings.getByTestId('pron-try-result').textContent()).toBe('The voice gets: The graphical user interface of [Kokoro](/kˈOkəɹO/) walks 5 kilometres.');
    // At 320 CSS px, the rules and their result reflow: nothing needs sideways scrolling.
    await settings.setViewportSize({ width: 320, height: 640 });
    try {
      const sticking = await settings.evaluate(`[...document.querySelectorAll('#settings-pronunciation *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((e) => e.tagName)`);
      expect(sticking).toEqual([]);
    } finally {
      await settings.setViewportSize({ width: 1000, height: 800 });
    }
  });

  it('asks the server for the text after the rules, Kokoro entries unchanged, while the player shows the original', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    const before = web.rig.tts.speechRequests().length;
    const text = 'Use the GUI now. Kokoro walks 5 km.';
    await speakInPage(web.page, text, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await expect.poll(() => inputsSince(before)).toEqual(['Use the graphical user interface now.', '[Kokoro](/kˈOkəɹO/) walks 5 kilometres.']);
    // Highlighting and sentence positions point at what the user wrote.
    expect((await web.page.getByTestId('reading').textContent())?.trim()).toBe('Use the GUI now.');
    expect((await web.page.getByTestId('sentence').allTextContents()).map((s) => s.trim())).toEqual(['Use the GUI now.', 'Kokoro walks 5 km.']);
    await web.page.getByTestId('skip').click();
    await expect.poll(() => web.page.getByTestId('reading').textContent().then((t) => t?.trim())).toBe('Kokoro walks 5 km.');
    expect(await web.page.getByTestId('sentence').nth(1).getAttribute('aria-current')).toBe('true');
    await web.page.getByTestId('stop').click();
  }, 40_000);

  it('removes a rule, and the server is asked for the text as written', async () => {
    for (let i = (await settings.getByTestId('pronunciation-rule').count()) - 1; i >= 0; i--) await settings.getByTestId(`pron-remove-${i}`).click();
    await expect.poll(() => savedRules()).toEqual([]);
    const before = web.rig.tts.speechRequests().length;
    await speakInPage(web.page, 'The GUI, as written.', 'pcm');
    await expect.poll(() => inputsSince(before)).toEqual(['The GUI, as written.']);
  });
});

describe('the pronunciation dictionary with the embedded voice', () => {
  let local: WebRig;
  beforeAll(async () => {
    local = await startWebRig({ settings: { provider: 'local' } });
  }, 60_000);
  afterAll(async () => local?.close());

  it('shows rules changed in another window at once, unless this one holds a rule not yet saved, which is then saved beside them', async () => {
    const other = await web.rig.open('settings');
    try {
      await other.getByTestId('pronunciation-add').waitFor();
      const count = await other.getByTestId('pronunciation-rule').count();
      await other.getByTestId('pronunciation-add').click();
      await other.getByTestId(`pron-match-${count}`).fill('SQL');
      await other.getByTestId(`pron-replacement-${count}`).fill('sequel');
      await other.getByTestId(`pron-replacement-${count}`).blur();
      await expect.poll(() => other.getByTestId('pronunciation-status').textContent()).toBe('Saved.');
      // This window was neither reloaded nor focused.
      await expect.poll(() => settings.getByTestId('pronunciation-rule').count()).toBe(count + 1);
      expect(await settings.getByTestId(`pron-replacement-${count}`).inputValue()).toBe('sequel');
      // A rule being typed here: the other window's next change does not replace it.
      await settings.getByTestId('pronunciation-add').click();
      await settings.getByTestId(`pron-match-${count + 1}`).fill('draft');
      await other.getByTestId(`pron-replacement-${count}`).fill('S Q L');
      await other.getByTestId(`pron-replacement-${count}`).blur();
      await expect.poll(async () => (await savedRules()).at(-1)).toEqual({ match: 'SQL', replacement: 'S Q L' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await settings.getByTestId(`pron-match-${count + 1}`).inputValue()).toBe('draft');
      expect(await settings.getByTestId(`pron-replacement-${count}`).inputValue()).toBe('sequel');
      // The draft left here is saved with the other window's change, not over it.
      await settings.getByTestId(`pron-match-${count + 1}`).blur();
      await expect.poll(() => settings.getByTestId('pronunciation-status').textContent()).toBe('Saved, with the changes made elsewhere meanwhile.');
      expect(await settings.getByTestId(`pron-replacement-${count}`).inputValue()).toBe('S Q L');
      await settings.getByTestId(`pron-replacement-${count + 1}`).fill('draught');
      await settings.getByTestId(`pron-replacement-${count + 1}`).blur();
      await expect.poll(() => settings.getByTestId('pronunciation-status').textContent()).toBe('Saved.');
      expect((await savedRules()).slice(-2)).toEqual([
        { match: 'SQL', replacement: 'S Q L' },
        { match: 'draft', replacement: 'draught' },
      ]);
    } finally {
      await other.close();
    }
  });

  it('marks the original words while the voice says their replacements', async () => {
    const page = await local.open();
    const settingsPage = await local.open('settings');
    await settingsPage.getByTestId('pronunciation-add').click();
    await settingsPage.getByTestId('pron-match-0').fill('quiet');
    await settingsPage.getByTestId('pron-replacement-0').fill('very very silent');
    await settingsPage.getByTestId('pron-replacement-0').blur();
    await expect.poll(() => settingsPage.getByTestId('pronunciation-status').textContent()).toBe('Saved.');
    await speakInPage(page, 'Seven quiet words follow each other here.', 'pcm');
    await waitForText(page, 'state', 'playing', 20_000);
    const seen: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await page.getByTestId('state').textContent()) !== 'idle') {
      const text = (await page.evaluate(`document.querySelector('[data-testid=word]')?.textContent ?? null`)) as string | null;
      if (text !== null && seen.at(-1) !== text) seen.push(text);
      await new Promise((r) => setTimeout(r, 15));
    }
    // Only whole words of what was written are marked: "very very silent" marks "quiet".
    expect(seen.filter((w) => !['Seven', 'quiet', 'words', 'follow', 'each', 'other', 'here', 'here.'].includes(w))).toEqual([]);
    expect(seen).toContain('quiet');
  }, 60_000);
});
