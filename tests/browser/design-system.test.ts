import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../support/axe';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, startWebRig, waitForText, type WebRig } from '../support/utter-web';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The design system in the browser: the CSP holds in every view (no style the policy
 * refuses, icons included), more contrast and less motion change the tokens, and axe still
 * passes with more contrast.
 */
let rig: WebRig;
beforeAll(async () => {
  rig = await startWebRig({ welcomeMarker: join(mkdtempSync(join(tmpdir(), 'utter-design-')), 'web-welcomed') });
}, 60_000);
afterAll(async () => rig?.close());

/** The custom property `name` as `selector`'s element computes it. */
const token = (page: Awaited<ReturnType<WebRig['open']>>, name: string, selector = ':root') =>
  page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(name)}).trim()`) as Promise<string>;

describe('the design system', () => {
  it('keeps to the CSP in every view, playing: nothing refused, no inline style', async () => {
    const refusals: string[] = [];
    const watch = (page: Awaited<ReturnType<WebRig['open']>>): void => {
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/.test(message.text())) refusals.push(`${page.url()}: ${message.text()}`);
      });
    };
    const pages = await Promise.all((['player', 'mini', 'settings', 'welcome'] as const).map((view) => rig.open(view)));
    pages.forEach(watch);
    const [player] = pages;
    rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await player.getByTestId('welcome-done').click();
    await speakInPage(player, 'The icons, the meters and the bars draw within the policy.', 'pcm');
    await waitForText(player, 'state', 'playing');
    await new Promise((r) => setTimeout(r, 1000));
    for (const page of pages) {
      // A style attribute in the markup is what the policy would refuse.
      expect(await page.evaluate(`document.querySelectorAll('[style]:not([data-testid=buffer-bar] *)').length`), page.url()).toBe(0);
    }
    expect(refusals).toEqual([]);
    await player.getByTestId('stop').click();
  }, 60_000);

  it('with more contrast: stronger borders and muted text as strong as body text, and axe passes', async () => {
    const page = await rig.open();
    const before = { border: await token(page, '--border'), muted: await token(page, '--text-muted') };
    await page.emulateMedia({ contrast: 'more' });
    const after = { border: await token(page, '--border'), muted: await token(page, '--text-muted') };
    expect(after.border).not.toBe(before.border);
    const colour = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).color`);
    expect(await colour('.stat-label')).toBe(await colour('body'));
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ contrast: 'more', colorScheme: scheme });
      expect(await audit(page)).toEqual([]);
    }
    await page.emulateMedia({ contrast: null, colorScheme: 'light' });
  });

  it('with less motion: the motion tokens are zero', async () => {
    const page = await rig.open('mini');
    expect(await token(page, '--motion-fast')).toBe('120ms');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await token(page, '--motion-fast')).toBe('0ms');
  });
});
