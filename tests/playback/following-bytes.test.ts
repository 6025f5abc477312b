import { beforeAll, describe, expect, it } from 'vitest';
import { STAT } from '../../shared/playback/stats';
import { end, loadHarness, pcm, RATE, segmentEnd, segmentStart, setup } from './feeder-harness';

/**
 * A learned pre-roll and a read that came whole: the engine cuts the read into chunks and
 * says how many bytes follow each. What follows is here already, so once the decoded part
 * covers the least pre-roll (30 ms), play starts on it instead of waiting for the rest to
 * be decoded.
 */
let speech: Float32Array;
beforeAll(async () => {
  speech = await loadHarness();
});

const frames = (milliseconds: number): number => Math.round((milliseconds / 1000) * RATE);
const chunk = (fromMs: number, toMs: number, following?: number) => ({ type: 'chunk' as const, segmentIndex: 0, bytes: pcm(speech.subarray(frames(fromMs), frames(toMs))), ...(following ? { following } : {}) });
const bytesOf = (milliseconds: number): number => frames(milliseconds) * 2;

describe('bytes that follow in the same read', () => {
  it('start play on the first chunk when it covers the least pre-roll, at 1×, and it plays through whole', async () => {
    const { stats, notices, send, render, playOut } = setup(1, 2000, { prerollMs: 120, prerollLearned: true });
    await send(segmentStart(0), chunk(0, 60, bytesOf(940)));
    // The worklet takes the utterance up, the feeder's timer runs: play starts on the 60 ms.
    await render(8);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBeGreaterThan(0);
    expect(notices.some((n) => n.type === 'slow-start')).toBe(false);
    await send(chunk(60, 1000), segmentEnd(0), end());
    await playOut();
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(frames(1000));
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
  });

  it('do not when the chunk says nothing follows: the pre-roll is waited for', async () => {
    const { stats, send, render } = setup(1, 2000, { prerollMs: 120, prerollLearned: true });
    await send(segmentStart(0), chunk(0, 60));
    await render(8);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(0);
  });

  it('do not when what is decoded is under the least pre-roll, however much follows', async () => {
    const { stats, send, render } = setup(1, 2000, { prerollMs: 120, prerollLearned: true });
    await send(segmentStart(0), chunk(0, 20, bytesOf(980)));
    await render(8);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(0);
  });

  it('do not when what follows falls short of the pre-roll', async () => {
    const { stats, send, render } = setup(1, 2000, { prerollMs: 120, prerollLearned: true });
    await send(segmentStart(0), chunk(0, 40, bytesOf(20)));
    await render(8);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(0);
  });
});
