import { afterEach, describe, expect, it } from 'vitest';
import { trayStatusOf, type TrayStatus } from '../../shared/session';
import { PRELOAD_STANDIN } from '../support/preload-standin';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * The renderer's Electron path in Chromium: window.utter as the preload makes it, the
 * session's messages, audio ports handed over by window.postMessage. `utter web`'s session
 * stands in for the main process's (tests/support/preload-standin.ts plays the preload),
 * and the test drives it as the tray and the hotkeys do.
 */
const web = useWebRig({ initScript: PRELOAD_STANDIN });
afterEach(async () => {
  web.rig.web.session.stop();
  await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'interrupt' })`);
  web.rig.tts.set({ audio: undefined });
});

const session = () => web.rig.web.session;
const text = () => web.page.getByTestId('text-input').inputValue();
const calls = () => web.page.evaluate('window.mainProcess.calls') as Promise<{ op: string; kind: string }[]>;
/** What the tray shows, every time the session changes, from now on. */
function followTray(): TrayStatus[] {
  const seen: TrayStatus[] = [];
  session().subscribe((view) => seen.push(trayStatusOf(view, view.current ? session().textOf(view.current.textId) : undefined)));
  return seen;
}

describe('the player under Electron', () => {
  it('speaks from its own Speak button: one request to the session, the audio on a port it hands over', async () => {
    const before = (await calls()).length;
    await speakInPage(web.page, 'Typed and spoken.', 'pcm');
    await waitForText(web.page, 'state', 'playing');
    expect((await calls()).slice(before).filter((c) => c.kind === 'invoke').map((c) => c.op)).toEqual(['speak']);
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
  });

  it('speaks what a hotkey sends without the page asking the app for anything, and the tray follows', async () => {
    const tray = followTray();
    const before = (await calls()).length;
    const spoken = 'The clipboard, read aloud. Its second sentence.';
    // What the hotkey's handler in main does.
    session().speak([spoken]);
    await waitForText(web.page, 'state', 'playing');
    expect(await text()).toBe(spoken);
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
    // The page only told main what it heard: no request, no round trip.
    const sent = (await calls()).slice(before);
    expect(sent.filter((c) => c.kind === 'invoke')).toEqual([]);
    expect(new Set(sent.map((c) => c.op))).toEqual(new Set(['sinkFact']));
    console.log(`one hotkey press: ${sent.length} messages from the page, all facts (${sent.map((c) => c.op).join(', ')}), 0 requests`);
    expect(tray).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'The clipboard, read aloud.' }));
    expect(tray).toContainEqual(expect.objectContaining({ status: 'speaking', reading: 'Its second sentence.' }));
    expect(tray.at(-1)).toEqual({ status: 'idle' });
    // Diagnostics learns how the audio output opened.
    expect(session().audioOutput).toEqual({ ok: true, detail: expect.stringMatching(/^playing at \d+ Hz, \d+ ms output latency$/) });
  });

  it('pauses, resumes and stops on the tray\'s commands', async () => {
    const tray = followTray();
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    session().speak(['A long text for the tray to pause.']);
    await waitForText(web.page, 'state', 'playing');
    session().pauseResume();
    await waitForText(web.page, 'state', 'paused');
    expect(tray.at(-1)?.status).toBe('paused');
    session().pauseResume();
    await waitForText(web.page, 'state', 'playing');
    session().stop();
    await waitForText(web.page, 'state', 'idle');
    expect(tray.at(-1)?.status).toBe('idle');
  });

  it('queues a second text when the settings say so, and shows each text while it is the one heard', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await web.page.evaluate(`window.utter.updateSettings({ whileSpeaking: 'queue' })`);
    session().speak(['First, from the clipboard.']);
    await waitForText(web.page, 'state', 'playing');
    session().speak(['Second, pressed while the first plays.']);
    await expect.poll(() => web.page.getByTestId('queue').textContent()).toContain('Second, pressed while the first plays.');
    // The text shown is still the one being heard.
    expect(await text()).toBe('First, from the clipboard.');
    web.rig.tts.set({ audio: undefined });
    session().skip();
    await expect.poll(text, { timeout: 15_000 }).toBe('Second, pressed while the first plays.');
    await waitForText(web.page, 'state', 'playing');
  });

  it('follows "Try it" in the welcome window, which the app sends views only once it asks for them', async () => {
    const welcome = await web.rig.browser.newPage();
    try {
      await welcome.goto(`${web.rig.web.url}#welcome`);
      await welcome.getByTestId('welcome-try').waitFor();
      web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
      await welcome.getByTestId('welcome-try').click();
      await waitForText(welcome, 'welcome-tried', 'Speaking…');
    } finally {
      await welcome.close();
    }
  });

  it('takes audio ports only from its preload: a look-alike without the nonce is ignored', async () => {
    session().speak(['Spoken through the real port.']);
    // Under the id being spoken, with an error for the page if it took it.
    await web.page.evaluate(`window.mainProcess.postLookAlike(${session().view().current!.id})`);
    await waitForText(web.page, 'state', 'playing');
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
  });

  it("names the global shortcuts in the tooltips, after the page's own keys, in the player and the mini player", async () => {
    const titles = (page: typeof web.page) =>
      Promise.all(['pause', 'stop', 'previous', 'skip', 'rate-slower'].map((id) => page.getByTestId(id).getAttribute('title')));
    await expect.poll(() => titles(web.page)).toEqual(['Pause (Space or K; Ctrl+Alt+P)', 'Stop (Esc; Ctrl+Alt+X)', 'Previous (←)', 'Skip (→)', 'Slower (Ctrl+Alt+-)']);
    const mini = await web.rig.open('mini');
    try {
      // The popover has no Escape of its own: that stays the window's.
      await expect.poll(() => titles(mini)).toEqual(['Pause (Space or K; Ctrl+Alt+P)', 'Stop (Ctrl+Alt+X)', 'Previous (←)', 'Skip (→)', 'Slower (Ctrl+Alt+-)']);
    } finally {
      await mini.close();
    }
  });
});
