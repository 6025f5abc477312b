import type { Page } from 'playwright-core';
import type { PulseAudio } from '../support/pulse';
import { findOnset } from '../support/recording';

/**
 * Records while `start` runs (it starts a player inside the page and returns the epoch ms it
 * did so, as an in-page click would) and `hold` lets it play: the epoch ms of the first sound
 * in the recording. Every player is judged by this one ear.
 */
export async function firstSoundHeard(pulse: PulseAudio, start: () => Promise<number>, hold: () => Promise<void>): Promise<{ heardAt: number; startedAt: number }> {
  // The player before may still be heard for an output latency after it stopped.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const recording = pulse.record();
  await recording.ready;
  const startedAt = await start();
  await hold();
  const audio = await recording.stop();
  // Only what was heard after the start is this player's.
  const from = Math.max(0, Math.floor(((startedAt - audio.startedAtMs) / 1000) * audio.sampleRate));
  const onset = findOnset(audio.samples.subarray(from), audio.sampleRate);
  if (onset < 0) throw new Error('the recording holds no sound after the start');
  return { heardAt: audio.startedAtMs + ((from + onset) / audio.sampleRate) * 1000, startedAt };
}

/**
 * Speaks `text` by an in-page click on Speak (a Playwright click adds tens of ms) while
 * PulseAudio records, for 400 ms of playing: when the first sound was heard, in ms after
 * the click, and the epoch ms of the click. Leaves the page playing.
 */
export async function clickSpeakToFirstSound(page: Page, pulse: PulseAudio, text: string): Promise<{ heardMs: number; clickedAt: number }> {
  await page.getByTestId('text-input').fill(text);
  const { heardAt, startedAt } = await firstSoundHeardOrWhy(page, () => firstSoundHeard(
    pulse,
    async () => (await page.evaluate(`(() => { const at = performance.timeOrigin + performance.now(); document.querySelector('[data-testid=speak]').click(); return at; })()`)) as number,
    async () => {
      // Waited for inside the page: polling it from here every 20 ms would load the machine
      // (and `utter web`'s loop, in this process) while the first audio is on its way, and
      // the other players are not watched while they start.
      // (A string, not waitForFunction: the page's CSP forbids eval.)
      await page.evaluate(`new Promise((resolve, reject) => {
        const until = Date.now() + 10000;
        const check = () => {
          if (document.querySelector('[data-testid=state]').textContent === 'playing') resolve();
          else if (Date.now() > until) reject(new Error('the player did not start playing within 10 s'));
          else setTimeout(check, 50);
        };
        check();
      })`);
      await new Promise((resolve) => setTimeout(resolve, 400));
    },
  ));
  return { heardMs: heardAt - startedAt, clickedAt: startedAt };
}

/** A take with no sound says what the player showed then: a flaky output and a silent player read alike otherwise. */
async function firstSoundHeardOrWhy<T>(page: Page, take: () => Promise<T>): Promise<T> {
  try {
    return await take();
  } catch (error) {
    const shown = async (id: string): Promise<string> => (await page.getByTestId(id).textContent({ timeout: 1000 }).catch(() => null)) ?? '-';
    const meters = ['state', 'underruns', 'metric-playedMs', 'metric-silenceMs', 'metric-outputDropoutMs', 'error', 'notice'];
    const seen = await Promise.all(meters.map(async (id) => `${id} ${JSON.stringify(await shown(id))}`));
    throw new Error(`${(error as Error).message}; the page showed ${seen.join(', ')}`, { cause: error });
  }
}
