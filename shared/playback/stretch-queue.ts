import type { TimeStretcher } from '../audio/time-stretch';
import { rateProblem } from '../playback-rate';

/** Decoded audio of one segment, interleaved like the ring, not yet stretched. */
interface SourceBlock {
  segment: number;
  data: Float32Array;
}

/** Source audio already taken into the stretcher, from source frame `startFrame` of its segment; empty marks the segment's end. */
interface TakenBlock extends SourceBlock {
  startFrame: number;
}

/** Played audio ready for the ring, with the segment it belongs to. */
export interface PlayedBlock {
  segment: number;
  data: Float32Array;
  /** The rate it was stretched at. */
  rate: number;
  /** Where in its segment's source audio (ms at rate 1) it starts, for following the words. */
  sourceMs: number;
}

/**
 * Source audio is stretched in steps this long: what waits stretched at one rate stays
 * short, so a new rate reaches the ring within a step.
 */
const STEP_MS = 10;

/**
 * What the decoder made and the ring has no room for yet, kept as decoded (source) audio and
 * stretched only on its way into the ring, a step at a time: a rate change applies to all of
 * it at once, with no new request. Every length it reports is in played frames (source
 * frames ÷ rate), the time it will take to hear. The stretcher is flushed at each segment's
 * end, so segments join without losing or repeating a frame, and each starts exactly where
 * the one before ended.
 */
export class StretchQueue {
  private source: SourceBlock[] = [];
  /** Taken source audio not yet heard, in order: where a rewind finds it. */
  private taken: TakenBlock[] = [];
  private sourceFrames = 0;
  /** Stretched output not yet taken. */
  private ready: PlayedBlock[] = [];
  private readyFrames = 0;
  /** The segment the stretcher holds audio of, and the source frames of it taken in so far. */
  private stretching = { segment: -1, sourceFrames: 0 };
  private current = 1;
  private readonly stepFrames: number;

  constructor(
    private readonly sampleRate: number,
    private readonly channels: number,
    /** The stretcher, once Sonic has loaded; until then only rate 1 plays. */
    private readonly stretcher: () => TimeStretcher | null,
  ) {
    this.stepFrames = Math.max(1, Math.round((sampleRate * STEP_MS) / 1000));
  }

  get rate(): number {
    return this.current;
  }

  /** Sets the rate for all that is not yet stretched; throws a RangeError outside 0.5–3. */
  setRate(rate: number): void {
    const problem = rateProblem(rate);
    if (problem) throw new RangeError(problem);
    if (rate === this.current) return;
    const stretcher = this.stretcher();
    if (rate !== 1 && !stretcher) throw new Error('The time-stretcher has not loaded yet.');
    const before = this.current;
    if (stretcher) this.emit(stretcher.setRate(rate), before);
    this.current = rate;
  }

  /** Decoded audio of `segment`, in order. */
  push(segment: number, data: Float32Array): void {
    if (!data.length) return;
    this.source.push({ segment, data });
    this.sourceFrames += data.length / this.channels;
  }

  /** Nothing more of `segment` is coming: what the stretcher holds of it comes out next. */
  endSegment(segment: number): void {
    this.source.push({ segment, data: new Float32Array(0) });
  }

  /** Source frames at the head, not yet stretched, whose every sample is under `level`: a voice's leading silence. */
  quietHead(level: number): number {
    return this.scanQuiet(level, false).frames;
  }

  /**
   * The quiet at the head of the first segment in hand (as quietHead), whether a louder sample
   * follows it in hand (`sounded`), and whether that segment's end is in hand (`ended`).
   */
  quietOpening(level: number): { frames: number; sounded: boolean; ended: boolean } {
    return this.scanQuiet(level, true);
  }

