import { beforeAll, describe, expect, it } from 'vitest';
import type { LinkCommand } from '../../shared/playback/link-protocol';
import { FADE_MS } from '../../shared/playback/player-core';
import { RATE_CUT_MS } from '../../shared/playback/ring-feeder';
import { STAT } from '../../shared/playback/stats';
import { end, loadHarness, pcm, RATE, segmentEnd, segmentStart, setup } from './feeder-harness';

/**
 * The playback rate in the decoder worker's logic: real speech (espeak-ng) as PCM events,
 * stretched by Sonic on its way into the ring, played by the worklet's logic. Lengths, the
 * credit and the buffer are all in played time.
 */
let speech: Float32Array;
beforeAll(async () => {
  speech = await loadHarness();
});

const credits = (commands: LinkCommand[]) => commands.filter((c): c is Extract<LinkCommand, { type: 'credit' }> => c.type === 'credit');

describe('the playback rate in the decoder worker', () => {
  it.each([0.5, 2, 3])('at %s× two sentences play for 1/rate as long, and drain after the last frame', async (rate) => {
    const { stats, notices, played, send, playOut } = setup(rate);
    // Three seconds of speech, two sentences (rendering at 0.5× takes as long as it plays).
    const text = speech.subarray(0, 3 * RATE);
    const half = text.length >> 1;
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(text.subarray(0, half)) }, segmentEnd(0));
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(text.subarray(half)) }, segmentEnd(1), end());
    await playOut();
    expect(notices.some((n) => n.type === 'drained')).toBe(true);
    const playedFrames = Atomics.load(stats, STAT.framesPlayed);
    // Sonic's flush at each sentence's end is exact to about a pitch period (≤ 12.5 ms of source
    // at 80 Hz) and its own rounding: measured 17 ms at 0.5×, 6 ms at 3× per sentence.
    const slackMs = 12.5 / rate + 5;
    expect(Math.abs(playedFrames - text.length / rate) / (RATE / 1000)).toBeLessThan(2 * slackMs);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    // The second sentence starts in the played stream where the first one's stretched audio ends.
    const anchors = notices.filter((n) => n.type === 'anchor');
    expect(anchors.map((n) => n.type === 'anchor' && [n.segment, n.rate])).toEqual([
      [0, rate],
      [1, rate],
    ]);
    const second = anchors[1];
    expect(second.type === 'anchor' && Math.abs(second.playedMs - (half / rate / RATE) * 1000)).toBeLessThan(slackMs);
    expect(second.type === 'anchor' && second.sourceMs).toBe(0);
    expect(played.length / 128).toBeGreaterThan(0);
  });

  it('at 1× nothing is stretched: every sample as decoded, none added', async () => {
    const { stats, played, send, playOut } = setup(1);
    const part = speech.subarray(0, 24000);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(part) }, segmentEnd(0), end());
    await playOut();
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(part.length);
    const expected = Array.from(part, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32767) / 32768);
    expect(played.slice(0, part.length).every((v, i) => Math.abs(v - expected[i]) < 1e-6)).toBe(true);
  });

  it.each([
    [2, 1000],
    [0.5, 4000],
  ])('at %s× counts what waits in played time: the credit and the meter say %s ms for 2 s of speech', async (rate, expectedMs) => {
    const { stats, commands, send, render } = setup(rate, 5000);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, 2 * RATE)) });
    await render(1);
    await send();
    // The worklet notes the ring's level as it renders: one quantum, right after the feeder's last top-up.
    await render(1);
    const credit = credits(commands).at(-1)!;
    expect(Math.abs(credit.bufferedMs - expectedMs)).toBeLessThan(expectedMs * 0.03);
    const ring = Atomics.load(stats, STAT.bufferedFrames);
    const waiting = Atomics.load(stats, STAT.pendingFrames);
    expect(Math.abs(((ring + waiting) / RATE) * 1000 - expectedMs)).toBeLessThan(expectedMs * 0.03);
    // decodedMs is in played time too: the engine projects the bytes in flight at this rate.
    expect(Math.abs(credit.decodedMs! - expectedMs)).toBeLessThan(expectedMs * 0.03);
  });

  it('leaving 1× cuts the full ring just ahead of the play position and stretches the rest anew: heard at once, nothing lost or repeated, no underrun', async () => {
    const { feeder, stats, notices, send, render, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech) }, segmentEnd(0), end());
    await render(60);
    // At 1× the ring fills as ever (robust against a starved worker).
    expect(Atomics.load(stats, STAT.bufferedFrames)).toBeGreaterThan(0.2 * RATE);
    const changedAt = Atomics.load(stats, STAT.framesPlayed);
    feeder.setRate(2);
    await render(40);
    // At 2× it fills as well: the next change cuts it too.
    expect(Atomics.load(stats, STAT.bufferedFrames)).toBeGreaterThan(0.2 * RATE);
    await playOut();
    const anchor = notices.find((n) => n.type === 'anchor' && n.rate === 2);
    expect(anchor?.type).toBe('anchor');
    if (anchor?.type !== 'anchor') return;
    const delayMs = anchor.playedMs - (changedAt / RATE) * 1000;
    expect(delayMs).toBeGreaterThanOrEqual(RATE_CUT_MS - 0.01);
    expect(delayMs).toBeLessThanOrEqual(RATE_CUT_MS + 10);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    // The cut ring is its own source: 2× takes up exactly where 1× stopped.
    expect(anchor.sourceMs).toBeCloseTo(anchor.playedMs, 6);
    const cut = (anchor.playedMs / 1000) * RATE;
    const expected = cut + (speech.length - cut) / 2;
    expect(Math.abs(Atomics.load(stats, STAT.framesPlayed) - expected) / (RATE / 1000)).toBeLessThan(20);
  });

  it('a change before anything is heard (during the pre-roll) stretches all of it: no 1× blip', async () => {
    const { feeder, stats, notices, send, render, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, 2 * RATE)) }, segmentEnd(0), end());
    // The worklet takes up the utterance (the ring still empty), then the feeder fills it at 1×.
    await render(1);
    await send();
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(0);
    feeder.setRate(2);
    await playOut();
    expect(notices.filter((n) => n.type === 'anchor').map((n) => n.type === 'anchor' && [n.rate, n.playedMs])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(Math.abs(Atomics.load(stats, STAT.framesPlayed) - RATE) / (RATE / 1000)).toBeLessThan(15);
  });

  it.each([
    [1.5, 3],
    [2, 1],
    [0.5, 1.25],
  ])('from %s× to %s× the full ring is cut just ahead and the source from there is stretched anew: heard at once, nothing lost or repeated', async (from, to) => {
    const { feeder, stats, notices, send, render, playOut } = setup(from);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech) }, segmentEnd(0), end());
    await render(60);
    // The ring is full at any rate (robust against a starved worker).
    expect(Atomics.load(stats, STAT.bufferedFrames)).toBeGreaterThan(0.2 * RATE);
    const changedAt = Atomics.load(stats, STAT.framesPlayed);
    feeder.setRate(to);
    await playOut();
    const anchor = notices.find((n) => n.type === 'anchor' && n.rate === to);
    if (anchor?.type !== 'anchor') throw new Error(`no anchor at ${to}×`);
    const delayMs = anchor.playedMs - (changedAt / RATE) * 1000;
    expect(delayMs).toBeGreaterThanOrEqual(RATE_CUT_MS - 0.01);
    expect(delayMs).toBeLessThanOrEqual(RATE_CUT_MS + 10);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    // The new rate takes up the source where the old one was cut, to about a pitch period.
    expect(Math.abs(anchor.sourceMs - anchor.playedMs * from)).toBeLessThan(15);
    const cutSource = anchor.playedMs * from * (RATE / 1000);
    const expected = (anchor.playedMs / 1000) * RATE + (speech.length - cutSource) / to;
    expect(Math.abs(Atomics.load(stats, STAT.framesPlayed) - expected) / (RATE / 1000)).toBeLessThan(25);
  });

  it('a change after the stream has ended, with all of it in the ring, plays the rest at the new rate: the worklet does not take the emptied ring for the end', async () => {
    const { feeder, stats, notices, send, render, playOut, renderNow } = setup(1);
    const part = speech.subarray(0, 2 * RATE);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(part) }, segmentEnd(0), end());
    await render(20);
    expect(Atomics.load(stats, STAT.ended)).toBe(1);
    feeder.setRate(2);
    // The worklet renders on before the worker looks again: it must wait for the refill.
    renderNow(40);
    await playOut();
    const anchor = notices.find((n) => n.type === 'anchor' && n.rate === 2);
    if (anchor?.type !== 'anchor') throw new Error('no anchor at 2×');
    const cut = (anchor.playedMs / 1000) * RATE;
    const expected = cut + (part.length - cut) / 2;
    expect(Math.abs(Atomics.load(stats, STAT.framesPlayed) - expected) / (RATE / 1000)).toBeLessThan(25);
  });

  it('what follows a cut fades in over FADE_MS: it starts mid-waveform', async () => {
    const { feeder, stats, notices, send, render, playOut, played } = setup(1);
    const level = 0.5;
    const steady = new Float32Array(2 * RATE).fill(level);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(steady) }, segmentEnd(0), end());
    await render(20);
    feeder.setRate(2);
    await playOut();
    expect(notices.some((n) => n.type === 'anchor' && n.rate === 2)).toBe(true);
    // The cut: the level fades out to silence (and may wait silent for the refill), then fades in again.
    const quiet = played.findIndex((v) => Math.abs(v) < 1e-3);
    const back = played.findIndex((v, i) => i > quiet && Math.abs(v) > 1e-4);
    const fade = Math.round((FADE_MS / 1000) * RATE);
    expect(quiet).toBeGreaterThan(0);
    expect(played[back]).toBeLessThan(level * 0.05);
    expect(played[back + (fade >> 1)]).toBeGreaterThan(level * 0.4);
    expect(played[back + (fade >> 1)]).toBeLessThan(level * 0.6);
    expect(played[back + fade + 10]).toBeCloseTo(level, 2);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
  });

  it('two changes in a row, the second before the first is heard, play the second rate', async () => {
    const { feeder, stats, notices, send, render, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech) }, segmentEnd(0), end());
    await render(60);
    feeder.setRate(2);
    feeder.setRate(3);
    await playOut();
    expect(notices.some((n) => n.type === 'anchor' && n.rate === 2)).toBe(false);
    expect(notices.some((n) => n.type === 'anchor' && n.rate === 3)).toBe(true);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
  });

  it('refuses a rate outside 0.5–3 with a message and keeps the one it had', async () => {
    const { feeder, commands, send } = setup(1.5);
    expect(() => feeder.setRate(4)).toThrow('The playback rate must be from 0.5× to 3×, not 4×.');
    expect(() => feeder.setRate(Number.NaN)).toThrow(/must be a number/);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, RATE)) });
    expect(Math.abs(credits(commands).at(-1)!.bufferedMs - 1000 / 1.5)).toBeLessThan(25);
  });
});
