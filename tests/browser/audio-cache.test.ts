import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * The local audio cache end to end (issue 14 §4): `utter web` with a cache folder, the test
 * TTS server behind it. A text heard once replays from the history with no request, even
 * when the server fails every request; the settings show the cache and clear it.
 */
const CACHE_DIR = join(mkdtempSync(join(tmpdir(), 'utter-web-cache-')), 'audio-cache');
const web = useWebRig({
  cacheDir: CACHE_DIR,
  // A short clip for every segment, so each reading is over in a few seconds.
  tts: { audio: { mp3: fixtureAudio('mp3', 'sentence') } },
});
const TEXT = 'The cache keeps this sentence. It keeps the second one too. And the third.';

describe('the audio cache in the app', () => {
  it('replays a text from the history with no request, and says it comes from the cache', async () => {
    const { page, rig } = web;
    await speakInPage(page, TEXT, 'mp3');
    await waitForText(page, 'state', 'playing');
    await waitForText(page, 'state', 'idle', 20_000);
    const segments = rig.tts.speechRequests().length;
    expect(segments).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await rig.web.session.cacheUsage()).entries, { timeout: 5000 }).toBe(segments);

    // Every request would fail now: only the cache can answer.
    rig.tts.setDefault({ status: 500, message: 'The server is down.' });
    try {
      await page.getByTestId('replay').first().click();
      await waitForText(page, 'state', 'playing');
      await expect.poll(() => page.getByTestId('source').textContent()).toMatch(/from the local cache/);
      await waitForText(page, 'state', 'idle', 20_000);
      expect(rig.tts.speechRequests()).toHaveLength(segments);
      expect(await page.getByTestId('error').textContent()).toBe('');
    } finally {
      rig.tts.setDefault(undefined);
    }
  });

  it('jumps to a sentence read before from the cache: the server, failing every request, is not asked', async () => {
    const { page, rig } = web;
    const requests = rig.tts.speechRequests().length;
    rig.tts.setDefault({ status: 500, message: 'The server is down.' });
    try {
      await page.getByTestId('replay').first().click();
      await waitForText(page, 'state', 'playing');
      // The second sentence starts the second segment, as when the text was first read.
      await page.getByTestId('sentence').nth(1).click();
      await expect.poll(() => page.getByTestId('reading').textContent().catch(() => '')).toMatch(/^It keeps the second one too\./);
      // And back to the first.
      await page.getByTestId('sentence').nth(0).click();
      await expect.poll(() => page.getByTestId('reading').textContent().catch(() => '')).toMatch(/^The cache keeps this sentence\./);
      await waitForText(page, 'state', 'idle', 20_000);
      expect(rig.tts.speechRequests()).toHaveLength(requests);
      expect(await page.getByTestId('error').textContent()).toBe('');
    } finally {
      rig.tts.setDefault(undefined);
    }
  });

  it('shows its use in the settings, and "Clear cache" empties it, so the next reading fetches again', async () => {
    const { rig } = web;
    const settings = await rig.open('settings');
    await expect.poll(() => settings.getByTestId('cache-usage').textContent()).toMatch(/^\d+(\.\d)? MB of 500 MB used, \d+ sentence groups?\.$/);
    await settings.getByTestId('clear-cache').click();
    await expect.poll(() => settings.getByTestId('cache-usage').textContent()).toMatch(/^Cleared \d+(\.\d)? MB\.$/);
    expect(await rig.web.session.cacheUsage()).toMatchObject({ entries: 0, bytes: 0 });
    expect(await settings.getByTestId('clear-cache').isDisabled()).toBe(true);
    await settings.close();

    const before = rig.tts.speechRequests().length;
    await web.page.getByTestId('replay').first().click();
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(rig.tts.speechRequests().length).toBeGreaterThan(before);
    // And kept again, once each segment has decoded to its end.
    await expect.poll(async () => (await rig.web.session.cacheUsage()).entries, { timeout: 5000 }).toBe(rig.tts.speechRequests().length - before);
  });

  it('keeps nothing once its cap is set to 0, and drops what it kept', async () => {
    const { rig, page } = web;
    expect((await rig.web.session.cacheUsage()).entries).toBeGreaterThan(0);
    const settings = await rig.open('settings');
    await settings.getByTestId('setting-audioCacheMb').fill('0');
    await settings.getByTestId('setting-audioCacheMb').blur();
    await expect.poll(() => settings.getByTestId('cache-usage').textContent()).toMatch(/^Off:/);
    await settings.close();
    await speakInPage(page, 'Not kept at all.', 'mp3');
    await waitForText(page, 'state', 'idle', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    // The folder itself, not the usage (which trims to the cap as it counts).
    expect(existsSync(CACHE_DIR) ? readdirSync(CACHE_DIR) : []).toEqual([]);
    expect(await rig.web.session.cacheUsage()).toMatchObject({ on: false, entries: 0 });
  });
});
