import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { audit } from '../support/axe';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * Keyboard and screen readers, in Chromium through `utter web`: axe-core audits both
 * views in both themes and in their live states, the player is driven from the keyboard
 * alone, and what a screen reader is told is read from Chromium's own accessibility tree.
 */

const web = useWebRig();
afterEach(async () => {
  for (const page of web.rig.browser.pages()) if (page !== web.page) await page.close();
  await web.page.emulateMedia({ colorScheme: 'light' });
  web.rig.tts.set({ apiKey: undefined, audio: undefined });
  if (await web.page.getByTestId('stop').isEnabled()) await web.page.getByTestId('stop').click();
});

/** Points the settings back at the test server, after a test chose a preset. */
async function backToTestServer(page: Page): Promise<void> {
  await page.getByTestId('setting-preset').selectOption('custom');
  await page.getByTestId('setting-baseUrls').fill(web.rig.tts.url);
  await page.getByTestId('setting-baseUrls').blur();
  await expect.poll(() => page.getByTestId('setting-preset').inputValue()).toBe('custom');
}

describe('axe-core finds nothing (WCAG 2.2 A and AA, best practice)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`in the player, ${scheme}: idle, speaking, and showing an error`, async () => {
      const page = web.page;
      await page.emulateMedia({ colorScheme: scheme });
      expect(await audit(page)).toEqual([]);
      web.rig.tts.set({ audio: { mp3: fixtureAudio('mp3', 'long') } });
      await speakInPage(page, 'One sentence to hear. And another one after it.', 'mp3');
      await waitForText(page, 'state', 'playing');
      expect(await audit(page)).toEqual([]);
      await page.getByTestId('stop').click();
      web.rig.tts.set({ apiKey: 'a key the app does not have' });
      await page.getByTestId('speak').click();
      await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 10_000 }).not.toBe('');
      expect(await audit(page)).toEqual([]);
    });

    it(`in the mini player, ${scheme}: idle and playing`, async () => {
      const mini = await web.rig.open('mini');
      await mini.setViewportSize({ width: 360, height: 212 });
      await mini.emulateMedia({ colorScheme: scheme });
      expect(await audit(mini)).toEqual([]);
      web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
      await speakInPage(web.page, 'One sentence to hear. And another one after it.', 'pcm');
      await expect.poll(() => mini.getByTestId('reading').count()).toBe(1);
      await expect.poll(async () => Number(await mini.getByTestId('buffer-bar').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
      expect(await audit(mini)).toEqual([]);
    });

    it(`in the settings, ${scheme}: a server's fields and a refused value, and every voice of the embedded one`, async () => {
      const page = await web.rig.open('settings');
      await page.emulateMedia({ colorScheme: scheme });
      await page.getByTestId('setting-preset').selectOption('kokoro');
      await page.getByTestId('setting-speed').fill('9');
      await page.getByTestId('setting-speed').blur();
      await page.getByTestId('issue-speed').waitFor();
      // With the provider's status decided (nothing answers at Kokoro's port here, as a rule).
      await expect.poll(() => page.getByTestId('provider-status').getAttribute('data-status')).not.toBe('checking');
      expect(await audit(page)).toEqual([]);
      // The language filter, and the whole list with a Preview per voice.
      await page.getByTestId('setting-preset').selectOption('embedded');
      await page.getByRole('button', { name: /^Show all \d+ voices$/ }).click();
      await page.getByTestId('voice-language').waitFor();
      expect(await audit(page)).toEqual([]);
      await backToTestServer(page);
    });
  }
});

