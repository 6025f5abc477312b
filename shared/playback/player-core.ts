import type { RingBuffer } from 'ringbuf.js';
import { PlayState, STAT } from './stats';

/** Pre-roll limits, in frames (spec B1, B2, B4). */
export interface PrerollOptions {
  initialFrames: number;
  /** Never below this: shorter rings underrun on a 2-core machine (browser-audio.md). */
  minFrames: number;
  maxFrames: number;
  /** Growth after each underrun (spec B3). */
  growth: number;
}

/**
 * What the AudioWorklet does each render quantum, as a plain class so it is tested in Node:
 * wait for the pre-roll, play from the ring, and on an underrun zero-fill what is missing
 * (never replay stale samples), count it, grow the pre-roll and buffer again. The ring holds
 * interleaved frames of `channels`. render() allocates nothing.
 */
export class PlayerCore {
  private readonly scratch: Float32Array;

  constructor(
    private readonly ring: RingBuffer,
    private readonly stats: Int32Array,
    private readonly channels: number,
    private readonly preroll: PrerollOptions,
    maxQuantum = 128,
  ) {
    this.scratch = new Float32Array(maxQuantum * channels);
    Atomics.store(stats, STAT.prerollFrames, clamp(preroll.initialFrames, preroll.minFrames, preroll.maxFrames));
    Atomics.store(stats, STAT.minBufferedFrames, 0x7fffffff);
    Atomics.store(stats, STAT.state, PlayState.buffering);
  }

  /** Fills one quantum of output (one Float32Array per output channel). */
  render(outputs: Float32Array[], frames: number): void {
    const stats = this.stats;
    const available = (this.ring.availableRead() / this.channels) | 0;
    Atomics.store(stats, STAT.bufferedFrames, available);
    const state = Atomics.load(stats, STAT.state);
    const ended = Atomics.load(stats, STAT.ended) === 1;
    if (state === PlayState.paused || state === PlayState.idle) return silence(outputs, 0, frames);
    if (state === PlayState.buffering) {
      if (available < Atomics.load(stats, STAT.prerollFrames) && !ended) {
        // Waiting to refill after an underrun is inserted silence too; the first pre-roll is not.
        if (Atomics.load(stats, STAT.framesPlayed) > 0) Atomics.add(stats, STAT.silenceFrames, frames);
        return silence(outputs, 0, frames);
      }
      if (available === 0 && ended) {
        Atomics.store(stats, STAT.drained, 1);
        Atomics.store(stats, STAT.state, PlayState.idle);
        return silence(outputs, 0, frames);
      }
      Atomics.store(stats, STAT.state, PlayState.playing);
    }
    const got = (this.ring.pop(this.scratch, Math.min(available, frames) * this.channels) / this.channels) | 0;
    for (let c = 0; c < outputs.length; c++) {
      const out = outputs[c];
      const source = c < this.channels ? c : this.channels - 1;
      for (let i = 0; i < got; i++) out[i] = this.scratch[i * this.channels + source];
    }
    Atomics.add(stats, STAT.framesPlayed, got);
    Atomics.add(stats, STAT.quanta, 1);
    Atomics.add(stats, STAT.bufferedSum16, (available / 16) | 0);
    if (available < Atomics.load(stats, STAT.minBufferedFrames)) Atomics.store(stats, STAT.minBufferedFrames, available);
    if (got === frames) return;
    silence(outputs, got, frames);
    if (ended) {
      // The stream is over and every frame has been rendered: not an underrun.
      Atomics.store(stats, STAT.drained, 1);
      Atomics.store(stats, STAT.state, PlayState.idle);
      return;
    }
    // Underrun (spec B3, E3): silence counted, pre-roll grown, back to buffering.
    Atomics.add(stats, STAT.underruns, 1);
    Atomics.add(stats, STAT.silenceFrames, frames - got);
    const grown = Math.round(Atomics.load(stats, STAT.prerollFrames) * this.preroll.growth);
    Atomics.store(stats, STAT.prerollFrames, clamp(grown, this.preroll.minFrames, this.preroll.maxFrames));
    Atomics.store(stats, STAT.state, PlayState.buffering);
  }
}

function silence(outputs: Float32Array[], from: number, to: number): void {
  for (let c = 0; c < outputs.length; c++) outputs[c].fill(0, from, to);
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
