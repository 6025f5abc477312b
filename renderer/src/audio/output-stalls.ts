/**
 * How long the output held the audio up, read from the context's output clock: Chromium
 * stamps each device callback with when its audio will be heard (getOutputTimestamp). While
 * the output keeps time, "heard at" minus "context time" stays put (within about a
 * millisecond of jitter); a stall anywhere after the worklet (the audio thread run late,
 * PulseAudio waiting for data) plays silence and moves it later by the stall's length, in
 * one step. The ring cannot move it: an underrun plays silence in real time. Recordings of
 * PulseAudio's output agree with it within 0.6 ms in most takes; when a stall was the
 * difference of two single readings it read up to 3.5 ms short, hence the medians below.
 * Chromium's own audio thread may add a few ms more (tests/browser/recording.test.ts).
 */

/**
 * A rise this large over the level is a stall; smaller ones are jitter, and so is a sound
 * card's clock drifting from the system's (0.1 ms a second at 100 ppm), which summed over
 * an hour's reading would pose as a stall of a third of a second.
 */
const STEP_MS = 2;
/**
 * The level is the median of this many recent readings, and a stall is measured from the
 * level before it to the level after it: one reading's jitter (up to about 2 ms) then moves
 * neither, where a difference of two single readings could read a stall 3.5 ms short, or
 * count a lone late reading as one.
 */
const LEVEL_READINGS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export class OutputStalls {
  /** Readings since the latest stall (the most recent LEVEL_READINGS of them). */
  private recent: number[] = [];
  /** The level before the latest stall, while the level after it is still being read. */
  private before = NaN;
  /** What the latest stall adds to `ms` so far. */
  private latest = 0;
  private ms = 0;
  private steps = 0;
  /** Stamps up to this context time were taken before the reset, or read already. */
  private from = -Infinity;

  /**
   * Forgets the past: a new utterance, or a context that was suspended (its clock stood
   * still). Stamps until the clock passes `contextTime` are stale: a resumed context's
   * first one still describes the moment it was suspended.
   */
  reset(contextTime: number): void {
    this.recent = [];
    this.before = NaN;
    this.latest = 0;
    this.ms = 0;
    this.steps = 0;
    this.from = contextTime;
  }

  /** Takes one output timestamp (ms and s, as getOutputTimestamp gives them). */
  read(performanceTime: number, contextTime: number): void {
    // One stamp per device callback, however often the page asks: the median is of callbacks.
    if (contextTime <= this.from) return;
    this.from = contextTime;
    const behind = performanceTime - contextTime * 1000;
    const settling = !Number.isNaN(this.before);
    if (!settling && this.recent.length && behind - median(this.recent) >= STEP_MS) {
      this.before = median(this.recent);
      this.recent = [behind];
      this.steps++;
      this.latest = behind - this.before;
      this.ms += this.latest;
      return;
    }
    this.recent.push(behind);
    if (this.recent.length > LEVEL_READINGS) this.recent.shift();
    if (!settling) return;
    // Still reading the level after the latest stall: measure it again from the median (which
    // takes in a second stall this soon after, as part of this one).
    const size = median(this.recent) - this.before;
    if (size < STEP_MS) {
      // The level came back: that was one late reading, not a stall.
      this.ms -= this.latest;
      this.steps--;
      this.before = NaN;
      return;
    }
    this.ms += size - this.latest;
    this.latest = size;
    if (this.recent.length === LEVEL_READINGS) this.before = NaN;
  }

  /** Milliseconds the output has fallen behind since the reset, and in how many steps. */
  get stalled(): { ms: number; count: number } {
    return { ms: this.ms, count: this.steps };
  }
}
