import type { PlayedBlock } from './stretch-queue';

/** Played frames [frame, frame + frames) of the stream, stretched at `rate` from `sourceMs` on in `segment`. */
interface Span {
  frame: number;
  frames: number;
  segment: number;
  sourceMs: number;
  rate: number;
}

/** A place in a segment's source (decoded, unstretched) audio. */
export interface SourcePlace {
  segment: number;
  frame: number;
}

/**
 * What the ring holds and where it came from, frame by frame: a rate change cuts the ring
 * just ahead of the play position, and the source audio from the cut on is stretched anew.
 */
export class RingContents {
  private spans: Span[] = [];

  constructor(private readonly sampleRate: number) {}

  get empty(): boolean {
    return this.spans.length === 0;
  }

  /** `block` went into the ring as played frames from `frame` on. */
  add(frame: number, block: PlayedBlock, channels: number): void {
    this.spans.push({ frame, frames: block.data.length / channels, segment: block.segment, sourceMs: block.sourceMs, rate: block.rate });
  }

  /** The source place heard at played frame `frame` (the end of the last span when past it). */
  sourceAt(frame: number): SourcePlace | null {
    const span = this.spans.find((s) => frame < s.frame + s.frames) ?? this.spans.at(-1);
    if (!span) return null;
    const into = Math.max(0, Math.min(span.frames, frame - span.frame));
    return { segment: span.segment, frame: Math.round((span.sourceMs / 1000) * this.sampleRate + into * span.rate) };
  }

  /** Forgets what has been played before `frame`, keeping the span it falls in. */
  forgetBefore(frame: number): void {
    let drop = 0;
    while (drop < this.spans.length - 1 && this.spans[drop].frame + this.spans[drop].frames <= frame) drop++;
    if (drop) this.spans.splice(0, drop);
  }

  clear(): void {
    this.spans = [];
  }
}
