import { describe, expect, it } from 'vitest';
import { trayStatusOf, type TrayStatus } from '../../shared/session';
import { PRELOAD_STANDIN } from '../support/preload-standin';
import { useWebRig } from '../support/utter-web';

/**
 * The player window as it mostly is in a tray app: hidden. On Windows a hidden window gets
 * no animation frames even with backgroundThrottling off (electron/electron#31016), so
 * here requestAnimationFrame never calls back, and the tray must still follow the session
 * and hear of every error.
 */
const NO_FRAMES = `window.requestAnimationFrame = () => 0; window.cancelAnimationFrame = () => {};`;
const web = useWebRig({ initScript: `${NO_FRAMES}\n${PRELOAD_STANDIN}` });

/** What the tray shows, every time the session changes, from now on. */
function followTray(): TrayStatus[] {
  const seen: TrayStatus[] = [];
  const session = web.rig.web.session;
  session.subscribe((view) => seen.push(trayStatusOf(view, view.current ? session.textOf(view.current.textId) : undefined)));
  return seen;
}

describe('a hidden player (no animation frames)', () => {
  it('tells the tray what it reads, and when it is done', async () => {
    expect(await web.page.evaluate('new Promise((resolve) => { requestAnimationFrame(() => resolve(true)); setTimeout(() => resolve(false), 300); })')).toBe(false);
    const tray = followTray();
    web.rig.web.session.speak(['Read while hidden. And a second sentence.']);
    await expect.poll(() => tray, { timeout: 10_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'Read while hidden.' }));
    await expect.poll(() => tray, { timeout: 20_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'And a second sentence.' }));
    await expect.poll(() => tray.at(-1)?.status, { timeout: 20_000 }).toBe('idle');
  }, 60_000);

  it('reports a queued text that failed, and says so while the next one plays', async () => {
    const tray = followTray();
    await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'queue' })`);
    const session = web.rig.web.session;
    session.speak(['First, heard in full.']);
    await expect.poll(() => tray, { timeout: 10_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'First, heard in full.' }));
    // The second text's request is refused; the third plays after it.
    web.rig.tts.enqueue({ status: 401, message: 'Incorrect API key provided.' });
    session.speak(['Second, refused by the server.']);
    session.speak(['Third, heard after the refusal.']);
    await expect.poll(() => tray, { timeout: 30_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'Third, heard after the refusal.' }));
    expect(tray.some((s) => /API key/.test(s.error ?? ''))).toBe(true);
    expect(await web.page.getByTestId('notice').textContent()).toMatch(/The text before this one stopped: .*API key/);
    expect(web.rig.tts.speechRequests().slice(-3).map((r) => r.body.input)).toEqual(['First, heard in full.', 'Second, refused by the server.', 'Third, heard after the refusal.']);
    session.stop();
    await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'interrupt' })`);
  }, 60_000);
});
