import { afterEach, describe, expect, it } from 'vitest';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, startWebRig, useWebRig, waitForText } from '../support/utter-web';

/**
 * The mini player through `utter web`: a page that plays nothing, showing the session the
 * player page plays, with the buffer and the word that page reports, and driving it.
 */
const web = useWebRig();
afterEach(async () => {
  if (await web.page.getByTestId('stop').isEnabled()) await web.page.getByTestId('stop').click();
  for (const page of web.rig.browser.pages()) if (page !== web.page) await page.close();
});

const TEXT = 'The mini player shows this sentence. Then a second one plays. And a third ends it.';

describe('the mini player', () => {
  it('shows nothing playing, with its controls off, while the session is idle', async () => {
    const mini = await web.rig.open('mini');
    await expect.poll(() => mini.getByText('Nothing is playing.').count()).toBe(1);
    for (const id of ['previous', 'pause', 'skip', 'stop']) expect(await mini.getByTestId(id).isDisabled(), id).toBe(true);
    // The voice's own speed is 1, so only the voice; the playback rate has its own control.
    expect(await mini.getByTestId('mini-voice').textContent()).toBe('Default voice');
  });

  it('shows the sentence heard, which of how many, the time left and the buffer the playing page reports', async () => {
    const mini = await web.rig.open('mini');
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await expect.poll(() => mini.getByTestId('reading').textContent().catch(() => '')).toBe('The mini player shows this sentence.');
    await expect.poll(() => mini.getByTestId('progress-line').textContent()).toMatch(/^Sentence 1 of [23] · about 0:0\d left$/);
    // The level comes from the player page a few times a second.
    await expect.poll(async () => Number(await mini.getByTestId('buffer-bar').getAttribute('aria-valuenow'))).toBeGreaterThan(100);
    expect(await mini.getByTestId('buffer-bar').getAttribute('aria-valuetext')).toMatch(/^\d+ ms buffered/);
    expect(await mini.getByTestId('buffer-bar').getAttribute('role')).toBe('meter');
  });

  it('pauses, resumes and stops what the player page plays', async () => {
    const mini = await web.rig.open('mini');
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await expect.poll(() => mini.getByTestId('pause').isEnabled()).toBe(true);
    await mini.getByTestId('pause').click();
    await waitForText(web.page, 'state', 'paused');
    await expect.poll(() => mini.getByTestId('pause').getAttribute('aria-pressed')).toBe('true');
    // In a tab the global shortcuts do nothing: the tooltip names the page's keys.
    expect(await mini.getByTestId('pause').getAttribute('title')).toBe('Resume (Space or K)');
    await mini.getByTestId('pause').click();
    await waitForText(web.page, 'state', 'playing');
    await mini.getByTestId('stop').click();
    await waitForText(web.page, 'state', 'idle');
    await expect.poll(() => mini.getByText('Nothing is playing.').count()).toBe(1);
  });

  it("pauses and resumes on the page's own keys, Space and K, as the full player does", async () => {
    const mini = await web.rig.open('mini');
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await expect.poll(() => mini.getByTestId('pause').isEnabled()).toBe(true);
    await mini.evaluate('document.activeElement.blur()');
    await mini.keyboard.press('Space');
    await waitForText(web.page, 'state', 'paused');
    await mini.keyboard.press('k');
    await waitForText(web.page, 'state', 'playing');
  });

  it('keeps every control whole and pressable, with no scrolling, down to 140 px tall (212 px at 150 % zoom)', async () => {
    const mini = await web.rig.open('mini');
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    // A sentence long enough for the three lines the reading line may take.
    await speakInPage(web.page, `${'A long sentence that goes on and on, '.repeat(6)}ending here. A second one.`, 'pcm');
    await expect.poll(() => mini.getByTestId('pause').isEnabled()).toBe(true);
    const controls = ['open-player', 'previous', 'pause', 'skip', 'stop', 'rate-slower', 'rate', 'rate-faster'];
    // As a string: these tests are type-checked without the DOM.
    const unreachable = () =>
      mini.evaluate(`${JSON.stringify(controls)}.filter((id) => {
        const e = document.querySelector('[data-testid="' + id + '"]');
        const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth || !e.contains(hit);
      })`) as Promise<string[]>;
    const scrolls = () => mini.evaluate('document.documentElement.scrollHeight > innerHeight || document.documentElement.scrollWidth > innerWidth') as Promise<boolean>;
    for (const width of [360, 320]) {
      for (const height of [212, 180, 160, 140]) {
        await mini.setViewportSize({ width, height });
        expect(await unreachable(), `${width} × ${height}`).toEqual([]);
        expect(await scrolls(), `${width} × ${height}`).toBe(false);
        // What is read keeps at least a line.
        expect(await mini.getByTestId('reading').evaluate((e) => e.getBoundingClientRect().height), `${width} × ${height}`).toBeGreaterThan(15);
      }
    }
  });

  it('brings the player tab forward without reloading it, rather than a second page that would take the audio', async () => {
    const mini = await web.rig.open('mini');
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, TEXT, 'pcm');
    await waitForText(web.page, 'state', 'playing');
    await web.page.evaluate('window.__marker = 1');
    const pages = web.rig.browser.pages().length;
    await mini.getByTestId('open-player').click();
    await new Promise((r) => setTimeout(r, 300));
    expect(web.rig.browser.pages()).toHaveLength(pages);
    // The same document, still playing: not reloaded.
    expect(await web.page.evaluate('window.__marker')).toBe(1);
    expect(await web.page.getByTestId('state').textContent()).toBe('playing');
  });

  it('opens a player tab when none is open', async () => {
    // A rig of its own: this file's player page would answer.
    const alone = await startWebRig();
    try {
      const mini = await alone.open('mini');
      const popup = mini.waitForEvent('popup');
      await mini.getByTestId('open-player').click();
      const player = await popup;
      await player.getByTestId('format-select').waitFor();
      expect(player.url()).not.toContain('#mini');
    } finally {
      await alone.close();
    }
  });
});
