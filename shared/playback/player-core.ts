import type { RingBuffer } from 'ringbuf.js';
import { PlayState, STAT, wrapFrame } from './stats';

/** The consumer's counters that a new utterance starts from zero. */
const COUNTER_SLOTS = [STAT.framesPlayed, STAT.underruns, STAT.silenceFrames, STAT.drained, STAT.quanta, STAT.bufferedSum16, STAT.drainedFrame];

/** A cut (stop, skip, a replayed segment) fades over this long: shorter clicks, longer smears a word. */
export const FADE_MS = 10;

/** The least pre-roll: 30-50 ms rings are clean on a 2-core machine (spec W3). */
export const MIN_PREROLL_MS = 30;

/** Pre-roll limits, in frames (spec B1, B2, B4). */
export interface PrerollOptions {
  initialFrames: number;
  /** Never below this: shorter rings underrun on a 2-core machine (spec W3). */
  minFrames: number;
  maxFrames: number;
  /** Growth after each underrun (spec B3). */
  growth: number;
  /** A flush fades out over this many frames instead of cutting (a click otherwise); default 0. */
  fadeFrames?: number;
  /**
   * After this much play without an underrun a grown pre-roll shrinks a step (÷ growth) back
   * toward the utterance's own (spec B2); default 0, never.
   */
  shrinkAfterFrames?: number;
}

/**
 * What the AudioWorklet does each render quantum, as a plain class so it is tested in Node:
 * wait for the pre-roll, play from the ring, and on an underrun zero-fill what is missing
 * (never replay stale samples), count it, grow the pre-roll and buffer again. The ring holds
 * interleaved frames of `channels`. render() allocates nothing.
 *
 * The producer talks to it only through single-writer slots: a new `generation` (new
 * utterance, or stop) empties the ring and resets the counters; `ended` lets it play out
 * what is left; `paused` holds the buffer.
 */
export class PlayerCore {
  private readonly scratch: Float32Array;
  private readonly fadeFrames: number;
  /** Frames of a flush's fade-out still to play; -1 when no fade has begun. */
  private fadeLeft = -1;
  /** Frames played since the last underrun or shrink. */
  private cleanFrames = 0;

  constructor(
    private readonly ring: RingBuffer,
    private readonly stats: Int32Array,
    private readonly channels: number,
    private readonly preroll: PrerollOptions,
    maxQuantum = 128,
  ) {
    this.scratch = new Float32Array(maxQuantum * channels);
    this.fadeFrames = Math.max(0, Math.round(preroll.fadeFrames ?? 0));
    Atomics.store(stats, STAT.seenGeneration, Atomics.load(stats, STAT.generation));
    Atomics.store(stats, STAT.flushSeen, Atomics.load(stats, STAT.flushRequest));
    this.resetCounters();
  }

  /**
   * Fills one quantum of output (one Float32Array per output channel). `contextFrame` is the
   * AudioWorklet's `currentFrame`, recorded at the first and the last rendered sample.
   */
  render(outputs: Float32Array[], frames: number, contextFrame = 0): void {
    const stats = this.stats;
    const generation = Atomics.load(stats, STAT.generation);
    if (generation !== Atomics.load(stats, STAT.seenGeneration)) {
      this.emptyRing();
      this.fadeLeft = -1;
      this.resetCounters();
      Atomics.store(stats, STAT.seenGeneration, generation);
    }
    // A flush waits until play reaches its frame, then fades out (render below).
    const flushing = Atomics.load(stats, STAT.flushRequest) !== Atomics.load(stats, STAT.flushSeen);
    const available = (this.ring.availableRead() / this.channels) | 0;
    Atomics.store(stats, STAT.bufferedFrames, available);
    let state = Atomics.load(stats, STAT.state);
    const ended = Atomics.load(stats, STAT.ended) === 1;
    if (Atomics.load(stats, STAT.paused) === 1) {
      // Nothing is heard while paused: a flush needs no fade.
      if (flushing) this.finishFlush();
      if (state === PlayState.playing || state === PlayState.buffering) Atomics.store(stats, STAT.state, PlayState.paused);
      return silence(outputs, 0, frames);
    }
    if (state === PlayState.paused) {
      // Resume from what is buffered, through the pre-roll check.
      state = PlayState.buffering;
      Atomics.store(stats, STAT.state, state);
    }
    const framesPlayed = Atomics.load(stats, STAT.framesPlayed);
    const cutIn = flushing ? Atomics.load(stats, STAT.flushAtFrame) - framesPlayed : frames;
    if (flushing && cutIn <= 0 && state !== PlayState.playing) {
      // Silent now (idle, or waiting for the pre-roll): empty at once.
      this.finishFlush();
      return this.render(outputs, frames, contextFrame);
    }
    if (state === PlayState.idle) return silence(outputs, 0, frames);
    if (state === PlayState.buffering) {
      const needed = framesPlayed === 0 ? Atomics.load(stats, STAT.startFrames) || Atomics.load(stats, STAT.prerollFrames) : Atomics.load(stats, STAT.prerollFrames);
      // A flush waiting for its frame plays what is there: the producer adds nothing until it is done.
      if (available < needed && !ended && !flushing) {
        // Waiting to refill after an underrun is inserted silence too; the first pre-roll is not.
        if (framesPlayed > 0) Atomics.add(stats, STAT.silenceFrames, frames);
        return silence(outputs, 0, frames);
      }
      if (available === 0 && ended) return this.drain(outputs, 0, frames, contextFrame);
      Atomics.store(stats, STAT.state, PlayState.playing);
    }
    if (flushing && cutIn <= 0) return this.fadeOut(outputs, 0, frames);
    const got = this.play(outputs, 0, Math.min(available, frames, cutIn));
    if (framesPlayed === 0 && got > 0) Atomics.store(stats, STAT.firstRenderFrame, wrapFrame(contextFrame));
    // The buffer level counts what waits in the producer too: the ring itself is kept short.
    const level = available + Atomics.load(stats, STAT.pendingFrames);
    Atomics.add(stats, STAT.quanta, 1);
    Atomics.add(stats, STAT.bufferedSum16, (level / 16) | 0);
    this.shrinkAfterCleanPlay(got);
    if (level < Atomics.load(stats, STAT.minBufferedFrames)) Atomics.store(stats, STAT.minBufferedFrames, level);
    if (got === frames) return;
    if (flushing && got === cutIn) return this.fadeOut(outputs, got, frames);
    // The stream is over and every frame has been rendered: not an underrun.
    if (ended) return this.drain(outputs, got, frames, contextFrame);
    // Underrun (spec B3, E3): silence counted, pre-roll grown, back to buffering.
    silence(outputs, got, frames);
    Atomics.add(stats, STAT.underruns, 1);
    Atomics.add(stats, STAT.silenceFrames, frames - got);
    this.cleanFrames = 0;
    const grown = Math.round(Atomics.load(stats, STAT.prerollFrames) * this.preroll.growth);
    Atomics.store(stats, STAT.prerollFrames, clamp(grown, this.preroll.minFrames, this.preroll.maxFrames));
    Atomics.store(stats, STAT.state, PlayState.buffering);
  }

