import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { launchChromium } from '../support/browser';
import { closedPort } from '../support/closed-port';
import { startTtsServer, toneAudio, type TtsServer } from '../support/tts-server';
import { speakInPage } from '../support/utter-web';

/**
 * A page whose `utter web` goes away and comes back (restarted, as after an update or a
 * crash; the same goes for a network drop or a laptop that slept): the page says it lost
 * the connection, connects again by itself, and is again what it was, the page that plays
 * or one that follows. Each `utter web` here is a new process's worth of state on the same
 * port and token, as a user who restarts it with `--port` and a fixed token gets.
 */
const TOKEN = 'reconnect-test-token-0123';
const LOST = /^Lost the connection to utter web/;
const REFUSED = /^utter web refused this page/;

let tts: TtsServer;
let browser: BrowserContext;
let settings: Settings;
let port: number;
let web: WebServer | null = null;

/** A fresh `utter web` on the test's port: a new session, nothing of the last one kept. */
async function startUtterWeb(token = TOKEN, changed: Partial<Settings> = {}): Promise<WebServer> {
  web = await startWebServer({ root: RENDERER_BUILD, settings: { ...settings, ...changed }, version: 'test', token, port });
  return web;
}

async function stopUtterWeb(): Promise<void> {
  await web?.close();
  web = null;
}

async function open(hash = ''): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  // What the page says of its reconnections, in the log of a run that fails (one stayed "buffering" once in CI).
  page.on('console', (message) => void (['warning', 'error'].includes(message.type()) && console.error(`page ${message.type()}: ${message.text()}`)));
  await page.goto(`${web!.url}${hash}`);
  await page.getByTestId(hash === '#mini' ? 'open-player' : 'format-select').waitFor();
  return page;
}

const textOf = (page: Page, testId: string) => () => page.getByTestId(testId).textContent().catch(() => '');

/** Speaks `text` and waits until the page has shown it playing, then idle again. */
async function speakToEnd(page: Page, text: string): Promise<void> {
  await speakInPage(page, text, 'pcm');
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const state = (await textOf(page, 'state')()) ?? '';
        seen.push(state);
        if (state === 'error') return `error: ${await textOf(page, 'error')()}`;
        return seen.includes('playing') ? state : `not playing yet (${state}; error: "${await textOf(page, 'error')()}")`;
      },
      { timeout: 20_000, interval: 25 },
    )
    .toBe('idle');
}

beforeAll(async () => {
  tts = await startTtsServer({ audio: { pcm: toneAudio(3) } });
  settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [tts.url], idleTimeoutSec: 5 };
  port = await closedPort();
  browser = await launchChromium();
}, 60_000);
afterEach(async () => {
  for (const page of browser.pages()) await page.close();
  await stopUtterWeb();
});
afterAll(async () => {
  await browser?.close();
  await tts?.close();
});

describe('a page whose utter web restarts', () => {
  it('says it lost the connection, reconnects by itself, plays again, and the mini player follows the new session', async () => {
    await startUtterWeb();
    const player = await open();
    const mini = await open('#mini');
    await speakToEnd(player, 'Before the restart.');

    await stopUtterWeb();
    await expect.poll(textOf(player, 'error'), { timeout: 5_000 }).toMatch(LOST);
    await expect.poll(textOf(mini, 'error'), { timeout: 5_000 }).toMatch(LOST);

    await startUtterWeb();
    // No reload: the pages connect again on their own, and say nothing more of it.
    await expect.poll(textOf(player, 'error'), { timeout: 15_000 }).toBe('');
    await expect.poll(textOf(mini, 'error'), { timeout: 15_000 }).toBe('');
    expect(web!.clientCount()).toBeGreaterThanOrEqual(2);

    // This page is the one that plays again: the new session hands it the text, and the mini
    // player, which only follows, hears of it from the new session too.
    const before = tts.speechRequests().length;
    await speakInPage(player, 'After the restart.', 'pcm');
    await expect.poll(textOf(mini, 'reading'), { timeout: 15_000, interval: 25 }).toBe('After the restart.');
    await expect.poll(textOf(player, 'reading'), { timeout: 5_000, interval: 25 }).toBe('After the restart.');
    await expect.poll(() => web!.session.view().state, { timeout: 15_000, interval: 25 }).toBe('idle');
    expect(tts.speechRequests().slice(before).map((request) => request.body.input)).toEqual(['After the restart.']);
    expect(await textOf(player, 'error')()).toBe('');
    await speakToEnd(player, 'And once more.');
  }, 90_000);

  it('shows the settings as the utter web it reconnected to has them: a change made while cut off is not missed', async () => {
    await startUtterWeb();
    const player = await open();
    const streamingOff = () => player.getByText('Streaming is off').count();
    expect(await streamingOff()).toBe(0);
    await stopUtterWeb();
    await expect.poll(textOf(player, 'error'), { timeout: 5_000 }).toMatch(LOST);
    await startUtterWeb(TOKEN, { streamingEnabled: false });
    await expect.poll(textOf(player, 'error'), { timeout: 15_000 }).toBe('');
    await expect.poll(streamingOff, { timeout: 5_000 }).toBe(1);
  }, 60_000);

  it('says plainly when the new utter web refuses its token, asks only every few seconds, and comes back once the right one runs', async () => {
    await startUtterWeb();
    const player = await open();
    await stopUtterWeb();
    await expect.poll(textOf(player, 'error'), { timeout: 5_000 }).toMatch(LOST);

    await startUtterWeb('another-token-4567890');
    await expect.poll(textOf(player, 'error'), { timeout: 15_000 }).toMatch(REFUSED);
    // Refused: it keeps asking, at the slowest pace, not four times a second.
    let attempts = 0;
    const count = (socket: { url(): string }): void => void (socket.url().includes('/control') && attempts++);
    player.on('websocket', count);
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    player.off('websocket', count);
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(2);
    expect(await textOf(player, 'error')()).toMatch(REFUSED);

    await stopUtterWeb();
    await startUtterWeb();
    await expect.poll(textOf(player, 'error'), { timeout: 15_000 }).toBe('');
    await speakToEnd(player, 'Back with the right token.');
  }, 90_000);
});
