/**
 * The playback counters in shared memory (../shared/STYLE.md §3): the AudioWorklet writes
 * them, the decoder worker and the UI read them on their own schedule. Never pushed
 * through React state at audio rate.
 */
export const STAT = {
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
  /** Set by the producer: no more audio is coming, play out what is left. */
  ended: 7,
  /** Set by the worklet when the last frame has been rendered after `ended`. */
  drained: 8,
  /** Rendered quanta, for the average buffer level (spec M3). */
  quanta: 9,
  /** Sum of buffered frames over the quanta, divided by 16 to stay in range. */
  bufferedSum16: 10,
} as const;

/** Slots in the stats block. */
export const STAT_COUNT = 11;

/** What the player is doing. */
export const PlayState = { idle: 0, buffering: 1, playing: 2, paused: 3 } as const;

/** A stats block on shared memory (a plain buffer where SharedArrayBuffer is missing, for tests). */
export function createStats(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(STAT_COUNT * Int32Array.BYTES_PER_ELEMENT));
}