  /**
   * Drops `frames` source frames at the head of the first segment, before any is stretched
   * (a voice's leading silence, never to be heard). Where what follows comes from in its
   * segment still counts them, so the words are followed as before.
   */
  dropHead(frames: number): void {
    const segment = this.source[0]?.segment;
    if (segment === undefined || this.ready.length || (this.stretcher()?.heldFrames ?? 0) > 0) return;
    if (this.stretching.segment !== segment) this.stretching = { segment, sourceFrames: 0 };
    let left = Math.floor(frames);
    while (left > 0 && this.source[0]?.segment === segment && this.source[0].data.length) {
      const { data } = this.source[0];
      const cut = Math.min(left, data.length / this.channels);
      if (cut * this.channels === data.length) this.source.shift();
      else this.source[0] = { segment, data: data.subarray(cut * this.channels) };
      left -= cut;
      this.sourceFrames -= cut;
      this.stretching.sourceFrames += cut;
    }
  }

  private scanQuiet(level: number, oneSegment: boolean): { frames: number; sounded: boolean; ended: boolean } {
    if (this.ready.length || (this.stretcher()?.heldFrames ?? 0) > 0) return { frames: 0, sounded: true, ended: false };
    let frames = 0;
    const segment = this.source[0]?.segment;
    for (const { segment: of, data } of this.source) {
      if (oneSegment && (of !== segment || !data.length)) return { frames, sounded: false, ended: true };
      for (let i = 0; i < data.length; i++) {
        if (Math.abs(data[i]) >= level) return { frames: frames + Math.floor(i / this.channels), sounded: true, ended: false };
      }
      frames += data.length / this.channels;
    }
    return { frames, sounded: false, ended: false };
  }

  /**
   * Cuts the source `frames` in: taking that many and then setting another rate leaves none
   * of what follows stretched at this one (steps end at a block's end).
   */
  splitAt(frames: number): void {
    let at = 0;
    for (let b = 0; b < this.source.length && at < frames; b++) {
      const { segment, data } = this.source[b];
      const length = data.length / this.channels;
      if (at + length > frames) {
        const cut = (frames - at) * this.channels;
        this.source.splice(b, 1, { segment, data: data.subarray(0, cut) }, { segment, data: data.subarray(cut) });
        return;
      }
      at += length;
    }
  }

  /** Played frames waiting here, stretched or not. */
  get frames(): number {
    const held = this.stretcher()?.heldFrames ?? 0;
    return Math.round(this.readyFrames + held + this.sourceFrames / this.current);
  }

  get empty(): boolean {
    return !this.source.length && !this.ready.length && (this.stretcher()?.heldFrames ?? 0) === 0;
  }

  /**
   * Takes up to `maxFrames` played frames, in order. `final` (the stream has ended) flushes
   * the stretcher once the source is used up, so the last frame comes out too.
   */
  take(maxFrames: number, final: boolean): PlayedBlock[] {
    const out: PlayedBlock[] = [];
    let left = maxFrames;
    while (left > 0) {
      if (!this.ready.length && !this.stretchStep(final)) break;
      const block = this.ready[0];
      const frames = block.data.length / this.channels;
      if (frames <= left) {
        out.push(block);
        this.ready.shift();
        this.readyFrames -= frames;
        left -= frames;
        continue;
      }
      out.push({ ...block, data: block.data.subarray(0, left * this.channels) });
      this.ready[0] = { ...block, data: block.data.subarray(left * this.channels), sourceMs: block.sourceMs + ((left * block.rate) / this.sampleRate) * 1000 };
      this.readyFrames -= left;
      left = 0;
    }
    return out;
  }

  /**
   * Goes back to source frame `frame` of `segment`: what was stretched from there on (the ring
   * was cut there, for a new rate) is stretched again, ahead of what still waits. Source
   * audio already taken is kept for this until `forget` says it was heard.
   */
  rewind(segment: number, frame: number): void {
    const at = this.taken.findIndex((block) => block.segment > segment || (block.segment === segment && (!block.data.length || block.startFrame + block.data.length / this.channels > frame)));
    const back = at < 0 ? [] : this.taken.splice(at);
    this.ready = [];
    this.stretcher()?.reset();
    if (back.length) {
      const first = back[0];
      const skip = first.segment === segment && first.data.length ? Math.max(0, Math.round(frame) - first.startFrame) : 0;
      back[0] = { ...first, data: first.data.subarray(skip * this.channels), startFrame: first.startFrame + skip };
      this.source = [...back.map(({ segment, data }) => ({ segment, data })), ...this.source];
      this.stretching = { segment: back[0].segment, sourceFrames: back[0].startFrame };
    }
    this.count();
  }

