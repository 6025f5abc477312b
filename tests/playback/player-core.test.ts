import { RingBuffer } from 'ringbuf.js';
import { describe, expect, it } from 'vitest';
import { PlayerCore } from '../../shared/playback/player-core';
import { createStats, PlayState, STAT, unwrapFrame, wrapFrame } from '../../shared/playback/stats';

const Q = 128;
const preroll = { initialFrames: 1200, minFrames: 720, maxFrames: 9600, growth: 1.5 };

function setup(channels = 1, capacityFrames = 4800) {
  const ring = new RingBuffer(RingBuffer.getStorageForCapacity(capacityFrames * channels, Float32Array), Float32Array);
  const stats = createStats();
  const core = new PlayerCore(ring, stats, channels, preroll);
  const outputs = [new Float32Array(Q), new Float32Array(Q)];
  return { ring, stats, core, outputs };
}

/** A ramp 1, 2, 3 … so any skipped, repeated or stale sample shows. */
function ramp(from: number, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => from + i);
}

describe('PlayerCore (the AudioWorklet\'s render step)', () => {
  it('stays silent until the pre-roll is buffered, then plays every sample in order', () => {
    const { ring, stats, core, outputs } = setup();
    ring.push(ramp(1, 1000));
    core.render(outputs, Q);
    expect(outputs[0].every((v) => v === 0)).toBe(true);
    expect(stats[STAT.state]).toBe(PlayState.buffering);
    ring.push(ramp(1001, 1000));
    const played: number[] = [];
    for (let q = 0; q < 10; q++) {
      core.render(outputs, Q);
      played.push(...outputs[0]);
    }
    expect(stats[STAT.state]).toBe(PlayState.playing);
    expect(played.slice(0, 1280)).toEqual(Array.from({ length: 1280 }, (_, i) => i + 1));
    // Mono goes to both output channels.
    expect([...outputs[1]]).toEqual([...outputs[0]]);
    expect(stats[STAT.underruns]).toBe(0);
  });

  it('zero-fills an underrun instead of replaying stale audio, counts it and grows the pre-roll', () => {
    const { ring, stats, core, outputs } = setup();
    ring.push(ramp(1, 1300));
    const played: number[] = [];
    for (let q = 0; q < 11; q++) {
      core.render(outputs, Q);
      played.push(...outputs[0]);
    }
    // 1300 frames = 10 full quanta + 20 frames, then 108 frames of silence.
    expect(played.slice(0, 1300)).toEqual(Array.from({ length: 1300 }, (_, i) => i + 1));
    expect(played.slice(1300).every((v) => v === 0)).toBe(true);
    expect(stats[STAT.underruns]).toBe(1);
    expect(stats[STAT.silenceFrames]).toBe(108);
    expect(stats[STAT.prerollFrames]).toBe(1800);
    expect(stats[STAT.state]).toBe(PlayState.buffering);
    // Buffering again: waiting is counted as inserted silence, and play resumes at the next sample.
    ring.push(ramp(1301, 1000));
    core.render(outputs, Q);
    expect(outputs[0].every((v) => v === 0)).toBe(true);
    expect(stats[STAT.silenceFrames]).toBe(108 + Q);
    ring.push(ramp(2301, 1000));
    core.render(outputs, Q);
    expect(outputs[0][0]).toBe(1301);
  });

  it('plays out a stream that ended below the pre-roll, then reports drained, not an underrun', () => {
    const { ring, stats, core, outputs } = setup();
    ring.push(ramp(1, 300));
    Atomics.store(stats, STAT.ended, 1);
    const played: number[] = [];
    for (let q = 0; q < 4; q++) {
      core.render(outputs, Q);
      played.push(...outputs[0]);
    }
    expect(played.slice(0, 300)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(stats[STAT.drained]).toBe(1);
    expect(stats[STAT.underruns]).toBe(0);
    expect(stats[STAT.state]).toBe(PlayState.idle);
  });

  it('keeps the pre-roll within its bounds, and stays silent while paused', () => {
    const { ring, stats, core, outputs } = setup();
    for (let n = 0; n < 10; n++) {
      Atomics.store(stats, STAT.state, PlayState.playing);
      core.render(outputs, Q);
    }
    expect(stats[STAT.prerollFrames]).toBe(preroll.maxFrames);
    ring.push(ramp(1, 2000));
    Atomics.store(stats, STAT.state, PlayState.paused);
    core.render(outputs, Q);
    expect(outputs[0].every((v) => v === 0)).toBe(true);
    expect(ring.availableRead()).toBe(2000);
  });

  it('de-interleaves stereo frames', () => {
    const { ring, stats, core, outputs } = setup(2);
    const frames = new Float32Array(2 * 1300);
    for (let i = 0; i < 1300; i++) {
      frames[2 * i] = i + 1;
      frames[2 * i + 1] = -(i + 1);
    }
    ring.push(frames);
    core.render(outputs, Q);
    expect(stats[STAT.state]).toBe(PlayState.playing);
    expect(outputs[0][5]).toBe(6);
    expect(outputs[1][5]).toBe(-6);
  });
});

describe('context frames in 31 bits', () => {
  it('recover the full frame near a reference, ahead of it or behind, across the wrap', () => {
    for (const [frame, near] of [[100, 0], [100, 200], [5e9, 5e9 + 3000], [5e9, 5e9 - 3000], [2 ** 31 + 5, 2 ** 31 - 5]]) {
      expect(unwrapFrame(wrapFrame(frame), near)).toBe(frame);
    }
  });

  describe('a flush (stop, skip, a replayed segment)', () => {
    const FADE = 200;
    function fading() {
      const ring = new RingBuffer(RingBuffer.getStorageForCapacity(4800, Float32Array), Float32Array);
      const stats = createStats();
      const core = new PlayerCore(ring, stats, 1, { ...preroll, fadeFrames: FADE });
      const outputs = [new Float32Array(Q)];
      const played: number[] = [];
      const render = (quanta: number): void => {
        for (let q = 0; q < quanta; q++) {
          core.render(outputs, Q);
          played.push(...outputs[0]);
        }
      };
      const flush = (atFrame: number): void => {
        Atomics.store(stats, STAT.flushAtFrame, atFrame);
        Atomics.add(stats, STAT.flushRequest, 1);
      };
      return { ring, stats, render, played, flush };
    }

    it('fades out what is playing over its fade, then empties the ring and says where it stopped', () => {
      const { ring, stats, render, played, flush } = fading();
      ring.push(new Float32Array(3000).fill(1));
      render(10);
      flush(0);
      render(3);
      const fade = played.slice(1280, 1280 + FADE);
      // From full level down to silence in equal steps, never a jump.
      expect(fade[0]).toBe(1);
      for (let i = 1; i < FADE; i++) expect(fade[i - 1] - fade[i]).toBeCloseTo(1 / FADE, 6);
      expect(played.slice(1280 + FADE).every((v) => v === 0)).toBe(true);
      expect(stats[STAT.flushSeen]).toBe(stats[STAT.flushRequest]);
      expect(stats[STAT.flushedAtFrame]).toBe(1280 + FADE);
      expect(ring.availableRead()).toBe(0);
      // Emptied on purpose, not starved: no underrun.
      expect(stats[STAT.underruns]).toBe(0);
    });

    it('waits for play to reach its frame: what lies before it is played whole', () => {
      const { ring, stats, render, played, flush } = fading();
      ring.push(ramp(1, 2000));
      render(10);
      flush(1500);
      render(6);
      // Frames 1..1500 in order, then 200 frames fading from 1501 on, then silence.
      expect(played.slice(0, 1500)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
      for (let i = 0; i < FADE; i++) expect(played[1500 + i]).toBeCloseTo((1501 + i) * (1 - i / FADE), 3);
      expect(played.slice(1500 + FADE).every((v) => v === 0)).toBe(true);
      expect(stats[STAT.flushedAtFrame]).toBe(1500 + FADE);
    });

    it('reaches its frame even while buffering below the pre-roll (the producer adds nothing until it is done)', () => {
      const { ring, stats, render, played, flush } = fading();
      ring.push(ramp(1, 1300));
      render(11);
      // 1300 frames played, then an underrun: buffering again, with a grown pre-roll.
      expect(stats[STAT.underruns]).toBe(1);
      ring.push(ramp(1301, 400));
      flush(1500);
      render(4);
      expect(played.filter((v) => v > 0).slice(0, 1500)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
      expect(stats[STAT.flushSeen]).toBe(stats[STAT.flushRequest]);
      expect(ring.availableRead()).toBe(0);
    });

    it('empties at once when nothing is heard (paused, or still buffering)', () => {
      const { ring, stats, render, flush } = fading();
      ring.push(ramp(1, 500));
      render(1);
      expect(stats[STAT.state]).toBe(PlayState.buffering);
      flush(0);
      render(1);
      expect(ring.availableRead()).toBe(0);
      expect(stats[STAT.flushSeen]).toBe(stats[STAT.flushRequest]);

      ring.push(ramp(1, 2000));
      render(10);
      Atomics.store(stats, STAT.paused, 1);
      flush(0);
      render(1);
      expect(ring.availableRead()).toBe(0);
      expect(stats[STAT.flushSeen]).toBe(stats[STAT.flushRequest]);
    });
  });
});

describe('a pre-roll learned per utterance (spec B2)', () => {
  it('starts from the producer\'s pre-roll, grows on an underrun, and steps back down after clean play', () => {
    const ring = new RingBuffer(RingBuffer.getStorageForCapacity(20_000, Float32Array), Float32Array);
    const stats = createStats();
    const core = new PlayerCore(ring, stats, 1, { ...preroll, shrinkAfterFrames: 2560 });
    const outputs = [new Float32Array(Q)];
    // The producer's utterance: a learned 800-frame pre-roll, then a new generation.
    Atomics.store(stats, STAT.basePrerollFrames, 800);
    Atomics.store(stats, STAT.startFrames, 800);
    Atomics.add(stats, STAT.generation, 1);
    core.render(outputs, Q);
    ring.push(ramp(1, 700));
    core.render(outputs, Q);
    expect(stats[STAT.prerollFrames]).toBe(800);
    expect(stats[STAT.state]).toBe(PlayState.buffering);
    ring.push(ramp(701, 200));
    core.render(outputs, Q);
    expect(stats[STAT.state]).toBe(PlayState.playing);
    // Run dry: an underrun grows it ×1.5.
    for (let q = 0; q < 8; q++) core.render(outputs, Q);
    expect(stats[STAT.underruns]).toBe(1);
    expect(stats[STAT.prerollFrames]).toBe(1200);
    // 2560 frames of clean play: one step back (÷1.5), never below the utterance's own.
    ring.push(ramp(1, 4000));
    for (let q = 0; q < 2 + 20; q++) core.render(outputs, Q);
    expect(stats[STAT.underruns]).toBe(1);
    expect(stats[STAT.prerollFrames]).toBe(800);
    ring.push(ramp(1, 4000));
    for (let q = 0; q < 25; q++) core.render(outputs, Q);
    expect(stats[STAT.prerollFrames]).toBe(800);
  });

  it('without a learned one, the initial pre-roll as before', () => {
    const { stats } = setup();
    expect(stats[STAT.prerollFrames]).toBe(preroll.initialFrames);
  });
});
