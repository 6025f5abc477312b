import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../electron/engine/config';
import { startWebRig, speakInPage, waitForText, type WebRig } from '../support/utter-web';

/**
 * UTTER_STREAMING_ENABLED through the real page path: the variable, resolved like the app
 * and `utter web` resolve it, must make the page wait for each whole segment before it
 * decodes. Seen from the server's requests and the page's own time to first audio.
 */
let rig: WebRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Speaks in a page of a rig whose settings come from `env`; returns first audio and the body's time at the server. */
async function firstAudioAgainstBody(env: Record<string, string>): Promise<{ ttfaMs: number; bodyMs: number; streamingEnabled: boolean }> {
  const { streamingEnabled } = await loadSettings({ file: null, env });
  // 4× real time: the body takes seconds to arrive, while streaming plays within a tenth of one.
  rig = await startWebRig({ tts: { realtimeFactor: 4, ttfbMs: 100 }, settings: { streamingEnabled } });
  const page = await rig.open();
  await speakInPage(page, 'Hello from the environment.', 'pcm');
  await waitForText(page, 'state', 'playing', 20_000);
  const ttfaMs = Number(await page.getByTestId('ttfa').getAttribute('data-ms'));
  // The whole body first (a stop would cut it short), then stop.
  const [request] = rig.tts.speechRequests();
  await expect.poll(() => request.outcome, { timeout: 30_000 }).toBe('finished');
  await page.getByTestId('stop').click();
  const bodyMs = request.endedAt! - request.receivedAt;
  console.log(`streaming ${streamingEnabled}: first audio ${ttfaMs} ms after the click, body ${bodyMs.toFixed(0)} ms at the server`);
  return { ttfaMs, bodyMs, streamingEnabled };
}

describe('UTTER_STREAMING_ENABLED', () => {
  it('false: the page plays only after the whole body arrived', async () => {
    const { ttfaMs, bodyMs, streamingEnabled } = await firstAudioAgainstBody({ UTTER_STREAMING_ENABLED: 'false' });
    expect(streamingEnabled).toBe(false);
    expect(bodyMs).toBeGreaterThan(1000);
    // Measured from the click, which comes before the request reaches the server.
    expect(ttfaMs).toBeGreaterThanOrEqual(bodyMs);
  }, 60_000);

  it('unset: the page plays while the body still streams', async () => {
    const { ttfaMs, bodyMs, streamingEnabled } = await firstAudioAgainstBody({});
    expect(streamingEnabled).toBe(true);
    expect(ttfaMs).toBeLessThan(bodyMs / 2);
  }, 60_000);
});
