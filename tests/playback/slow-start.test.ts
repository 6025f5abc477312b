import { beforeAll, describe, expect, it } from 'vitest';
import type { FeederNotice } from '../../shared/playback/feeder-types';
import { SLOWEST_START, slowStartRate } from '../../shared/playback/slow-start';
import { STAT } from '../../shared/playback/stats';
import { end, loadHarness, pcm, RATE, segmentEnd, segmentStart, setup } from './feeder-harness';

/**
 * A learned pre-roll that the first read falls a little short of: the opening is stretched
 * to last it, so play starts on that read instead of a whole gap later, and still outlasts
 * the gap the pre-roll was learned for.
 */
let speech: Float32Array;
beforeAll(async () => {
  speech = await loadHarness();
});

const Q = 128;
const ms = (frames: number): number => (frames / RATE) * 1000;
const frames = (milliseconds: number): number => Math.round((milliseconds / 1000) * RATE);
const anchors = (notices: FeederNotice[]) => notices.flatMap((n) => (n.type === 'anchor' ? [n] : []));

describe('slowStartRate', () => {
  it('stretches only what is short of the pre-roll by no more than a third, within the rates a listener may choose', () => {
    expect(slowStartRate(100, 120, 1)).toBeCloseTo(100 / 120, 9);
    expect(slowStartRate(100, 120, 2)).toBeCloseTo(200 / 120, 9);
    // Enough in hand: no stretch. Too little: wait for more.
    expect(slowStartRate(120, 120, 1)).toBeNull();
    expect(slowStartRate(SLOWEST_START * 120 - 1, 120, 1)).toBeNull();
    expect(slowStartRate(0, 120, 1)).toBeNull();
    // 0.5× slowed further would leave the range Sonic is used in.
    expect(slowStartRate(100, 120, 0.5)).toBeNull();
    expect(slowStartRate(Number.NaN, 120, 1)).toBeNull();
    // Aimed past the pre-roll by the slack when that stays within a third; else at the pre-roll.
    expect(slowStartRate(100, 120, 1, 10)).toBeCloseTo(100 / 130, 9);
    expect(slowStartRate(92, 120, 1, 10)).toBeCloseTo(92 / 120, 9);
  });
});

describe('the slow start of a learned pre-roll (spec B2)', () => {
  it('starts on a first read 100 ms long against a 120 ms pre-roll, outlasts a 107 ms gap, then plays at 1×', async () => {
    const { stats, notices, send, render, renderNow, playOut } = setup(1, 2000, { prerollMs: 120, prerollLearned: true });
    const first = speech.subarray(0, frames(100));
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(first) });
    await render(1);
    await send();
    // The ring holds the opening stretched to the whole pre-roll (aimed 10 ms past it, as Sonic's flush comes out short), and play may start on it.
    expect(ms(Atomics.load(stats, STAT.startFrames))).toBe(120);
    expect(notices.find((n) => n.type === 'slow-start')).toMatchObject({ type: 'slow-start', sourceMs: 100 });
    // The next read is 107 ms late (a gap the fixed 1× start on 100 ms would not outlast).
    renderNow(Math.floor(frames(107) / Q));
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(Math.floor(frames(107) / Q) * Q);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    const rest = speech.subarray(frames(100), frames(2000));
    await send({ type: 'chunk', segmentIndex: 0, bytes: pcm(rest) }, segmentEnd(0), end());
    await playOut();
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    // Heard at 0.83× for the first 100 ms of speech, then at 1× from where it left off.
    const [slow, normal, ...others] = anchors(notices);
    expect(others).toEqual([]);
    expect(slow.rate).toBeCloseTo(100 / 130, 6);
    expect(slow.playedMs).toBe(0);
    expect(normal.rate).toBe(1);
    expect(normal.playedMs).toBeGreaterThanOrEqual(120);
    expect(normal.playedMs).toBeLessThan(131);
    expect(Math.abs(normal.sourceMs - 100)).toBeLessThan(8);
    // Nothing lost or repeated: 2 s of speech played in 2 s and 20–30 ms, to Sonic's pitch period.
    expect(Math.abs(ms(Atomics.load(stats, STAT.framesPlayed)) - 2025)).toBeLessThan(15);
  });

  it('leaves a leading silence as it is and slows what follows: the first sound is not put off', async () => {
    const { stats, notices, played, send, render, renderNow, playOut } = setup(1, 2000, { prerollMs: 150, prerollLearned: true });
    // 30 ms of silence, then 100 ms of speech (loud from its first sample): 130 ms in hand.
    const opening = new Float32Array(frames(130));
    opening.set(speech.subarray(0, frames(100)), frames(30));
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(opening) });
    await render(1);
    await send();
    renderNow(Math.floor(frames(140) / Q));
    await send({ type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(frames(100), frames(1000))) }, segmentEnd(0), end());
    await playOut();
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    // Heard at 30 ms, not at 30 ms ÷ 0.81 (37 ms) as it would be with all 130 ms slowed.
    const onset = played.findIndex((v) => Math.abs(v) >= 0.003);
    expect(Math.abs(ms(onset) - 30)).toBeLessThan(0.5);
    expect(notices.find((n) => n.type === 'slow-start')).toMatchObject({ sourceMs: 100 });
    const [silence, slow, normal, ...others] = anchors(notices);
    expect(others).toEqual([]);
    expect([silence.rate, silence.playedMs]).toEqual([1, 0]);
    // 100 ms slowed to the 120 ms left of the pre-roll and the slack (the speech's first few samples are under the quiet level too).
    expect(slow.rate).toBeCloseTo(100 / 130, 3);
    expect(Math.abs(slow.playedMs - 30)).toBeLessThan(1);
    expect(normal.rate).toBe(1);
    expect(normal.playedMs).toBeGreaterThanOrEqual(150);
    expect(normal.playedMs).toBeLessThan(161);
  });

  it('a first read under three quarters of the pre-roll waits for the next, which plays at 1×', async () => {
    const { stats, notices, send, render, renderNow, playOut } = setup(1, 2000, { prerollMs: 120, prerollLearned: true });
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, frames(60))) });
    await render(8);
    await send();
    renderNow(20);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(0);
    await send({ type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(frames(60), frames(1000))) }, segmentEnd(0), end());
    await playOut();
    expect(notices.some((n) => n.type === 'slow-start')).toBe(false);
    expect(anchors(notices).map((a) => a.rate)).toEqual([1]);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(frames(1000));
  });

  it('at 2× the opening plays at 2 × 100/130 and then at 2×', async () => {
    const { stats, notices, send, render, playOut } = setup(2, 2000, { prerollMs: 120, prerollLearned: true });
    // 200 ms of speech is 100 ms at 2×.
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, frames(200))) });
    await render(1);
    await send();
    expect(notices.find((n) => n.type === 'slow-start')).toMatchObject({ sourceMs: 200 });
    await send({ type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(frames(200), frames(2000))) }, segmentEnd(0), end());
    await playOut();
    const rates = anchors(notices).map((a) => a.rate);
    expect(rates[0]).toBeCloseTo(200 / 130, 6);
    expect(rates.slice(1)).toEqual([2]);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    // 2 s of speech at 2× is 1 s, plus the 20–30 ms the opening was drawn out by.
    expect(Math.abs(ms(Atomics.load(stats, STAT.framesPlayed)) - 1025)).toBeLessThan(15);
  });
});
