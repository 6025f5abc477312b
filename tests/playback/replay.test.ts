import { describe, expect, it } from 'vitest';
import type { LinkEvent } from '../../shared/playback/link-protocol';
import { FADE_MS } from '../../shared/playback/player-core';
import { STAT } from '../../shared/playback/stats';
import { feederRig, segmentStart as startOf } from './feeder-harness';

/**
 * A segment restarted after a cut whose new response is another rendering (issue 11 #10):
 * the decoder worker's logic must drop what was queued of the first rendering, fade out
 * what of it is being heard, and play the new one from its start, faded in, whatever
 * stage the first rendering had reached: still waiting in the worker, in the ring behind
 * the segment before, or playing.
 */
const RATE = 48000;
const FADE = (RATE * FADE_MS) / 1000;
/** Levels that tell the renderings apart in the output. */
const BEFORE = 0.25;
const FIRST_RENDERING = -0.25;
const SECOND_RENDERING = 0.5;

/** 16-bit PCM at RATE holding `frames` samples of one level. */
function pcm(level: number, frames: number): Uint8Array {
  const bytes = new Uint8Array(frames * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < frames; i++) view.setInt16(i * 2, Math.round(level * 32767), true);
  return bytes;
}

const segmentStart = (index: number, restart = false, replay = false): LinkEvent => startOf(index, { sampleRate: RATE, restart, replay });

// The ring is stereo, as the app's: the mono segments play on both sides, so the right channel must equal the left.
function setup(maxBufferMs: number) {
  return feederRig({ sampleRate: RATE, maxBufferMs, core: { initialFrames: 4800, minFrames: 1440, maxFrames: 96000, growth: 1.5, fadeFrames: FADE }, yieldEvery: 8, whole: true });
}

/** The played output as runs of one level: [level, frames][]; the fades show as their own values. */
function runs(samples: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const sample of samples) {
    const level = Math.round(sample * 1000) / 1000;
    if (out.at(-1)?.[0] === level) out.at(-1)![1]++;
    else out.push([level, 1]);
  }
  return out;
}

/** Checks the new rendering's start: a linear fade-in over FADE frames, then its level. */
function expectFadeIn(samples: number[], from: number): void {
  for (let i = 0; i < FADE; i++) expect(samples[from + i]).toBeCloseTo((SECOND_RENDERING * i) / FADE, 3);
  expect(samples[from + FADE]).toBeCloseTo(SECOND_RENDERING, 3);
}

