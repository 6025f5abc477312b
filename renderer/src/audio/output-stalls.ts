/**
 * How long the output held the audio up, read from the context's output clock: Chromium
 * stamps each device callback with when its audio will be heard (getOutputTimestamp). While
 * the output keeps time, "heard at" minus "context time" stays put (within about a
 * millisecond of jitter); a stall anywhere after the worklet (the audio thread run late,
 * PulseAudio waiting for data) plays silence and moves it later by the stall's length, in
 * one step. The ring cannot move it: an underrun plays silence in real time. Recordings of
 * PulseAudio's output agree with it within 0.6 ms in most takes and read at most 3.5 ms
 * short (a stall is the difference of two readings, each with its jitter); Chromium's own
 * audio thread may add a few ms more (tests/browser/recording.test.ts).
 */

/**
 * A rise this large between two readings is a stall; smaller ones are jitter, and so is a
 * sound card's clock drifting from the system's (0.1 ms a second at 100 ppm), which summed
 * over an hour's reading would pose as a stall of a third of a second.
 */
const STEP_MS = 2;

export class OutputStalls {
  private last = NaN;
  private ms = 0;
  private steps = 0;
  /** Stamps up to this context time were taken before the reset. */
  private from = -Infinity;

  /**
   * Forgets the past: a new utterance, or a context that was suspended (its clock stood
   * still). Stamps until the clock passes `contextTime` are stale: a resumed context's
   * first one still describes the moment it was suspended.
   */
  reset(contextTime: number): void {
    this.last = NaN;
    this.ms = 0;
    this.steps = 0;
    this.from = contextTime;
  }

  /** Takes one output timestamp (ms and s, as getOutputTimestamp gives them). */
  read(performanceTime: number, contextTime: number): void {
    if (contextTime <= this.from) return;
    const behind = performanceTime - contextTime * 1000;
    if (behind - this.last >= STEP_MS) {
      this.steps++;
      this.ms += behind - this.last;
    }
    this.last = behind;
  }

  /** Milliseconds the output has fallen behind since the reset, and in how many steps. */
  get stalled(): { ms: number; count: number } {
    return { ms: this.ms, count: this.steps };
  }
}