  /** A pre-roll grown by underruns comes back down a step after each clean stretch of play. */
  private shrinkAfterCleanPlay(played: number): void {
    const after = this.preroll.shrinkAfterFrames ?? 0;
    if (!after) return;
    this.cleanFrames += played;
    if (this.cleanFrames < after) return;
    this.cleanFrames = 0;
    const preroll = Atomics.load(this.stats, STAT.prerollFrames);
    const base = this.basePreroll();
    if (preroll > base) Atomics.store(this.stats, STAT.prerollFrames, Math.max(base, Math.round(preroll / this.preroll.growth)));
  }

  /** The utterance's own pre-roll: the producer's (learned) one, else the initial one. */
  private basePreroll(): number {
    return clamp(Atomics.load(this.stats, STAT.basePrerollFrames) || this.preroll.initialFrames, this.preroll.minFrames, this.preroll.maxFrames);
  }

  /** Copies `count` frames from the ring to the outputs at `from`, counted as played; returns how many. */
  private play(outputs: Float32Array[], from: number, count: number, gainFrom = 1, gainStep = 0): number {
    const got = (this.ring.pop(this.scratch, count * this.channels) / this.channels) | 0;
    for (let c = 0; c < outputs.length; c++) {
      const out = outputs[c];
      const source = c < this.channels ? c : this.channels - 1;
      for (let i = 0; i < got; i++) out[from + i] = this.scratch[i * this.channels + source] * (gainFrom + gainStep * i);
    }
    Atomics.add(this.stats, STAT.framesPlayed, got);
    return got;
  }

  /** Plays what is at the read position ramping down to silence, then empties the ring. */
  private fadeOut(outputs: Float32Array[], from: number, frames: number): void {
    if (this.fadeLeft < 0) this.fadeLeft = this.fadeFrames;
    const available = (this.ring.availableRead() / this.channels) | 0;
    const count = Math.min(frames - from, this.fadeLeft, available);
    const got = count > 0 ? this.play(outputs, from, count, this.fadeLeft / (this.fadeFrames || 1), -1 / (this.fadeFrames || 1)) : 0;
    this.fadeLeft -= got;
    silence(outputs, from + got, frames);
    if (this.fadeLeft <= 0 || got === available) this.finishFlush();
  }

  private finishFlush(): void {
    const stats = this.stats;
    this.emptyRing();
    this.fadeLeft = -1;
    if (Atomics.load(stats, STAT.state) === PlayState.playing) Atomics.store(stats, STAT.state, PlayState.buffering);
    Atomics.store(stats, STAT.flushedAtFrame, Atomics.load(stats, STAT.framesPlayed));
    Atomics.store(stats, STAT.flushSeen, Atomics.load(stats, STAT.flushRequest));
  }

  private drain(outputs: Float32Array[], from: number, frames: number, contextFrame: number): void {
    silence(outputs, from, frames);
    Atomics.store(this.stats, STAT.drainedFrame, wrapFrame(contextFrame + from));
    Atomics.store(this.stats, STAT.drained, 1);
    Atomics.store(this.stats, STAT.state, PlayState.idle);
  }

  /** Only the consumer may move the read index, so stop empties the ring here. */
  private emptyRing(): void {
    while (this.ring.availableRead() > 0) this.ring.pop(this.scratch);
  }

  private resetCounters(): void {
    const stats = this.stats;
    // Runs on the audio thread at each new utterance: an indexed loop over a constant, no allocation.
    for (let i = 0; i < COUNTER_SLOTS.length; i++) Atomics.store(stats, COUNTER_SLOTS[i], 0);
    Atomics.store(stats, STAT.firstRenderFrame, -1);
    Atomics.store(stats, STAT.prerollFrames, this.basePreroll());
    this.cleanFrames = 0;
    Atomics.store(stats, STAT.minBufferedFrames, 0x7fffffff);
    Atomics.store(stats, STAT.state, PlayState.buffering);
  }
}

function silence(outputs: Float32Array[], from: number, to: number): void {
  for (let c = 0; c < outputs.length; c++) outputs[c].fill(0, from, to);
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
