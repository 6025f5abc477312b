import { describe, expect, it } from 'vitest';
import { toneAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';

/**
 * What the player page costs its machine: nothing while idle (a tray app's window may stay
 * open all day), and a few layouts a second while playing, not one per frame. Counted, not
 * timed: animation-frame callbacks by a wrapper installed before the page's scripts, and
 * layouts by Chromium's own counter.
 */
const web = useWebRig({
  tts: { realtimeFactor: 1, audio: { pcm: toneAudio(8, 'pcm') } },
  initScript: `(() => {
    window.__frames = 0;
    const request = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (callback) => request((now) => { window.__frames++; callback(now); });
  })()`,
});

const frames = async (): Promise<number> => (await web.page.evaluate('window.__frames')) as number;

describe('the player page', () => {
  it('asks for no animation frames while idle, and lays out a few times a second while playing', async () => {
    // Past the loops' tail after the page opened.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const idleFrom = await frames();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await frames()).toBe(idleFrom);

    const cdp = await web.page.context().newCDPSession(web.page);
    await cdp.send('Performance.enable');
    const layouts = async (): Promise<number> => ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.find((m) => m.name === 'LayoutCount')!.value;
    await speakInPage(web.page, 'A steady tone.', 'pcm');
    await waitForText(web.page, 'state', 'playing', 10_000);
    const playingFrom = await frames();
    const layoutsFrom = await layouts();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const perSecond = (await layouts() - layoutsFrom) / 3;
    // The meters move while playing (frames run) but are written 10 times a second.
    expect(await frames()).toBeGreaterThan(playingFrom + 30);
    expect(perSecond).toBeLessThan(20);
    console.log(`page cost: ${perSecond.toFixed(1)} layouts a second while playing`);
    await web.page.getByTestId('stop').dispatchEvent('click');
    await waitForText(web.page, 'state', 'idle', 5000);
  }, 30_000);
});
