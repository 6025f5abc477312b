/**
 * How long the output held the audio up, read from the context's output clock: Chromium
 * stamps each device callback with when its audio will be heard (getOutputTimestamp). While
 * the output keeps time, "heard at" minus "context time" stays put (within about a
 * millisecond of jitter); a stall anywhere after the worklet (the audio thread run late,
 * PulseAudio waiting for data) plays silence and moves it later by the stall's length. The
 * ring cannot move it: an underrun plays silence in real time. Recordings of PulseAudio's
 * output agree with it within a millisecond (tests/browser/output-stall.test.ts).
 */

/** A step this large between two readings counts as one stall; smaller ones are jitter. */
const STEP_MS = 2;

export class OutputStalls {
  /** Least "heard at − context time" since the last reset: where the clock stood unstalled. */
  private least = Infinity;
  private last = NaN;
  private steps = 0;
  /** Stamps up to this context time were taken before the reset. */
  private from = -Infinity;

  /**
   * Forgets the past: a new utterance, or a context that was suspended (its clock stood
   * still). Stamps until the clock passes `contextTime` are stale: a resumed context's
   * first one still describes the moment it was suspended.
   */
  reset(contextTime: number): void {
    this.least = Infinity;
    this.last = NaN;
    this.steps = 0;
    this.from = contextTime;
  }

  /** Takes one output timestamp (ms and s, as getOutputTimestamp gives them). */
  read(performanceTime: number, contextTime: number): void {
    if (contextTime <= this.from) return;
    const behind = performanceTime - contextTime * 1000;
    if (behind - this.last >= STEP_MS) this.steps++;
    this.last = behind;
    this.least = Math.min(this.least, behind);
  }

  /** Milliseconds the output has fallen behind since the reset, and in how many steps. */
  get stalled(): { ms: number; count: number } {
    return Number.isFinite(this.least) ? { ms: this.last - this.least, count: this.steps } : { ms: 0, count: 0 };
  }
}