describe('the keyboard alone', () => {
  /** What has the focus: its test id, or its tag. */
  const focused = (page: Page) => page.evaluate(`(() => { const e = document.activeElement; return e.dataset.testid || e.tagName.toLowerCase(); })()`) as Promise<string>;
  /** Whether the focused element shows a focus ring (its own outline, or its label's for the file input). */
  const ringShown = (page: Page) =>
    page.evaluate(`(() => { const e = document.activeElement; const s = getComputedStyle(e.type === 'file' ? e.closest('label') : e); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; })()`) as Promise<boolean>;

  it('reaches every control in order, each with a visible focus ring, and lets focus go round', async () => {
    const page = web.page;
    await page.getByTestId('text-input').fill('Some text.');
    await page.getByTestId('text-input').focus();
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const now = await focused(page);
      if (now === 'text-input') break;
      order.push(now);
      // After the last control the focus leaves the page for the browser's own UI ("body").
      if (now !== 'body') expect(await ringShown(page), `focus ring on ${now}`).toBe(true);
    }
    // Previous, Pause, Skip and Stop are disabled while idle, so Tab passes them: Speak, the
    // format to save in and Save audio… (in the text's card), the rate (slower, the rate
    // itself, faster: it may be set before speaking), the metrics' disclosure, a Replay and a
    // Save per text spoken so far, out of the page, and in again at the top bar (format,
    // open file, settings) before the text box.
    expect(order.join(' ')).toMatch(/^speak save-format save-audio rate-slower rate rate-faster summary( replay save-history)* body format-select open-file open-settings$/);
    // Round again to the text box: no trap anywhere (the loop broke on it).
  });

  it('reaches every settings control, each with a visible focus ring', async () => {
    const page = await web.rig.open('settings');
    await page.getByTestId('setting-preset').focus();
    const order: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const now = await focused(page);
      if (now === 'setting-preset' || now === 'body') break;
      order.push(now);
      expect(await ringShown(page), `focus ring on ${now}`).toBe(true);
    }
    for (const id of ['setting-voice', 'setting-speed', 'test-voice', 'setting-format', 'setting-streamingEnabled', 'setting-hotkey-speakClipboard', 'setting-hotkey-stop']) {
      expect(order, id).toContain(id);
    }
    expect(order.indexOf('setting-voice')).toBeLessThan(order.indexOf('setting-hotkey-stop'));
    // The voice list is one stop (arrows move in it), and so are its Previews: the chosen voice's.
    expect(order.filter((id) => id === 'voice-choice')).toHaveLength(1);
    expect(order.filter((id) => id === 'voice-preview')).toHaveLength(1);
  });

  it('speaks, pauses, resumes and stops without a mouse, and keeps the focus on the page', async () => {
    const page = web.page;
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await page.getByTestId('format-select').selectOption('pcm');
    await page.getByTestId('text-input').fill('');
    await page.getByTestId('text-input').focus();
    await page.keyboard.type('Spoken from the keyboard. With a second sentence.');
    await page.keyboard.press('Control+Enter');
    await waitForText(page, 'state', 'playing');
    // Tab from the text box: Speak, the format to save in, Save audio…, then Previous, then Pause.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('pause');
    await page.keyboard.press('Space');
    await waitForText(page, 'state', 'paused');
    expect(await page.getByTestId('pause').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Enter');
    await waitForText(page, 'state', 'playing');
    await page.keyboard.press('Escape');
    await waitForText(page, 'state', 'idle');
    // Pause disabled itself under the focus; the focus went back to the text, not to nowhere.
    await expect.poll(() => focused(page)).toBe('text-input');
  });
});

