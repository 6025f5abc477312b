import { beforeAll, describe, expect, it } from 'vitest';
import { STAT } from '../../shared/playback/stats';
import { RATE, loadHarness, pcm, segmentEnd, segmentStart, end, setup } from './feeder-harness';

/**
 * A first read can hold half a second or more (4 KB of Opus or MP3): decoded whole, play
 * waited for all of it (10-14 ms for Opus). Until the ring holds what play begins on, a read
 * is decoded a piece at a time, each in the ring before the next is decoded.
 */
let speech: Float32Array;
beforeAll(async () => {
  speech = await loadHarness();
});

const frames = (ms: number): number => Math.round((ms / 1000) * RATE);

describe('a long first read', () => {
  it('reaches the ring a piece at a time until play can begin, then the rest in one decode', async () => {
    const rig = setup(1, 2000, { prerollMs: 100 });
    // What had been decoded (bytes in) each time the feeder put audio into the ring.
    const decodedAtPush: number[] = [];
    const push = rig.ring.push.bind(rig.ring);
    rig.ring.push = (data: Float32Array) => {
      decodedAtPush.push(Atomics.load(rig.stats, STAT.bytesIn));
      return push(data);
    };
    const read = pcm(speech.subarray(0, frames(1000)));
    rig.renderNow(1); // the worklet takes up the utterance: from now on the feeder may fill the ring
    await rig.send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: read });
    // The first piece (512 bytes, 10.7 ms of this pcm) was in the ring before the rest was decoded.
    expect(decodedAtPush[0]).toBe(512);
    // Pieces until the 100 ms it starts on were there (4800 bytes), then the rest at once.
    expect(Atomics.load(rig.stats, STAT.decodeChunks)).toBe(Math.ceil(4800 / 512) + 1);
    await rig.send(segmentEnd(0), end());
    await rig.playOut();
    // Nothing lost, repeated or reordered by the pieces.
    expect(rig.played.slice(0, frames(1000)).every((v, i) => Math.abs(v - Math.round(speech[i] * 32767) / 32767) < 1e-4)).toBe(true);
    expect(Atomics.load(rig.stats, STAT.underruns)).toBe(0);
  });

  it('is decoded whole once play has begun', async () => {
    const rig = setup(1, 2000, { prerollMs: 100 });
    await rig.send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(0, frames(200))) });
    await rig.render(8);
    const before = Atomics.load(rig.stats, STAT.decodeChunks);
    await rig.send({ type: 'chunk', segmentIndex: 0, bytes: pcm(speech.subarray(frames(200), frames(1200))) });
    expect(Atomics.load(rig.stats, STAT.decodeChunks)).toBe(before + 1);
  });
});
