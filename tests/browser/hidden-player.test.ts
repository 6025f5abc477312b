import { describe, expect, it } from 'vitest';
import type { AppCommand, PlayerStatusReport } from '../../shared/app-commands';
import { PRELOAD_STANDIN } from '../support/preload-standin';
import { useWebRig } from '../support/utter-web';

/**
 * The player window as it mostly is in a tray app: hidden. On Windows a hidden window gets
 * no animation frames even with backgroundThrottling off (electron/electron#31016), so
 * here requestAnimationFrame never calls back, and the tray must still follow the player
 * and hear of every error.
 */
const NO_FRAMES = `window.requestAnimationFrame = () => 0; window.cancelAnimationFrame = () => {};`;
const web = useWebRig({ initScript: `${NO_FRAMES}\n${PRELOAD_STANDIN}` });

const send = (command: AppCommand) => web.page.evaluate(`window.mainProcess.send(${JSON.stringify(command)})`);
const statuses = () => web.page.evaluate('window.mainProcess.statuses') as Promise<PlayerStatusReport[]>;

describe('a hidden player (no animation frames)', () => {
  it('tells the tray what it reads, and when it is done', async () => {
    expect(await web.page.evaluate('new Promise((resolve) => { requestAnimationFrame(() => resolve(true)); setTimeout(() => resolve(false), 300); })')).toBe(false);
    await send({ type: 'speak', text: 'Read while hidden. And a second sentence.', source: 'clipboard' });
    await expect.poll(statuses, { timeout: 10_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'Read while hidden.' }));
    await expect.poll(statuses, { timeout: 20_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'And a second sentence.' }));
    await expect.poll(async () => (await statuses()).at(-1)?.status, { timeout: 20_000 }).toBe('idle');
  }, 60_000);

  it('reports a queued text that failed, and says so while the next one plays', async () => {
    await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'queue' })`);
    await web.page.reload();
    await web.page.getByTestId('format-select').waitFor();
    await send({ type: 'speak', text: 'First, heard in full.', source: 'clipboard' });
    await expect.poll(statuses, { timeout: 10_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'First, heard in full.' }));
    // The second text's request is refused; the third plays after it.
    web.rig.tts.enqueue({ status: 401, message: 'Incorrect API key provided.' });
    await send({ type: 'speak', text: 'Second, refused by the server.', source: 'clipboard' });
    await send({ type: 'speak', text: 'Third, heard after the refusal.', source: 'clipboard' });
    await expect.poll(statuses, { timeout: 30_000 }).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'Third, heard after the refusal.' }));
    const seen = await statuses();
    expect(seen.some((s) => /API key/.test(s.error ?? ''))).toBe(true);
    expect(await web.page.getByTestId('notice').textContent()).toMatch(/The text before this one stopped: .*API key/);
    expect(web.rig.tts.speechRequests().slice(-3).map((r) => r.body.input)).toEqual(['First, heard in full.', 'Second, refused by the server.', 'Third, heard after the refusal.']);
    await send({ type: 'stop' });
    await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'interrupt' })`);
  }, 60_000);
});
