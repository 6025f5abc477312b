import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { HELLO_LIMIT_MS } from '../../shared/control-link';
import { toneAudio } from '../support/tts-server';
import { figuresSettled, speakInPage, startWebRig, type WebRig } from '../support/utter-web';

/**
 * A page cut off from `utter web` while the server lives on: a network that drops without a
 * word, or that closes the page's connection and lets no new one through for a while. The
 * page's control socket goes through a route the test holds, which can go silent (the
 * server's messages no longer reach the page, and the socket still looks open) or cut the
 * connection and refuse new ones until it lets them through again.
 */
const BEAT_MS = 300;
const LOST = /^Lost the connection to utter web/;
let rig: WebRig;
beforeAll(async () => {
  // A long text whose audio all arrives at once, with room to buffer it: the page has much to play while cut off.
  rig = await startWebRig({ tts: { audio: { pcm: toneAudio(30) } }, settings: { streamMaxBuffer: 10 }, heartbeatMs: BEAT_MS });
}, 60_000);
afterAll(async () => rig?.close());

/** The page's connection, as the test lets it through. */
interface Line {
  /** The server's messages no longer reach the page; the socket stays open. */
  silent: boolean;
  /** New connections are refused. */
  blocked: boolean;
  /** Closes the connection open now, at both ends. */
  cut(): Promise<void>;
  /** Messages from the server that reached the page. */
  heard: number;
  /** When the last message passed to the page (Date.now()). */
  lastHeardAt: number;
  /** When each connection the page opened was let through (Date.now()). */
  openedAt: number[];
}

/** A page on `url` (the rig's player by default) whose control socket goes through a line the test holds. */
async function openRouted(url = rig.web.url): Promise<{ page: Page; line: Line }> {
  const page = await rig.browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  let open: WebSocketRoute | null = null;
  const line: Line = {
    silent: false,
    blocked: false,
    cut: async () => {
      await open?.close();
      open = null;
    },
    heard: 0,
    lastHeardAt: 0,
    openedAt: [],
  };
  await page.routeWebSocket(
    (url) => url.pathname === '/control',
    (ws) => {
      if (line.blocked) return ws.close();
      line.openedAt.push(Date.now());
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (line.silent) return;
        line.heard++;
        line.lastHeardAt = Date.now();
        ws.send(message);
      });
      open = ws;
    },
  );
  await page.goto(url);
  await page.getByTestId(url.endsWith('#mini') ? 'open-player' : 'format-select').waitFor();
  // The server's hello and its first answers: the page is connected, not just loaded.
  await expect.poll(() => line.heard, { timeout: 10_000 }).toBeGreaterThan(2);
  return { page, line };
}

const textOf = (page: Page, testId: string) => () => page.getByTestId(testId).textContent().catch(() => '');
const playedMs = async (page: Page) => parseFloat((await page.getByTestId('metric-playedMs').textContent()) ?? 'NaN');
const bufferMs = async (page: Page) => Number(await page.getByTestId('buffer-level').getAttribute('data-ms'));

/** Speaks the long text and waits until the page plays it with seconds in its buffer. */
async function playLong(page: Page, text: string): Promise<void> {
  await speakInPage(page, text, 'pcm');
  await expect.poll(textOf(page, 'state'), { timeout: 15_000, interval: 25 }).toBe('playing');
  await expect.poll(() => bufferMs(page), { timeout: 10_000 }).toBeGreaterThan(3000);
}