describe('a narrow or zoomed window (WCAG 1.4.10: reflow at 320 CSS px)', () => {
  /** Elements whose right edge passes the window's, which would need sideways scrolling. */
  const sticking = (page: Page) =>
    page.evaluate(`(() => { const width = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1).map((e) => e.tagName.toLowerCase() + (e.dataset.testid ? '#' + e.dataset.testid : '')); })()`) as Promise<string[]>;

  it('the player, speaking: nothing sticks out sideways, and the buffer meter keeps its room', async () => {
    const page = web.page;
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await page.setViewportSize({ width: 320, height: 640 });
    try {
      await speakInPage(page, 'A sentence long enough to wrap in a narrow window, read while it is narrow.', 'pcm');
      await waitForText(page, 'state', 'playing');
      expect(await sticking(page)).toEqual([]);
      expect((await page.getByTestId('buffer-level').boundingBox())!.width).toBeGreaterThanOrEqual(60);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('the mini player, speaking: nothing sticks out sideways', async () => {
    const mini = await web.rig.open('mini');
    await mini.setViewportSize({ width: 320, height: 212 });
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, 'A sentence long enough to wrap in a narrow mini player, read while it is narrow.', 'pcm');
    await expect.poll(() => mini.getByTestId('reading').count()).toBe(1);
    expect(await sticking(mini)).toEqual([]);
  });

  it('the settings: nothing sticks out sideways', async () => {
    const page = await web.rig.open('settings');
    await page.setViewportSize({ width: 320, height: 640 });
    // The provider's status with its words, the widest thing beside a control.
    await expect.poll(() => page.getByTestId('provider-status').getAttribute('data-status')).toBe('reachable');
    expect(await sticking(page)).toEqual([]);
  });
});

describe('what a screen reader is told (Chromium accessibility tree)', () => {
  interface AXNode {
    role?: { value: string };
    name?: { value: string };
    value?: { value: string };
    description?: { value: string };
    properties?: { name: string; value: { value: unknown } }[];
    ignored: boolean;
  }

  async function axTree(page: Page): Promise<AXNode[]> {
    const cdp = await web.rig.browser.newCDPSession(page);
    try {
      return ((await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] }).nodes.filter((n) => !n.ignored);
    } finally {
      await cdp.detach();
    }
  }
  const find = (nodes: AXNode[], role: string, name?: string | RegExp) =>
    nodes.filter((n) => n.role?.value === role && (name === undefined || (typeof name === 'string' ? n.name?.value === name : name.test(n.name?.value ?? ''))));
  const property = (node: AXNode, name: string) => node.properties?.find((p) => p.name === name)?.value.value;

  it('names the meters and controls, says how much is buffered, and keeps live regions for the state, notices and errors', async () => {
    const page = web.page;
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(page, 'A sentence that plays long enough to read the meter.', 'pcm');
    await waitForText(page, 'state', 'playing');
    await expect.poll(async () => Number(await page.getByTestId('buffer-level').getAttribute('data-ms'))).toBeGreaterThan(200);
    const nodes = await axTree(page);
    const [meter] = find(nodes, 'meter', 'Buffer');
    // What it says: Chromium 156 (seen on 156.0.8078.108) leaves `valuetext` empty in the
    // DevTools tree for every aria-valuetext, even on a plain role=slider, so the text is
    // read from the attribute the platform's accessibility API passes on.
    expect(await page.getByTestId('buffer-level').getAttribute('aria-valuetext')).toMatch(/^\d+ ms buffered$/);
    expect(property(meter, 'valuemin')).toBe(0);
    expect(property(meter, 'valuemax')).toBe(2000);
    expect(find(nodes, 'image', /Buffer level over the last/)).toHaveLength(1);
    for (const name of ['Speak', 'Stop', 'Pause', 'Previous', 'Skip', 'Settings']) expect(find(nodes, 'button', name), name).toHaveLength(1);
    expect(property(find(nodes, 'button', 'Pause')[0], 'pressed')).toBe('false');
    expect(find(nodes, 'button', /^Replay: /).length).toBeGreaterThan(0);
    expect(find(nodes, 'textbox', 'Text to speak')[0]?.description?.value).toBe('Ctrl+Enter speaks; Escape stops.');
    // The state, a notice and an error are announced as they change: their regions are in
    // the tree even while empty, so what appears in them is spoken.
    const live = nodes.filter((n) => property(n, 'live') && property(n, 'live') !== 'off');
    expect(live.map((n) => `${n.role?.value}:${property(n, 'live')}`)).toEqual(expect.arrayContaining(['status:polite', 'alert:assertive']));
    expect(live.filter((n) => n.role?.value === 'status').length).toBeGreaterThanOrEqual(2);
  });

  it('in the settings, describes each field by its hint and a refusal, and marks it invalid', async () => {
    const page = await web.rig.open('settings');
    await page.getByTestId('setting-speed').fill('9');
    await page.getByTestId('setting-speed').blur();
    await page.getByTestId('issue-speed').waitFor();
    const nodes = await axTree(page);
    const [speed] = find(nodes, 'spinbutton', 'Voice speed (0.25–4)');
    expect(property(speed, 'invalid')).toBe('true');
    expect(speed.description?.value).toMatch(/at most 4/);
    const [hotkey] = find(nodes, 'textbox', 'Speak clipboard');
    expect(hotkey.description?.value).toMatch(/Press the keys to use/);
    // The key's buttons are not part of the key field's name.
    await page.getByTestId('setting-preset').selectOption('openai');
    await page.getByTestId('setting-apiKey').waitFor();
    const [key] = find(await axTree(page), 'textbox', /^API key/);
    expect(key.name?.value).toBe('API key (none set)');
    await backToTestServer(page);
  });
});
