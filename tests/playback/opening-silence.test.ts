import { beforeAll, describe, expect, it } from 'vitest';
import type { FeederNotice } from '../../shared/playback/feeder-types';
import { KEEP_BEFORE_SOUND_MS, MOST_OPENING_DROPPED_MS } from '../../shared/playback/ring-feeder';
import { STAT } from '../../shared/playback/stats';
import { end, loadHarness, pcm, RATE, segmentEnd, segmentStart, setup } from './feeder-harness';

/**
 * Servers open each answer with a silence (Kokoro about 300 ms, others up to 700): the
 * utterance's opening silence is dropped but for its last KEEP_BEFORE_SOUND_MS, so the first
 * sound is heard that much sooner, and the words are still followed where they are.
 */
let speech: Float32Array;
beforeAll(async () => {
  speech = await loadHarness();
});

const frames = (milliseconds: number): number => Math.round((milliseconds / 1000) * RATE);
const ms = (count: number): number => (count / RATE) * 1000;
/** Where the first sample over −50 dBFS is in what was played (ms), the way a listener hears it begin. */
const firstSoundMs = (played: number[]): number => ms(played.findIndex((v) => Math.abs(v) >= 0.003));
const anchors = (notices: FeederNotice[]) => notices.flatMap((n) => (n.type === 'anchor' ? [n] : []));
const quietThen = (quietMs: number, soundMs: number): Float32Array => {
  const audio = new Float32Array(frames(quietMs + soundMs));
  audio.set(speech.subarray(0, frames(soundMs)), frames(quietMs));
  return audio;
};

describe("an utterance's opening silence", () => {
  it('is dropped but for its last 50 ms: the first sound is heard 250 ms sooner, and the words are followed where they are in the source', async () => {
    expect(firstSoundMs([...speech])).toBeLessThan(0.1);
    const { stats, notices, played, send, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(quietThen(300, 1000)) }, segmentEnd(0), end());
    await playOut();
    expect(firstSoundMs(played)).toBeCloseTo(KEEP_BEFORE_SOUND_MS, 0);
    expect(ms(Atomics.load(stats, STAT.framesPlayed))).toBeCloseTo(KEEP_BEFORE_SOUND_MS + 1000, 0);
    // What is played from the start is the source from 250 ms on.
    expect(anchors(notices)[0]).toMatchObject({ segment: 0, playedMs: 0, rate: 1 });
    expect(anchors(notices)[0].sourceMs).toBeCloseTo(300 - KEEP_BEFORE_SOUND_MS, 0);
    // The player's metrics say so.
    expect(ms(Atomics.load(stats, STAT.openingDroppedFrames))).toBeCloseTo(300 - KEEP_BEFORE_SOUND_MS, 0);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
  });

  it('arriving in pieces, is dropped as it comes: nothing starts until the first sound is in hand', async () => {
    const { stats, played, send, render, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(new Float32Array(frames(200))) });
    await render(40);
    // 200 ms of silence in hand would have started the 100 ms pre-roll: it is no start.
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(0);
    await send({ type: 'chunk', segmentIndex: 0, bytes: pcm(quietThen(200, 800)) }, segmentEnd(0), end());
    await playOut();
    expect(firstSoundMs(played)).toBeCloseTo(KEEP_BEFORE_SOUND_MS, 0);
    expect(ms(Atomics.load(stats, STAT.framesPlayed))).toBeCloseTo(KEEP_BEFORE_SOUND_MS + 800, 0);
  });

  it('is dropped no further than MOST_OPENING_DROPPED_MS: a longer quiet is no lead-in, and what follows plays as it is', async () => {
    const { stats, played, send, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(quietThen(2500, 500)) }, segmentEnd(0), end());
    await playOut();
    expect(firstSoundMs(played)).toBeCloseTo(2500 - MOST_OPENING_DROPPED_MS, 0);
    expect(ms(Atomics.load(stats, STAT.framesPlayed))).toBeCloseTo(3000 - MOST_OPENING_DROPPED_MS, 0);
  });

  it('ends with its segment: a first segment quiet throughout keeps its last 50 ms, and the next plays whole from its start', async () => {
    const { stats, notices, played, send, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(new Float32Array(frames(400))) }, segmentEnd(0));
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(quietThen(100, 600)) }, segmentEnd(1), end());
    await playOut();
    expect(firstSoundMs(played)).toBeCloseTo(KEEP_BEFORE_SOUND_MS + 100, 0);
    expect(ms(Atomics.load(stats, STAT.framesPlayed))).toBeCloseTo(KEEP_BEFORE_SOUND_MS + 700, 0);
    expect(anchors(notices).map(({ segment }) => segment)).toEqual([0, 1]);
    expect(anchors(notices)[1].sourceMs).toBe(0);
  });

  it('of an utterance quiet throughout, is played for its last 50 ms and the utterance ends: no hang', async () => {
    const { stats, notices, send, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(new Float32Array(frames(300))) }, segmentEnd(0), end());
    await playOut();
    expect(notices.some((n) => n.type === 'drained')).toBe(true);
    expect(ms(Atomics.load(stats, STAT.framesPlayed))).toBeCloseTo(KEEP_BEFORE_SOUND_MS, 0);
  });

  it('of the sentence a skip moves to is dropped too: it is heard 50 ms after play goes on, not 300', async () => {
    const { feeder, stats, send, render, playOut } = setup(1);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, frames(1000))) }, segmentEnd(0));
    await render(60);
    feeder.seek('skip');
    // The cut's fade is heard, then the ring is empty until the next sentence comes.
    await render(8);
    const before = Atomics.load(stats, STAT.framesPlayed);
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(quietThen(300, 600)) }, segmentEnd(1), end());
    await playOut();
    expect(ms(Atomics.load(stats, STAT.framesPlayed) - before)).toBeCloseTo(KEEP_BEFORE_SOUND_MS + 600, 0);
  });
});