  /** Source audio before frame `frame` of `segment` has been heard: no rewind goes back there. */
  forget(segment: number, frame: number): void {
    let drop = 0;
    for (const block of this.taken) {
      const ends = block.startFrame + block.data.length / this.channels;
      if (block.segment > segment || (block.segment === segment && (!block.data.length || ends > frame))) break;
      drop++;
    }
    if (drop) this.taken.splice(0, drop);
  }

  /** Drops the audio of `segment` not yet taken (a restart brought another rendering of it). */
  dropSegment(segment: number): void {
    this.source = this.source.filter((block) => block.segment !== segment);
    this.taken = this.taken.filter((block) => block.segment !== segment);
    this.ready = this.ready.filter((block) => block.segment !== segment);
    this.count();
    if (this.stretching.segment === segment) this.resetStretcher();
  }

  /** Drops everything (a skip, a stop). */
  clear(): void {
    this.source = [];
    this.taken = [];
    this.ready = [];
    this.count();
    this.resetStretcher();
  }

  /** Moves one step of source audio through the stretcher; false when nothing came of it. */
  private stretchStep(final: boolean): boolean {
    const stretcher = this.stretcher();
    while (this.source.length) {
      const block = this.source[0];
      if (block.segment !== this.stretching.segment) {
        // A segment starts: the one before must be all out first (it is, unless its end was lost).
        if (stretcher?.heldFrames) this.emit(stretcher.flush(), this.current);
        this.stretching = { segment: block.segment, sourceFrames: 0 };
        if (this.ready.length) return true;
      }
      if (!block.data.length) {
        this.source.shift();
        this.logTaken(block.segment, this.stretching.sourceFrames, block.data);
        if (stretcher?.heldFrames) this.emit(stretcher.flush(), this.current);
        if (this.ready.length) return true;
        continue;
      }
      const step = Math.min(this.stepFrames, block.data.length / this.channels);
      const data = block.data.subarray(0, step * this.channels);
      if (step * this.channels === block.data.length) this.source.shift();
      else this.source[0] = { segment: block.segment, data: block.data.subarray(step * this.channels) };
      this.sourceFrames -= step;
      this.logTaken(block.segment, this.stretching.sourceFrames, data);
      const out = stretcher ? stretcher.process(data) : data;
      this.stretching.sourceFrames += step;
      this.emit(out, this.current);
      if (this.ready.length) return true;
    }
    if (final && stretcher?.heldFrames) this.emit(stretcher.flush(), this.current);
    return this.ready.length > 0;
  }

  /** Queues stretched output of the segment being stretched; its source position follows from what the stretcher still holds. */
  private emit(data: Float32Array, rate: number): void {
    if (!data.length) return;
    const frames = data.length / this.channels;
    const heldSource = (this.stretcher()?.heldFrames ?? 0) * rate;
    const endSource = Math.max(0, this.stretching.sourceFrames - heldSource);
    const sourceMs = (Math.max(0, endSource - frames * rate) / this.sampleRate) * 1000;
    this.ready.push({ segment: this.stretching.segment, data, rate, sourceMs });
    this.readyFrames += frames;
  }

  /** Keeps source audio taken into the stretcher, joining steps cut from the same block. */
  private logTaken(segment: number, startFrame: number, data: Float32Array): void {
    const last = this.taken.at(-1);
    const follows = last && last.segment === segment && data.length && last.data.buffer === data.buffer && last.data.byteOffset + last.data.byteLength === data.byteOffset;
    if (follows) last.data = new Float32Array(data.buffer, last.data.byteOffset, last.data.length + data.length);
    else this.taken.push({ segment, startFrame, data });
  }

  private resetStretcher(): void {
    this.stretcher()?.reset();
    this.stretching = { segment: -1, sourceFrames: 0 };
  }

  private count(): void {
    this.sourceFrames = this.source.reduce((sum, block) => sum + block.data.length, 0) / this.channels;
    this.readyFrames = this.ready.reduce((sum, block) => sum + block.data.length, 0) / this.channels;
  }
}
