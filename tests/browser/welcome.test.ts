import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../support/axe';
import { launchChromium } from '../support/browser';
import { spawnUtterWeb, startWebRig, waitForText, type WebRig } from '../support/utter-web';

/**
 * The first run through `utter web`: the player page welcomes the user in a dialog (the
 * app opens a window of its own, tested with the Electron stand-in), gets them speaking
 * with the built-in voice, and never shows it again once done.
 */
const marker = join(mkdtempSync(join(tmpdir(), 'utter-welcome-')), 'web-welcomed');
let rig: WebRig;
beforeAll(async () => {
  rig = await startWebRig({ welcomeMarker: marker, settings: { provider: 'openai' } });
}, 60_000);
afterAll(async () => rig?.close());

describe('the welcome at the first start', () => {
  it('shows the shortcut as keys, switches to the built-in voice, speaks with Try it, and is gone for good once done', async () => {
    const page = await rig.open();
    const dialog = page.getByTestId('welcome');
    await dialog.waitFor();
    expect(await page.evaluate(`document.querySelector('dialog').open && document.querySelector('dialog').matches(':modal')`)).toBe(true);
    expect(await dialog.getByRole('heading').textContent()).toBe('Utter speaks text from anywhere');
    expect(await page.getByTestId('welcome-shortcut').locator('kbd').allTextContents()).toEqual(['Ctrl', 'Alt', 'S']);
    // The test server's settings: neither choice is checked, then the built-in voice is.
    await page.getByTestId('welcome-embedded').click();
    await expect.poll(() => page.getByTestId('welcome-embedded').isChecked()).toBe(true);
    await page.getByTestId('welcome-try').click();
    // The player page behind the dialog plays it, with the embedded voice.
    await waitForText(page, 'state', 'playing', 20_000);
    await expect.poll(() => page.getByTestId('welcome-tried').textContent()).toBe('Speaking…');
    expect(await page.getByTestId('source').textContent()).toBe('Embedded voice (eSpeak NG)');
    rig.web.session.stop();
    await page.getByTestId('welcome-done').click();
    await expect.poll(() => page.getByTestId('welcome').count()).toBe(0);
    await expect.poll(() => existsSync(marker)).toBe(true);
    const again = await rig.open();
    await new Promise((r) => setTimeout(r, 500));
    expect(await again.getByTestId('welcome').count()).toBe(0);
  }, 60_000);

  for (const scheme of ['light', 'dark'] as const) {
    it(`passes axe, ${scheme}: the dialog over the player, and the app's welcome window (#welcome) with the OpenAI key field open`, async () => {
      const fresh = await startWebRig({ allowKeyChanges: true, welcomeMarker: join(mkdtempSync(join(tmpdir(), 'utter-welcome-')), 'web-welcomed') });
      try {
        const page = await fresh.open();
        await page.emulateMedia({ colorScheme: scheme });
        await page.getByTestId('welcome').waitFor();
        expect(await audit(page)).toEqual([]);
        const window = await fresh.open('welcome');
        await window.emulateMedia({ colorScheme: scheme });
        // Checked once the settings have taken the choice (the radio follows the settings).
        await window.getByTestId('welcome-openai').click();
        await window.getByTestId('welcome-key').waitFor();
        expect(await audit(window)).toEqual([]);
      } finally {
        await fresh.close();
      }
    }, 60_000);
  }

  it('reaches every control from the keyboard with a focus ring, and reflows at 320 px', async () => {
    const window = await rig.open('welcome');
    await window.setViewportSize({ width: 320, height: 640 });
    const sticking = (await window.evaluate(
      `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length`,
    )) as number;
    expect(sticking).toBe(0);
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await window.keyboard.press('Tab');
      const [id, ring] = (await window.evaluate(
        `(() => { const e = document.activeElement; const s = getComputedStyle(e); return [e.dataset.testid || e.tagName.toLowerCase(), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0]; })()`,
      )) as [string, boolean];
      if (id === 'body' || order.includes(id)) break;
      order.push(id);
      expect(ring, `focus ring on ${id}`).toBe(true);
    }
    // The radio group is one stop (arrow keys move within it), then Try it and Done.
    expect(order).toEqual([expect.stringMatching(/^welcome-(embedded|openai)$/), 'welcome-try', 'welcome-done']);
  });

  it('is how `utter web` starts with no settings file, but not when the command line or the environment chose a voice', async () => {
    const browser = await launchChromium();
    try {
      const shown = async (args: string[], extra: Record<string, string> = {}): Promise<boolean> => {
        const home = mkdtempSync(join(tmpdir(), 'utter-first-'));
        const { UTTER_BASE_URL: _url, UTTER_PROVIDER: _provider, ...outer } = process.env;
        const env = { ...outer, XDG_CONFIG_HOME: home, UTTER_SETTINGS: join(home, 'utter', 'settings.json'), UTTER_SOCKET: join(home, 'utter.sock'), ...extra };
        const { child, url } = await spawnUtterWeb(args, env);
        const page = await browser.newPage();
        try {
          await page.goto(url.href);
          await page.getByTestId('format-select').waitFor();
          await new Promise((r) => setTimeout(r, 700));
          return (await page.getByTestId('welcome').count()) === 1;
        } finally {
          await page.close();
          child.kill('SIGKILL');
        }
      };
      expect(await shown([])).toBe(true);
      expect(await shown(['--base-url', 'http://127.0.0.1:9/v1'])).toBe(false);
      expect(await shown([], { UTTER_PROVIDER: 'local' })).toBe(false);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