describe('a page cut off from utter web', () => {
  it('takes a server that says nothing, not even its heartbeat, for lost within two beats, and connects again', async () => {
    const { page, line } = await openRouted();
    expect(await textOf(page, 'error')()).toBe('');
    line.silent = true;
    await expect.poll(textOf(page, 'error'), { timeout: BEAT_MS * 10, interval: 25 }).toMatch(LOST);
    // The page counts its patience from the last message it heard, which may come before the line went silent.
    expect(Date.now() - line.lastHeardAt).toBeGreaterThanOrEqual(BEAT_MS * 2);
    line.silent = false;
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
    await page.close();
  }, 60_000);

  it('gives a new socket whose server never says hello a few seconds, not the silence limit, and connects again', async () => {
    const { page, line } = await openRouted();
    // The server accepts each new socket, and nothing it says reaches the page: not even its hello.
    line.silent = true;
    await line.cut();
    await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
    // The page gives up on the socket that never said hello, and tries another (35 s at 15 s beats without a patience of its own).
    await expect.poll(() => line.openedAt.length, { timeout: HELLO_LIMIT_MS + 5_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    const [, mute, next] = line.openedAt;
    expect(next - mute).toBeGreaterThanOrEqual(HELLO_LIMIT_MS);
    // The beats now reach the page on a socket whose hello was lost: they do not stand for it, and the next socket says hello.
    line.silent = false;
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
    await page.close();
  }, 60_000);

  it('stops its own audio at once when Stop is pressed while cut off, and the session hears Stop before the page plays again', async () => {
    const { page, line } = await openRouted();
    await playLong(page, 'A long text that is stopped while the page is cut off.');
    line.blocked = true;
    await line.cut();
    await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
    await page.getByTestId('stop').click();
    // The page is the audio sink: its audio stops now, not once it reaches the session.
    await expect.poll(textOf(page, 'state'), { timeout: 1000, interval: 20 }).toBe('idle');
    // The cut fades out over FADE_MS (10 ms), counted as played: then nothing more plays.
    await figuresSettled();
    const stoppedAt = await playedMs(page);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await playedMs(page)).toBe(stoppedAt);

    const requests = rig.tts.speechRequests().length;
    line.blocked = false;
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
    // The session stopped, and did not hand the page again the text it was playing.
    await expect.poll(() => rig.web.session.view().state, { timeout: 2000 }).toBe('idle');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(rig.web.session.view().state).toBe('idle');
    expect(rig.tts.speechRequests().length).toBe(requests);
    expect(await textOf(page, 'state')()).toBe('idle');
    await page.close();
  }, 60_000);

  it('pauses its own audio at once when Pause is pressed while cut off, and the session is paused when the page is back', async () => {
    const { page, line } = await openRouted();
    await playLong(page, 'A long text that is paused while the page is cut off.');
    line.blocked = true;
    await line.cut();
    await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
    await page.getByTestId('pause').click();
    await expect.poll(textOf(page, 'state'), { timeout: 1000, interval: 20 }).toBe('paused');
    await figuresSettled();
    const pausedAt = await playedMs(page);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await playedMs(page)).toBe(pausedAt);

    line.blocked = false;
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
    await expect.poll(() => rig.web.session.view().state, { timeout: 2000 }).toBe('paused');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(rig.web.session.view().state).toBe('paused');
    expect(await textOf(page, 'state')()).toBe('paused');
    await page.getByTestId('stop').click();
    await expect.poll(() => rig.web.session.view().state, { timeout: 2000 }).toBe('idle');
    await page.close();
  }, 60_000);

  it('says at once that a text asked for while cut off was not sent, and still says so once back', async () => {
    const { page, line } = await openRouted();
    line.blocked = true;
    await line.cut();
    await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
    const requests = rig.tts.speechRequests().length;
    await speakInPage(page, 'Asked for while cut off.', 'pcm');
    await expect.poll(textOf(page, 'error'), { timeout: 1000, interval: 20 }).toMatch(/This text was not sent/);
    line.blocked = false;
    // Back: the connection's trouble is no longer said, and the text not sent still is.
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toMatch(/^This text was not sent/);
    expect(await page.getByTestId('text-input').inputValue()).toBe('Asked for while cut off.');
    expect(rig.tts.speechRequests().length).toBe(requests);
    await page.close();
  }, 60_000);

  it('says at once that Skip and Previous pressed while cut off were not sent, in the player and the mini player', async () => {
    const { page, line } = await openRouted();
    await playLong(page, 'A long text that is skipped while the page is cut off.');
    const { page: mini, line: miniLine } = await openRouted(`${rig.web.url}#mini`);
    const textId = rig.web.session.view().current?.textId;
    line.blocked = true;
    await line.cut();
    await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
    await page.getByTestId('skip').click();
    await expect.poll(textOf(page, 'error'), { timeout: 1000, interval: 20 }).toMatch(/ Skip was not sent, as the page was not connected to utter web: press it again once it has reconnected\.$/);
    await page.getByTestId('previous').click();
    await expect.poll(textOf(page, 'error'), { timeout: 1000, interval: 20 }).toMatch(/ Previous was not sent, as the page was not connected to utter web/);

    miniLine.blocked = true;
    await miniLine.cut();
    await expect.poll(textOf(mini, 'error'), { timeout: 5_000 }).toMatch(LOST);
    await mini.getByTestId('skip').click();
    await expect.poll(textOf(mini, 'error'), { timeout: 1000, interval: 20 }).toMatch(/ Skip was not sent, as the page was not connected to utter web/);

    // Back, the buttons can be pressed again, and the session reads on the same text.
    line.blocked = false;
    miniLine.blocked = false;
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
    await expect.poll(textOf(mini, 'error'), { timeout: 15_000 }).toBe('');
    await expect.poll(textOf(page, 'state'), { timeout: 10_000, interval: 25 }).toBe('playing');
    expect(rig.web.session.view().current?.textId).toBe(textId);
    await page.getByTestId('stop').click();
    await expect.poll(() => rig.web.session.view().state, { timeout: 2000 }).toBe('idle');
    await mini.close();
    await page.close();
  }, 60_000);

  it('holds the rate and the format chosen while cut off for the session, and says that reading from a sentence was not sent', async () => {
    const { page, line } = await openRouted();
    await playLong(page, 'A long text whose rate is changed while the page is cut off. It has a second sentence to choose.');
    const before = rig.web.session.view();
    line.blocked = true;
    await line.cut();
    await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
    const shownRate = textOf(page, 'rate');
    const rateBefore = await shownRate();
    await page.getByTestId('rate-faster').click();
    await expect.poll(shownRate, { timeout: 1000, interval: 20 }).not.toBe(rateBefore);
    const rate = parseFloat((await shownRate()) ?? '');
    expect(rate).toBeGreaterThan(before.rate);
    await page.getByTestId('format-select').selectOption('mp3');
    await page.getByTestId('sentence').nth(1).click();
    await expect.poll(textOf(page, 'error'), { timeout: 1000, interval: 20 }).toMatch(/ Reading from that sentence was not sent, as the page was not connected to utter web/);
    // Nothing reached the session meanwhile.
    expect(rig.web.session.view()).toMatchObject({ rate: before.rate, format: before.format, current: { offset: before.current?.offset } });

    line.blocked = false;
    await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
    await expect.poll(() => rig.web.session.view().rate, { timeout: 2000 }).toBe(rate);
    expect(parseFloat((await shownRate()) ?? '')).toBe(rate);
    expect(rig.web.session.view().format).toBe('mp3');
    expect(await page.getByTestId('format-select').inputValue()).toBe('mp3');
    // The sentence chosen while cut off was not read from.
    expect(rig.web.session.view().current?.offset).toBe(before.current?.offset);
    await page.getByTestId('stop').click();
    await expect.poll(() => rig.web.session.view().state, { timeout: 2000 }).toBe('idle');
    await page.getByTestId('format-select').selectOption('pcm');
    await page.close();
  }, 60_000);

  it('holds Resume reading pressed while cut off, says so, and the session reads the saved text once the page is back', async () => {
    // A server whose last run left a long text half read: its pages offer to resume it.
    const home = mkdtempSync(join(tmpdir(), 'utter-cut-off-'));
    const sessionFile = join(home, 'web-session.json');
    const saved = 'A saved text that was read when utter web stopped. '.repeat(60);
    writeFileSync(sessionFile, JSON.stringify({ current: { text: saved, offset: 510 }, queued: [] }));
    const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: [rig.tts.url], idleTimeoutSec: 5, streamMaxBuffer: 10 };
    const web = await startWebServer({ root: RENDERER_BUILD, settings, version: 'test', sessionFile, heartbeatMs: BEAT_MS });
    try {
      const { page, line } = await openRouted(web.url);
      await page.getByTestId('resume-reading').waitFor();
      line.blocked = true;
      await line.cut();
      await expect.poll(textOf(page, 'error'), { timeout: 5_000 }).toMatch(LOST);
      await page.getByTestId('resume-reading').click();
      await expect.poll(textOf(page, 'notice'), { timeout: 1000, interval: 20 }).toBe('Reading resumes from where it stopped as soon as the page has reconnected to utter web.');
      // The offer goes, so it is not pressed twice.
      expect(await page.getByTestId('resume-reading').count()).toBe(0);
      expect(web.session.view().state).toBe('idle');

      line.blocked = false;
      await expect.poll(textOf(page, 'error'), { timeout: 15_000 }).toBe('');
      await expect.poll(() => web.session.view().current?.offset, { timeout: 2000 }).toBe(510);
      expect(web.session.view().resumable).toBeNull();
      await expect.poll(textOf(page, 'state'), { timeout: 15_000, interval: 25 }).toBe('playing');
      await page.getByTestId('stop').click();
      await expect.poll(() => web.session.view().state, { timeout: 2000 }).toBe('idle');
      await page.close();
    } finally {
      await web.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
