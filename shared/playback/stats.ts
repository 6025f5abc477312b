/**
 * The playback counters in shared memory. Every slot has exactly
 * one writer: the AudioWorklet (the ring's consumer) or the decoder worker (its producer).
 * The UI only reads them, on requestAnimationFrame: never through React state at audio rate.
 */
export const STAT = {
  // ---- written by the AudioWorklet ----
  /** PlayState below. */
  state: 0,
  framesPlayed: 1,
  underruns: 2,
  /** Frames of silence inserted by underruns (spec M2, E3). */
  silenceFrames: 3,
  /** Frames the ring holds now. */
  bufferedFrames: 4,
  /** Lowest buffer level seen while playing. */
  minBufferedFrames: 5,
  /** Current pre-roll, which grows after an underrun (spec B2, B3). */
  prerollFrames: 6,
  /** Set when the last frame has been rendered after `ended`. */
  drained: 7,
  /** Rendered quanta, for the average buffer level (spec M3). */
  quanta: 8,
  /** Sum of buffered frames over the quanta, divided by 16 to stay in range. */
  bufferedSum16: 9,
  /** The `generation` the worklet has flushed the ring for. */
  seenGeneration: 10,
  /** Context frame (mod 2^31) of the utterance's first rendered sample; -1 before it. */
  firstRenderFrame: 11,
  /** Context frame (mod 2^31) just after the utterance's last rendered sample. */
  drainedFrame: 12,

  // ---- written by the decoder worker ----
  /** Bumped for every new utterance and every stop: the worklet empties the ring and resets. */
  generation: 13,
  /** No more audio is coming for this generation: play out what is left. */
  ended: 14,
  /** 1 while the user has paused: the worklet keeps the buffer and renders silence. */
  paused: 15,
  /** Pre-roll before the first sample; lowered for streams far faster than real time (B2). */
  startFrames: 16,
  /** Played frames waiting in the worker (not yet in the ring, which is kept short), at the current rate. */
  pendingFrames: 17,
  bytesIn: 18,
  /** Decode time in microseconds: total, the number of chunks, and the slowest chunk (M5). */
  decodeMicros: 19,
  decodeChunks: 20,
  decodeMicrosMax: 21,
  /** Bytes per second while the body was arriving (M4). */
  throughput: 22,
  /** Silence inserted while waiting for a following segment, in frames: total and worst (gaps). */
  gapFrames: 23,
  gapFramesMax: 24,
  /**
   * Bumped for a skip, a stop or a replay: the worklet fades out what it is playing and
   * empties the ring, but keeps the utterance's counters.
   */
  flushRequest: 25,

  // ---- written by the AudioWorklet ----
  /** The `flushRequest` the worklet has emptied the ring for. */
  flushSeen: 26,

  // ---- written by the decoder worker ----
  /**
   * The played frame before which the flush must not cut: what lies before it (the end of
   * an earlier segment) is still played. 0 cuts at once.
   */
  flushAtFrame: 27,

  // ---- written by the AudioWorklet ----
  /** `framesPlayed` when the ring was emptied for `flushSeen`: the producer counts on from it. */
  flushedAtFrame: 28,

  // ---- written by the decoder worker ----
  /** Damaged frames skipped in this utterance, and how long they were in ms (spec E2). */
  skippedFrames: 29,
  skippedMs: 30,
  /**
   * This utterance's pre-roll (spec B2: from the link's estimate): where the worklet starts,
   * and where it shrinks back to after a run of clean play.
   */
  basePrerollFrames: 31,
  /** Opening silence left out of this utterance, in frames (ring-feeder's dropOpeningSilence). */
  openingDroppedFrames: 32,
} as const;

/** Slots in the stats block. */
export const STAT_COUNT = 33;

/** What the player is doing. */
export const PlayState = { idle: 0, buffering: 1, playing: 2, paused: 3 } as const;

/** A stats block on shared memory. */
export function createStats(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(STAT_COUNT * Int32Array.BYTES_PER_ELEMENT));
}

/** Context frames are stored mod 2^31; this recovers the full frame nearest to `nearFrame`. */
export function unwrapFrame(stored: number, nearFrame: number): number {
  const span = 2 ** 31;
  const near = Math.floor(nearFrame);
  // The difference, mod span, mapped into [-span/2, span/2): the stored frame may lie ahead.
  const diff = ((((stored - (near % span)) % span) + span + span / 2) % span) - span / 2;
  return near + diff;
}

/** A context frame as stored in a slot. */
export function wrapFrame(frame: number): number {
  return Math.floor(frame) % 2 ** 31;
}
