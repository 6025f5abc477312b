import { afterEach, describe, expect, it } from 'vitest';
import type { AppCommand, PlayerStatusReport } from '../../shared/app-commands';
import { PRELOAD_STANDIN } from '../support/preload-standin';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * The renderer's Electron path in Chromium: window.utter as the preload makes it, audio
 * ports handed over by window.postMessage, commands from the tray and the hotkeys, and the
 * state reported back for the tray (tests/support/preload-standin.ts plays main's part).
 */
const web = useWebRig({ initScript: PRELOAD_STANDIN });
afterEach(async () => {
  await send({ type: 'stop' });
  await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'interrupt' })`);
  web.rig.tts.set({ audio: undefined });
});

const send = (command: AppCommand) => web.page.evaluate(`window.mainProcess.send(${JSON.stringify(command)})`);
const statuses = () => web.page.evaluate('window.mainProcess.statuses') as Promise<PlayerStatusReport[]>;
const text = () => web.page.getByTestId('text-input').inputValue();

describe('the player under Electron', () => {
  it('speaks from its own Speak button through the preload, not through `utter web`\'s page bridge', async () => {
    const before = (await web.page.evaluate('window.mainProcess.lastUtteranceId')) as number;
    await speakInPage(web.page, 'Typed and spoken.', 'pcm');
    await waitForText(web.page, 'state', 'playing');
    expect(await web.page.evaluate('window.mainProcess.lastUtteranceId')).toBeGreaterThan(before);
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
  });

  it('speaks what a hotkey sends, through a MessagePort, and tells the tray what it reads', async () => {
    const spoken = 'The clipboard, read aloud. Its second sentence.';
    await send({ type: 'speak', text: spoken, source: 'clipboard' });
    await waitForText(web.page, 'state', 'playing');
    expect(await text()).toBe(spoken);
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
    const seen = await statuses();
    expect(seen).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'The clipboard, read aloud.' }));
    expect(seen).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'Its second sentence.' }));
    // Diagnostics learns how the audio output opened.
    expect(seen.at(-1)!.audio).toEqual({ ok: true, detail: expect.stringMatching(/^playing at \d+ Hz, \d+ ms output latency$/) });
    // The tray is told within a tenth of a second (a timer, so a hidden window reports too).
    await expect.poll(async () => (await statuses()).at(-1)?.status).toBe('idle');
  });

  it('pauses, resumes and stops on the tray\'s commands', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await send({ type: 'speak', text: 'A long text for the tray to pause.', source: 'clipboard' });
    await waitForText(web.page, 'state', 'playing');
    await send({ type: 'pause-resume' });
    await waitForText(web.page, 'state', 'paused');
    await expect.poll(async () => (await statuses()).at(-1)?.status).toBe('paused');
    await send({ type: 'pause-resume' });
    await waitForText(web.page, 'state', 'playing');
    await send({ type: 'stop' });
    await waitForText(web.page, 'state', 'idle');
    await expect.poll(async () => (await statuses()).at(-1)?.status).toBe('idle');
  });

  it('queues a second text when the settings say so, and shows each text while it is the one heard', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'queue' })`);
    await web.page.reload();
    await web.page.getByTestId('format-select').waitFor();
    await send({ type: 'speak', text: 'First, from the clipboard.', source: 'clipboard' });
    await waitForText(web.page, 'state', 'playing');
    await send({ type: 'speak', text: 'Second, pressed while the first plays.', source: 'clipboard' });
    await expect.poll(() => web.page.getByTestId('queue').textContent()).toContain('Second, pressed while the first plays.');
    // The text shown is still the one being heard.
    expect(await text()).toBe('First, from the clipboard.');
    web.rig.tts.set({ audio: undefined });
    await send({ type: 'skip' });
    await expect.poll(text, { timeout: 15_000 }).toBe('Second, pressed while the first plays.');
    await waitForText(web.page, 'state', 'playing');
  });

  it('takes audio ports only from its preload: a look-alike without the nonce is ignored', async () => {
    // Waiting under the id the next utterance will get, with an error for whoever takes it.
    await web.page.evaluate('window.mainProcess.postLookAlike(window.mainProcess.lastUtteranceId + 1)');
    await send({ type: 'speak', text: 'Spoken through the real port.', source: 'clipboard' });
    await waitForText(web.page, 'state', 'playing');
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
  });
});
