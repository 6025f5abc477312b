// `npm run screenshots`: the player and settings windows as Chromium draws them through
// `utter web`, for the README. Light and dark follow the OS: both are taken.
import { join } from 'node:path';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, startWebRig, waitForText } from '../support/utter-web';

const OUT = join(import.meta.dirname, '..', '..', 'docs');
const rig = await startWebRig({ tts: { realtimeFactor: 1.5, voices: ['af_bella', 'am_adam', 'bf_emma'] } });
try {
  rig.tts.set({ audio: (format) => fixtureAudio(format, 'long') });
  for (const scheme of ['light', 'dark'] as const) {
    const player = await rig.open();
    await player.emulateMedia({ colorScheme: scheme });
    await player.setViewportSize({ width: 760, height: 760 });
    await speakInPage(
      player,
      'Utter speaks text the instant you ask. It streams audio while the server is still sending it. Every format plays to the end.',
      'opus',
    );
    await waitForText(player, 'state', 'playing');
    await new Promise((r) => setTimeout(r, 2500));
    await player.screenshot({ path: join(OUT, `player-${scheme}.png`) });
    await player.getByTestId('stop').click();
    const settings = await rig.open('settings');
    await settings.emulateMedia({ colorScheme: scheme });
    await settings.setViewportSize({ width: 640, height: 1100 });
    await settings.screenshot({ path: join(OUT, `settings-${scheme}.png`), fullPage: true });
    await player.close();
    await settings.close();
  }
  console.log(`screenshots written to ${OUT}`);
} finally {
  await rig.close();
}
