import { STAT } from './stats';
import type { DecodeMetrics } from './utterance-decoder';

/** Where a segment's audio starts in the played stream, and the silence counted before it. */
export interface Boundary {
  segment: number;
  frame: number;
  silenceBefore: number;
  /** Its gap has been counted (or there is none to count: it follows a flush). */
  resolved: boolean;
}

/** Counts the silence the worklet inserted while the play position waited at a segment boundary (the gap metric). */
export function measureGaps(stats: Int32Array, boundaries: Boundary[]): void {
  const played = Atomics.load(stats, STAT.framesPlayed);
  const silence = Atomics.load(stats, STAT.silenceFrames);
  for (const boundary of boundaries) {
    if (boundary.resolved) continue;
    if (played < boundary.frame) {
      boundary.silenceBefore = silence;
      continue;
    }
    boundary.resolved = true;
    const gap = silence - boundary.silenceBefore;
    Atomics.add(stats, STAT.gapFrames, gap);
    if (gap > Atomics.load(stats, STAT.gapFramesMax)) Atomics.store(stats, STAT.gapFramesMax, gap);
  }
}

/** Puts the decoder's figures where the page's meters read them. */
export function storeDecodeMetrics(stats: Int32Array, metrics: DecodeMetrics): void {
  Atomics.store(stats, STAT.bytesIn, metrics.bytesIn);
  Atomics.store(stats, STAT.decodeMicros, Math.min(metrics.decodeMicros, 0x7fffffff));
  Atomics.store(stats, STAT.decodeChunks, metrics.decodeChunks);
  Atomics.store(stats, STAT.decodeMicrosMax, metrics.decodeMicrosMax);
  Atomics.store(stats, STAT.throughput, metrics.throughput);
  Atomics.store(stats, STAT.skippedFrames, metrics.skippedFrames);
  Atomics.store(stats, STAT.skippedMs, Math.round(metrics.skippedMs));
}
