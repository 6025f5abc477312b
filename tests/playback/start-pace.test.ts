import { beforeAll, describe, expect, it } from 'vitest';
import type { LinkEvent } from '../../shared/playback/link-protocol';
import { STAT } from '../../shared/playback/stats';
import { loadHarness, pcm, RATE, segmentStart, setup } from './feeder-harness';

/**
 * Spec B2's fast start is judged on the link's pace as the engine read it (each chunk's
 * readMs), not on when the decoder worker got round to each chunk: a worker busy or cold on
 * its first chunk, or one that takes a backlog at once, would misjudge the link.
 */
let speech: Float32Array;
beforeAll(async () => {
  speech = await loadHarness();
});

const READ_MS = 85;
const frames = (ms: number): number => Math.round((ms / 1000) * RATE);
const startMs = (stats: Int32Array): number => (Atomics.load(stats, STAT.startFrames) / RATE) * 1000;

/** The i-th read of a link at `pace`× real time: 85 ms of speech, read at the engine's clock (none if `stamped` is false). */
function read(i: number, pace: number, stamped = true): LinkEvent {
  const bytes = pcm(speech.subarray(frames(i * READ_MS), frames((i + 1) * READ_MS)));
  return { type: 'chunk', segmentIndex: 0, bytes, ...(stamped ? { readMs: 5000 + (i * READ_MS) / pace } : {}) };
}

describe('the fast start is timed by the network reads (spec B2)', () => {
  it('a worker late to its first chunk does not take a 1.2× link for a fast one', async () => {
    const { stats, send } = setup(1, 2000, { prerollMs: 200 });
    // The first chunk was handled about 50 ms late (a cold decoder): the second, read 71 ms
    // after it, comes some 20 ms after it here (send's turns). On this side's clock that is 4× real time.
    await send(segmentStart(0), read(0, 1.2));
    await send(read(1, 1.2));
    expect(startMs(stats)).toBe(200);
  });

  it('a 4× link whose reads arrive as one backlog is still a fast one: it starts at the floor', async () => {
    const { stats, send } = setup(1, 2000, { prerollMs: 200 });
    await send(segmentStart(0), ...[0, 1, 2, 3].map((i) => read(i, 4)));
    expect(startMs(stats)).toBe(30);
  });

  it('the same backlog at 1.2× keeps the setting', async () => {
    const { stats, send } = setup(1, 2000, { prerollMs: 200 });
    await send(segmentStart(0), ...[0, 1, 2, 3].map((i) => read(i, 1.2)));
    expect(startMs(stats)).toBe(200);
  });

  it('unstamped chunks (no network read behind them) are timed as they come: a backlog is one burst', async () => {
    const { stats, send } = setup(1, 2000, { prerollMs: 200 });
    await send(segmentStart(0), ...[0, 1, 2, 3].map((i) => read(i, 4, false)));
    expect(startMs(stats)).toBe(200);
  });
});
