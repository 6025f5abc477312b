import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { PRELOAD_STANDIN } from '../support/preload-standin';
import { startTtsServer, type RecordedRequest, type TtsServer } from '../support/tts-server';
import { spawnUtterWeb, waitForText } from '../support/utter-web';

/**
 * Every UTTER_* variable through the real page path: `utter web` started with it (the same
 * layering as the app: defaults < settings file < environment < flags), its session, and a
 * player page under the Electron stand-in. Each is seen where it acts: the server's request,
 * the page's metrics, the chunks main sends down the port.
 */
let browser: BrowserContext;
let tts: TtsServer;
beforeAll(async () => {
  tts = await startTtsServer({ apiKey: 'sk-from-the-environment' });
  browser = await launchChromium();
  await browser.addInitScript(PRELOAD_STANDIN);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await tts?.close();
});

interface Played {
  page: Page;
  request: RecordedRequest | undefined;
  /** Every sample of the page's figures while it played. */
  samples: { bufferMs: number; prerollMs: number }[];
  chunkBytes: number[];
  ttfaMs: number;
  /** Wall-clock ms the first sample was heard. */
  heardAt: number;
}

/** Runs `utter web` with `env` (on top of the test server's URL and key), speaks `text` in a player page for 1.5 s. */
async function speakWith(env: Record<string, string>, text = 'Hello from the environment.'): Promise<Played> {
  const home = mkdtempSync(join(tmpdir(), 'utter-env-'));
  const base = { ...process.env, XDG_CONFIG_HOME: home, UTTER_SOCKET: join(home, 'utter.sock'), UTTER_API_KEY: 'sk-from-the-environment', UTTER_BASE_URL: tts.url };
  const { child, url } = await spawnUtterWeb([], { ...base, ...env });
  const page = await browser.newPage();
  try {
    const before = tts.speechRequests().length;
    await page.goto(url.href);
    await page.getByTestId('text-input').fill(text);
    await page.getByTestId('speak').click();
    await waitForText(page, 'state', 'playing', 20_000);
    const samples: Played['samples'] = [];
    const number = async (id: string): Promise<number> => parseFloat((await page.getByTestId(id).textContent()) ?? '0');
    const until = Date.now() + 1500;
    while (Date.now() < until && (await page.getByTestId('state').textContent()) !== 'idle') {
      samples.push({ bufferMs: Number(await page.getByTestId('buffer-level').getAttribute('data-ms')), prerollMs: await number('metric-prerollMs') });
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect.poll(() => page.getByTestId('ttfa').getAttribute('data-ms'), { timeout: 10_000 }).not.toBe('');
    expect(await page.getByTestId('error').textContent()).toBe('');
    // Checked and clicked in one step in the page: a short text may end between two Playwright calls.
    await page.evaluate(`(() => { const stop = document.querySelector('[data-testid="stop"]'); if (stop && !stop.disabled) stop.click(); })()`);
    return {
      page,
      request: tts.speechRequests().slice(before)[0],
      samples,
      chunkBytes: (await page.evaluate('window.mainProcess.chunkBytes')) as number[],
      ttfaMs: Number(await page.getByTestId('ttfa').getAttribute('data-ms')),
      heardAt: Number(await page.getByTestId('ttfa').getAttribute('data-heard-at')),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('every UTTER_* variable, in the page', () => {
  it('UTTER_BASE_URL and UTTER_API_KEY: the server named, with the key', async () => {
    const { request } = await speakWith({});
    expect(request?.headers.authorization).toBe('Bearer sk-from-the-environment');
  }, 60_000);

  it('UTTER_PROVIDER=local: the embedded voice, no request to the server', async () => {
    const { request, page } = await speakWith({ UTTER_PROVIDER: 'local' });
    expect(request).toBeUndefined();
    expect(await page.getByTestId('source').textContent()).toBe('Embedded voice (eSpeak NG)');
  }, 60_000);

  it.each([
    ['UTTER_MODEL', 'tts-1-hd', { model: 'tts-1-hd' }],
    ['UTTER_VOICE', 'nova', { voice: 'nova' }],
    ['UTTER_SPEED', '1.5', { speed: 1.5 }],
    ['UTTER_FORMAT', 'opus', { response_format: 'opus' }],
  ])('%s=%s reaches the request', async (name, value, body) => {
    const { request } = await speakWith({ [name]: value });
    expect(request?.body).toMatchObject(body);
  }, 60_000);

  it('UTTER_INSTRUCTIONS reaches a model that takes them', async () => {
    const { request } = await speakWith({ UTTER_INSTRUCTIONS: 'Speak warmly.', UTTER_MODEL: 'gpt-4o-mini-tts' });
    expect(request?.body).toMatchObject({ instructions: 'Speak warmly.', model: 'gpt-4o-mini-tts' });
  }, 60_000);

  it('UTTER_STRIP_MARKDOWN: on, the markup is not spoken; off, it is', async () => {
    expect((await speakWith({ UTTER_STRIP_MARKDOWN: 'true' }, '**Bold** words.')).request?.body.input).toBe('Bold words.');
    expect((await speakWith({ UTTER_STRIP_MARKDOWN: 'false' }, '**Bold** words.')).request?.body.input).toBe('**Bold** words.');
  }, 60_000);

  it('UTTER_SETTINGS: the settings file named', async () => {
    const home = mkdtempSync(join(tmpdir(), 'utter-settings-'));
    writeFileSync(join(home, 'settings.json'), JSON.stringify({ voice: 'echo' }));
    const played = await speakWith({ UTTER_SETTINGS: join(home, 'settings.json') });
    expect(played.request?.body).toMatchObject({ voice: 'echo' });
  }, 60_000);

  it('UTTER_STREAM_CHUNK_SIZE: main sends the audio in chunks up to that size', async () => {
    const { chunkBytes } = await speakWith({ UTTER_STREAM_CHUNK_SIZE: '1024' });
    expect(Math.max(...chunkBytes)).toBe(1024);
    expect(chunkBytes.filter((n) => n === 1024).length).toBeGreaterThan(chunkBytes.length / 2);
    const { chunkBytes: defaults } = await speakWith({});
    expect(Math.max(...defaults)).toBe(4096);
  }, 60_000);

  it('UTTER_STREAM_MAX_BUFFER: the page holds no more than that', async () => {
    const small = await speakWith({ UTTER_STREAM_MAX_BUFFER: '0.5' });
    const large = await speakWith({ UTTER_STREAM_MAX_BUFFER: '4' });
    const peak = (played: Played) => Math.max(...played.samples.map((s) => s.bufferMs));
    // One 4 KB chunk of 24 kHz pcm is 85 ms, decoded at once: the bound is max-buffer plus that.
    expect(peak(small)).toBeLessThanOrEqual(500 + 2 * 85);
    expect(peak(large)).toBeGreaterThan(1000);
  }, 90_000);

  it('UTTER_STREAM_BUFFER_MS: the page waits for that much audio before it plays', async () => {
    // At real time the stream is not fast enough for the least pre-roll: the setting holds.
    tts.set({ realtimeFactor: 1.2 });
    try {
      const played = await speakWith({ UTTER_STREAM_BUFFER_MS: '400' });
      // The setting is what it started with; an underrun on a loaded machine may have grown it by half since (spec B2).
      expect(await played.page.getByTestId('preroll-reason').textContent()).toMatch(/^(400 ms: the setting|grown after an underrun \(it started at 400 ms: the setting)/);
      expect([400, 600]).toContain(played.samples[0].prerollMs);
    } finally {
      tts.set({ realtimeFactor: undefined });
    }
  }, 60_000);

  it('UTTER_STREAMING_ENABLED=false: the page decodes each segment only once it has all of it', async () => {
    // At 2× real time the body takes about 4 s: a cold page's first audio, slow on a loaded machine, is still well inside its first half.
    tts.set({ realtimeFactor: 2, ttfbMs: 100 });
    try {
      const streaming = await speakWith({});
      const whole = await speakWith({ UTTER_STREAMING_ENABLED: 'false' });
      // Timed against the server's own record of the body, on the wall clock both share, so a
      // slow start of a fresh process on a loaded machine moves both ends alike.
      const wallClock = (at: number) => performance.timeOrigin + at;
      const bodyMs = (r: Played) => r.request!.endedAt! - r.request!.receivedAt;
      const heardAfterAsked = (r: Played) => r.heardAt - wallClock(r.request!.receivedAt);
      console.log(`streaming: heard ${heardAfterAsked(streaming).toFixed(0)} ms after the request arrived, body ${bodyMs(streaming).toFixed(0)} ms; off: heard ${heardAfterAsked(whole).toFixed(0)} ms, body ${bodyMs(whole).toFixed(0)} ms`);
      expect(bodyMs(whole)).toBeGreaterThan(1000);
      expect(whole.heardAt).toBeGreaterThanOrEqual(wallClock(whole.request!.endedAt!));
      expect(heardAfterAsked(streaming)).toBeLessThan(bodyMs(streaming) / 2);
    } finally {
      tts.set({ realtimeFactor: undefined, ttfbMs: undefined });
    }
  }, 90_000);
});
