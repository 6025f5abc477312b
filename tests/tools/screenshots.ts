// `npm run screenshots`: the full player, the mini player, the settings and the welcome as
// Chromium draws them through `utter web`, for the README. Light and dark follow the OS:
// both are taken. (The screenshot tests' references are `npm run visual:update`.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, startWebRig, waitForText } from '../support/utter-web';

const OUT = join(import.meta.dirname, '..', '..', 'docs');
const rig = await startWebRig({
  tts: { realtimeFactor: 1.5, voices: ['af_bella', 'am_adam', 'bf_emma'] },
  welcomeMarker: join(mkdtempSync(join(tmpdir(), 'utter-shots-')), 'web-welcomed'),
  // A cache, so the settings show it in use.
  cacheDir: join(mkdtempSync(join(tmpdir(), 'utter-shots-cache-')), 'audio-cache'),
});
try {
  rig.tts.set({ audio: (format) => fixtureAudio(format, 'long') });
  for (const scheme of ['light', 'dark'] as const) {
    const welcome = await rig.open('welcome');
    await welcome.emulateMedia({ colorScheme: scheme });
    await welcome.setViewportSize({ width: 520, height: 560 });
    await welcome.screenshot({ path: join(OUT, `welcome-${scheme}.png`) });
    await welcome.close();
    const player = await rig.open();
    // The first player page welcomes (this run is a first start); done, it is not shown again.
    if (scheme === 'light') {
      await player.getByTestId('welcome-done').waitFor({ state: 'visible' });
      await player.getByTestId('welcome-done').click();
    }
    await player.emulateMedia({ colorScheme: scheme });
    await player.setViewportSize({ width: 760, height: 900 });
    const mini = await rig.open('mini');
    await mini.emulateMedia({ colorScheme: scheme });
    await mini.setViewportSize({ width: 360, height: 212 });
    // A rate other than 1×, so the speed control shows what it does.
    if (scheme === 'light') await player.getByTestId('rate-faster').click();
    await speakInPage(
      player,
      'Utter speaks text the instant you ask. It streams audio while the server is still sending it. Every format plays to the end.',
      'opus',
    );
    await waitForText(player, 'state', 'playing');
    await new Promise((r) => setTimeout(r, 2500));
    await player.screenshot({ path: join(OUT, `player-${scheme}.png`) });
    await mini.screenshot({ path: join(OUT, `mini-${scheme}.png`) });
    await player.getByTestId('stop').click();
    const settings = await rig.open('settings');
    await settings.emulateMedia({ colorScheme: scheme });
    await settings.setViewportSize({ width: 760, height: 1000 });
    await settings.screenshot({ path: join(OUT, `settings-${scheme}.png`) });
    // The shortcuts (Speak selection among them) and the audio cache, each on its own.
    await settings.locator('#settings-shortcuts').screenshot({ path: join(OUT, `shortcuts-${scheme}.png`) });
    await waitForMatch(settings.getByTestId('cache-usage'), /used/);
    await settings.locator('.settings-card', { has: settings.getByTestId('cache-usage') }).screenshot({ path: join(OUT, `cache-${scheme}.png`) });
    await Promise.all([player.close(), mini.close(), settings.close()]);
  }
  console.log(`screenshots written to ${OUT}`);

  /** Waits until a locator's text matches: the cache's use is asked for after the page shows. */
  async function waitForMatch(locator: Locator, pattern: RegExp): Promise<void> {
    for (let i = 0; i < 100 && !pattern.test((await locator.textContent()) ?? ''); i++) await new Promise((r) => setTimeout(r, 50));
  }
} finally {
  await rig.close();
}
