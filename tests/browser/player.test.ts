import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { AUDIO_FORMATS } from '../../shared/audio-format';
import { fixture } from '../support/audio-files';
import { speakInPage, useWebRig } from '../support/utter-web';

/**
 * The whole app end to end where Electron cannot run: Debian's Chromium drives the real
 * renderer served by `utter web`, whose engine speaks to a real HTTP TTS server.
 */
const web = useWebRig();

/** Samples the page's own figures until the state reads idle again. */
async function playToEnd(player: Page, timeoutMs = 20_000) {
  const samples: { state: string; bufferMs: number; underruns: number }[] = [];
  await expect
    .poll(
      async () => {
        const sample = await player.evaluate(`({
          state: document.querySelector('[data-testid=state]').textContent,
          bufferMs: Number(document.querySelector('[data-testid=buffer-level]').dataset.ms),
          underruns: Number(document.querySelector('[data-testid=underruns]').textContent),
        })`) as { state: string; bufferMs: number; underruns: number };
        samples.push(sample);
        const error = await player.getByTestId('error').textContent();
        if (sample.state === 'error') return `error: ${error}`;
        return samples.some((s) => s.state === 'playing') ? sample.state : 'not started';
      },
      { timeout: timeoutMs, interval: 25 },
    )
    .toBe('idle');
  return samples;
}

describe('utter web in Chromium', () => {
  it('is cross-origin isolated', async () => {
    expect(await web.page.evaluate('crossOriginIsolated')).toBe(true);
  });

  it('keeps an audio socket open ahead of the next utterance, and one only', async () => {
    // The page's control socket and its worker's spare: a play claims the spare instead of
    // waiting for a handshake, and a new spare follows it.
    await expect.poll(() => web.rig.web.clientCount()).toBe(2);
    await speakInPage(web.page, 'One socket ahead.', 'pcm');
    await playToEnd(web.page);
    await expect.poll(() => web.rig.web.clientCount()).toBe(2);
  });

  it.each(AUDIO_FORMATS)('plays %s to the end with live metrics', async (format) => {
    await speakInPage(web.page, 'Hello from Utter. This is a streaming test.', format);
    const samples = await playToEnd(web.page);
    expect(await web.page.getByTestId('error').textContent()).toBe('');
    const ttfa = Number(await web.page.getByTestId('ttfa').getAttribute('data-ms'));
    expect(ttfa).toBeGreaterThan(0);
    expect(ttfa).toBeLessThan(3000);
    expect(Math.max(...samples.map((s) => s.bufferMs))).toBeGreaterThan(0);
    // Spec B4: max-buffer (2 s), plus two 4 KB chunks in flight, plus what one decode step
    // releases at once (see ring-feeder.test.ts); WebCodecs reports AAC output late, so the
    // engine learns its bitrate late and the credit window (32 KB) bounds it instead.
    const seconds = 7.94;
    const chunkMs = format === 'pcm' || format === 'wav' ? 85 : (4096 / (fixture(`speech.${format}`).length / seconds)) * 1000;
    const holdMs = { opus: 1000, flac: 350, aac: (32768 / (fixture('speech.aac').length / seconds)) * 1000 - 2 * chunkMs }[format as string] ?? 100;
    expect(Math.max(...samples.map((s) => s.bufferMs))).toBeLessThanOrEqual(2000 + 2 * chunkMs + holdMs);
  });
});