describe('a restarted segment that came back as another rendering', () => {
  it('is dropped unheard while it waits in the worker, and the new one follows the segment before without a gap', async () => {
    // 100 ms of ring: segment 0 fills it, so all of the first rendering waits in the worker.
    const { stats, played, send, playOut } = setup(100);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(BEFORE, 9600) }, { type: 'segment-end', segmentIndex: 0, metrics: emptyMetrics(), skipped: false });
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(FIRST_RENDERING, 4800) });
    await send(segmentStart(1, true, true), { type: 'chunk', segmentIndex: 1, bytes: pcm(SECOND_RENDERING, 4800) }, { type: 'segment-end', segmentIndex: 1, metrics: emptyMetrics(), skipped: false }, endEvent());
    await playOut();
    expect(played.some((v) => v < 0)).toBe(false);
    expect(played.slice(0, 9600).every((v) => Math.abs(v - BEFORE) < 1e-3)).toBe(true);
    expectFadeIn(played, 9600);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(9600 + 4800);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
  });

  it('is cut where it begins, faded out, when it is in the ring behind the segment before', async () => {
    const { stats, notices, played, send, render, playOut } = setup(2000);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(BEFORE, 9600) }, { type: 'segment-end', segmentIndex: 0, metrics: emptyMetrics(), skipped: false });
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(FIRST_RENDERING, 4800) });
    await render(20);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBeLessThan(9600);
    await send(segmentStart(1, true, true), { type: 'chunk', segmentIndex: 1, bytes: pcm(SECOND_RENDERING, 4800) }, { type: 'segment-end', segmentIndex: 1, metrics: emptyMetrics(), skipped: false }, endEvent());
    await playOut();
    const heard = played.filter((v) => v !== 0);
    // All of segment 0, then the first rendering's first FADE frames ramping down, then the new one.
    expect(heard.slice(0, 9600).every((v) => Math.abs(v - BEFORE) < 1e-3)).toBe(true);
    for (let i = 0; i < FADE; i++) expect(heard[9600 + i]).toBeCloseTo(FIRST_RENDERING * (1 - i / FADE), 3);
    // Of the first rendering only its fade was heard; the new one starts right after it.
    expect(played.filter((v) => v < 0).length).toBe(FADE);
    const newStart = played.findIndex((v, i) => i > 9600 && v > 0) - 1;
    expectFadeIn(played, newStart);
    expect(runs(played.slice(newStart + FADE))[0]).toEqual([SECOND_RENDERING, 4800 - FADE]);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(9600 + FADE + 4800);
    // The page follows the new rendering from where it is really heard.
    const playing = notices.filter((n) => n.type === 'segment-playing');
    expect(playing.map((n) => n.type === 'segment-playing' && n.index)).toEqual([0, 1]);
    const second = playing[1];
    expect(second.type === 'segment-playing' && second.startMs).toBeCloseTo(((9600 + FADE) / RATE) * 1000, 3);
  });

  it('is dropped unheard when it waits behind a skip the worklet has not carried out yet', async () => {
    const { feeder, played, send, render, playOut } = setup(2000);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(BEFORE, 9600) }, { type: 'segment-end', segmentIndex: 0, metrics: emptyMetrics(), skipped: false });
    await render(40);
    // Skip to segment 1: the worklet empties the ring at its next quantum; until then all waits here.
    feeder.seek('skip');
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(FIRST_RENDERING, 4800) });
    await send(segmentStart(1, true, true), { type: 'chunk', segmentIndex: 1, bytes: pcm(SECOND_RENDERING, 4800) }, { type: 'segment-end', segmentIndex: 1, metrics: emptyMetrics(), skipped: false }, endEvent());
    await playOut();
    expect(played.some((v) => v < 0)).toBe(false);
    const newStart = played.findIndex((v, i) => v > 0 && v < BEFORE && i > 40 * 128) - 1;
    expectFadeIn(played, newStart);
  });

  it('fades out from where it is heard when it is already playing, and never splices it to the new one', async () => {
    const { stats, played, send, render, playOut } = setup(2000);
    await send(segmentStart(0), { type: 'chunk', segmentIndex: 0, bytes: pcm(BEFORE, 4800) }, { type: 'segment-end', segmentIndex: 0, metrics: emptyMetrics(), skipped: false });
    await send(segmentStart(1), { type: 'chunk', segmentIndex: 1, bytes: pcm(FIRST_RENDERING, 9600) });
    await render(60);
    const reached = Atomics.load(stats, STAT.framesPlayed);
    expect(reached).toBeGreaterThan(4800 + FADE);
    expect(reached).toBeLessThan(4800 + 9600 - FADE);
    await send(segmentStart(1, true, true), { type: 'chunk', segmentIndex: 1, bytes: pcm(SECOND_RENDERING, 4800) }, { type: 'segment-end', segmentIndex: 1, metrics: emptyMetrics(), skipped: false }, endEvent());
    await playOut();
    const firstRendering = played.filter((v) => v < 0);
    // Heard up to the replay, then FADE frames ramping to silence; the rest of it never.
    expect(firstRendering.length).toBeLessThan(9600);
    const tail = firstRendering.slice(-FADE);
    for (let i = 1; i < tail.length; i++) expect(tail[i]).toBeGreaterThan(tail[i - 1]);
    const newStart = played.findIndex((v, i) => v === 0 && played[i + 1] > 0 && i > reached);
    expectFadeIn(played, newStart);
    expect(played.filter((v) => Math.abs(v - SECOND_RENDERING) < 1e-3).length).toBe(4800 - FADE);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
  });
});

function emptyMetrics() {
  return { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'test' };
}

function endEvent(): LinkEvent {
  return { type: 'end', metrics: { segments: 2, bytes: 0, ttfbMs: 0, totalMs: 0, retries: 0, failovers: 0 } } as LinkEvent;
}
