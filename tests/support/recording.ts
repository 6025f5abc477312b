// Pure analysis of audio recorded from the browser (tests/support/pulse.ts): where sound
// starts, where it drops out, and whether it is the signal that was played. No I/O.

/** Options for {@link findOnset}. */
export interface OnsetOptions {
  /** RMS level in dBFS the window must rise above; default −50. */
  threshold?: number;
  /** Window length; default 2 ms. */
  windowMs?: number;
}

/**
 * Index of the first sample at which the RMS of the short window ending there rises above
 * the threshold, or -1 if it never does. A loud signal is found at its first sample; one
 * near the threshold up to a window late.
 */
export function findOnset(samples: Float32Array, sampleRate: number, options: OnsetOptions = {}): number {
  const window = Math.max(1, Math.round(((options.windowMs ?? 2) * sampleRate) / 1000));
  const limit = window * 10 ** ((options.threshold ?? -50) / 10); // sum of squares at threshold
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    sum += samples[i] * samples[i];
    if (i >= window) sum -= samples[i - window] * samples[i - window];
    if (sum > limit) return i;
  }
  return -1;
}

/** Options for {@link findHoles}. */
export interface HoleOptions {
  /** First sample index searched; default 0. */
  from?: number;
  /** End of the search (exclusive); default the end of the recording. */
  to?: number;
  /** Only holes longer than this are reported. */
  minMs: number;
  /** |x| below this counts as silence; default 1e-4 (−80 dBFS). */
  level?: number;
}

/**
 * Runs of (near) digital silence longer than `minMs` between `from` and `to`. An underrun
 * anywhere between the page and the sound card shows up as such a run inside speech, which
 * never falls that quiet for that long.
 */
export function findHoles(samples: Float32Array, sampleRate: number, options: HoleOptions): { start: number; lengthMs: number }[] {
  const from = Math.max(0, options.from ?? 0);
  const to = Math.min(samples.length, options.to ?? samples.length);
  const level = options.level ?? 1e-4;
  const holes: { start: number; lengthMs: number }[] = [];
  let start = -1;
  for (let i = from; i <= to; i++) {
    const quiet = i < to && Math.abs(samples[i]) < level;
    if (quiet && start < 0) start = i;
    if (!quiet && start >= 0) {
      const lengthMs = ((i - start) * 1000) / sampleRate;
      if (lengthMs > options.minMs) holes.push({ start, lengthMs });
      start = -1;
    }
  }
  return holes;
}

const SINC_HALF_WIDTH = 16; // zero crossings each side
const SINC_PHASES = 512; // table steps per input sample

/**
 * Band-limited resampling with a Blackman-windowed sinc (16 zero crossings a side, table
 * driven). Better than linear interpolation, which dulls a 24 kHz signal's top octave and
 * would lower the correlation of bright speech for a reason that is not the player's.
 */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const step = fromRate / toRate; // input samples per output sample
  const cutoff = Math.min(1, toRate / fromRate); // of the input's Nyquist: anti-alias when going down
  const reach = SINC_HALF_WIDTH / cutoff; // kernel half-width in input samples
  const table = new Float64Array(Math.ceil(reach * SINC_PHASES) + 2);
  for (let k = 0; k < table.length; k++) {
    const d = k / SINC_PHASES;
    if (d >= reach) continue;
    const x = Math.PI * cutoff * d;
    const sinc = d === 0 ? 1 : Math.sin(x) / x;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * d) / reach) + 0.08 * Math.cos((2 * Math.PI * d) / reach);
    table[k] = cutoff * sinc * w;
  }
  const out = new Float32Array(Math.floor(input.length / step));
  for (let j = 0; j < out.length; j++) {
    const t = j * step;
    let sum = 0;
    for (let i = Math.max(0, Math.ceil(t - reach)); i <= Math.min(input.length - 1, Math.floor(t + reach)); i++) {
      const pos = Math.abs(t - i) * SINC_PHASES;
      const k = Math.floor(pos);
      sum += input[i] * (table[k] + (pos - k) * (table[k + 1] - table[k]));
    }
    out[j] = sum;
  }
  return out;
}

/** Where the reference sits in the recording, and how alike the two are there. */
export interface Alignment {
  /** recording[i + lag] lines up with reference[i] (at the recording's rate). */
  lag: number;
  /** Normalised cross-correlation at `lag` over the reference's length: 1 = same shape. */
  correlation: number;
}

/**
 * Finds `reference` inside `recording` and says how alike they are, whatever the gain. The
 * reference is resampled to the recording's rate ({@link resample}); every lag is scored at
 * once by FFT cross-correlation divided by the energies (normalised cross-correlation), so
 * 40 s at 48 kHz takes about a second. Outside the recording counts as silence.
 */
export function alignAndCompare(recording: Float32Array, reference: Float32Array, recordingRate: number, referenceRate: number): Alignment {
  const ref = resample(reference, referenceRate, recordingRate);
  const n = recording.length;
  const m = ref.length;
  let size = 1;
  while (size < n + m - 1) size *= 2;
  // Both real signals go through one complex FFT: recording as real part, reference as imaginary.
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(recording);
  im.set(ref);
  const fft = new Fft(size);
  fft.transform(re, im);
  crossSpectrum(re, im);
  for (let k = 0; k < size; k++) im[k] = -im[k]; // inverse FFT = conjugate, forward, conjugate
  fft.transform(re, im);

  const prefix = new Float64Array(n + 1); // running energy of the recording
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + recording[i] * recording[i];
  const refEnergy = energy(ref);
  const windowEnergy = (lag: number) => prefix[Math.min(n, Math.max(0, lag + m))] - prefix[Math.min(n, Math.max(0, lag))];
  // Windows far quieter than the loudest are skipped: there FFT rounding noise divided by a
  // tiny energy could pose as a perfect match.
  let loudest = 0;
  for (let lag = 1 - m; lag < n; lag++) loudest = Math.max(loudest, windowEnergy(lag));
  let best = { lag: 0, correlation: 0 };
  for (let lag = 1 - m; lag < n; lag++) {
    const e = windowEnergy(lag);
    if (e <= loudest * 1e-6 || e === 0) continue;
    const c = re[lag >= 0 ? lag : size + lag] / size / Math.sqrt(refEnergy * e);
    if (c > best.correlation) best = { lag, correlation: c };
  }
  if (refEnergy === 0 || loudest === 0) return best;
  return { lag: best.lag, correlation: exactCorrelation(recording, ref, best.lag) };
}

/** Normalised cross-correlation at one lag, summed directly (no FFT rounding). */
function exactCorrelation(recording: Float32Array, ref: Float32Array, lag: number): number {
  let dot = 0;
  let e = 0;
  for (let i = Math.max(0, -lag); i < ref.length && i + lag < recording.length; i++) {
    const x = recording[i + lag];
    dot += x * ref[i];
    e += x * x;
  }
  return dot / Math.sqrt(energy(ref) * e);
}

function energy(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i] * x[i];
  return e;
}

/**
 * Turns Z = FFT(x + i·r) into X·conj(R) in place, whose inverse is the cross-correlation
 * c[lag] = Σ x[i + lag]·r[i]. X and R come from the symmetry of real signals' spectra.
 */
function crossSpectrum(re: Float64Array, im: Float64Array): void {
  const size = re.length;
  for (let k = 0; k <= size / 2; k++) {
    const j = (size - k) % size;
    // X[k] = (Z[k] + conj Z[j]) / 2 and R[k] = (Z[k] − conj Z[j]) / 2i; X[j], R[j] are their conjugates.
    const xr = (re[k] + re[j]) / 2;
    const xi = (im[k] - im[j]) / 2;
    const rr = (im[k] + im[j]) / 2;
    const ri = (re[j] - re[k]) / 2;
    const cr = xr * rr + xi * ri;
    const ci = xi * rr - xr * ri;
    re[k] = cr;
    im[k] = ci;
    re[j] = cr;
    im[j] = -ci;
  }
}

/** In-place iterative radix-2 complex FFT with precomputed twiddles. */
class Fft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(private readonly size: number) {
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  transform(re: Float64Array, im: Float64Array): void {
    const size = this.size;
    for (let i = 1, j = 0; i < size; i++) {
      let bit = size >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (i < j) {
        const r = re[i];
        re[i] = re[j];
        re[j] = r;
        const m = im[i];
        im[i] = im[j];
        im[j] = m;
      }
    }
    for (let len = 2; len <= size; len *= 2) {
      const half = len / 2;
      const stride = size / len;
      for (let start = 0; start < size; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * stride];
          const wi = this.sin[k * stride];
          const a = start + k;
          const b = a + half;
          const tr = re[b] * wr - im[b] * wi;
          const ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  }
}

/** A run of silence the output path inserted into otherwise continuous audio. */
export interface Slip {
  /** Index in the recording where the inserted silence starts. */
  at: number;
  samples: number;
}

/** What {@link findSlips} makes of a recording: the silences inserted, and what it could not explain. */
export interface Slips {
  /** Where the speech really starts in the recording: `lag` moved to the first clean window's. */
  start: number;
  slips: Slip[];
  /** Shifts that are not an inserted silence: audio lost, repeated, or a hole longer than the limit. */
  unexplained: string[];
}

const SLIP_WINDOW_MS = 50;
/** Shifts searched one by one around the last; farther ones by one cross-correlation. */
const NEAR_SLIP = 512;
/** A window this alike at its own lag is clean: the reference is the decoder's own output. */
const CLEAN = 0.98;

/**
 * Finds where the recording slips against the reference after `lag` (alignAndCompare's):
 * the reference is followed in 50 ms windows, each placed at its own best lag near the last,
 * and every change of lag between clean windows is explained, if it can be, as a run of
 * silence of that length inserted in between. PulseAudio inserts such a run when a stream's
 * data arrives late (here when the rig's 5 ms capture holds the null sink to 5 ms, or the
 * machine is loaded); the page's output clock falls behind by as much. Silence longer than
 * `maxSlip` samples, audio lost and audio played twice show up as shifts no silence explains.
 */
export function findSlips(recording: Float32Array, reference: Float32Array, lag: number, sampleRate: number, maxSlip: number): Slips {
  const window = Math.round((SLIP_WINDOW_MS * sampleRate) / 1000);
  const loud = 0.05 * Math.sqrt(energy(reference) / reference.length);
  const result: Slips = { start: lag, slips: [], unexplained: [] };
  let offset: number | undefined;
  let lastCleanStart = lag;
  let unclean = 0;
  /** The first loud window, when no lag fitted it: a slip inside it, with no window before to see the move by. */
  let spoiledFirst: number | undefined;
  for (let start = 0; start + window <= reference.length; start += window) {
    const part = reference.subarray(start, start + window);
    if (Math.sqrt(energy(part) / window) < loud) continue;
    const at = (shift: number): number => {
      const from = lag + start + shift;
      if (from < 0 || from + window > recording.length) return -1;
      // Pure digital silence there (a stall's) has no shape: 0/0, which must not pass as clean.
      return exactCorrelation(recording.subarray(from, from + window), part, 0) || 0;
    };
    let best = { correlation: offset === undefined ? -1 : at(offset), shift: offset ?? 0 };
    // Searched only where the last lag no longer fits. The whole take's lag is the longer
    // part's: the first clean window may sit a slip from it.
    if (best.correlation < CLEAN) {
      const around = offset ?? 0;
      const near = Math.min(maxSlip, NEAR_SLIP);
      for (let shift = around - near; shift <= around + near; shift++) {
        const correlation = at(shift);
        if (correlation > best.correlation) best = { correlation, shift };
      }
      // Farther only later (a long stall inserts silence, and audio is never early by more),
      // but either way for the first window: the take's lag may be the part after a stall.
      // Searched even when a near lag looks clean: in a quiet voiced stretch a lag a pitch
      // period or two short of a longer slip looked clean too (0.98) and posed as the slip.
      if (maxSlip > near) {
        const from = Math.max(0, lag + start + around + (offset === undefined ? -maxSlip : near + 1));
        const slice = recording.subarray(from, Math.min(recording.length, lag + start + around + maxSlip + window));
        const far = slice.length >= window ? alignAndCompare(slice, part, sampleRate, sampleRate) : undefined;
        // Judged as the near ones are: alignAndCompare's own figure is not the same measure.
        const shift = far && far.lag >= 0 && far.lag + window <= slice.length ? from + far.lag - lag - start : undefined;
        const correlation = shift === undefined ? -1 : at(shift);
        if (shift !== undefined && correlation > best.correlation) best = { correlation, shift };
      }
    }
    if (best.correlation < CLEAN) {
      unclean++;
      if (offset === undefined && unclean === 1) spoiledFirst = start;
      continue;
    }
    if (offset === undefined) {
      offset = best.shift;
      result.start = lag + best.shift;
      const slip = spoiledFirst === undefined ? undefined : slipInside(recording, reference.subarray(spoiledFirst, spoiledFirst + window), lag + spoiledFirst + offset, maxSlip);
      if (slip) {
        result.slips.push(slip);
        result.start -= slip.samples;
        spoiledFirst = undefined;
      }
    }
    const moved = best.shift - offset;
    if (moved !== 0) {
      // From the last clean window on: a slip near a window's edge leaves it clean at either lag.
      const runs = insertedSilence(recording, lastCleanStart, lag + start + best.shift + window, moved);
      if (moved > 0 && runs.explain) result.slips.push(...runs.slips);
      else result.unexplained.push(`${((start * 1000) / sampleRate).toFixed(0)} ms into the speech: shifted ${moved} samples${runs.slips.length ? ` (longest silence near it ${runs.slips[0].samples})` : ''}`);
    }
    offset = best.shift;
    lastCleanStart = lag + start + best.shift;
  }
  // A slip spoils the one window it falls in; more spoiled than that is audio not found near where it belongs.
  // (A start held up or cut short still shows: the page's time for the first sample disagrees.)
  if (unclean > result.slips.length + (spoiledFirst === undefined ? 0 : 1)) result.unexplained.push(`${unclean} windows of the speech not found within ${maxSlip} samples of where they belong`);
  return result;
}

/**
 * The runs of digital near-silence (|x| < 1e-3) in recording[from, to) that hold `samples`
 * inserted: one run that long, or longer (inserted into a pause, the silence merges with the
 * pause's own: cut from its end), or else two that add up to it (a stall that let a moment of
 * audio through). When none do, `slips` holds the longest run, for the message.
 */
function insertedSilence(recording: Float32Array, from: number, to: number, samples: number): { explain: boolean; slips: Slip[] } {
  const runs = silentRuns(recording, from, to);
  const close = (n: number): boolean => Math.abs(n - samples) <= 2;
  const exact = runs.find((run) => close(run.samples));
  if (exact) return { explain: true, slips: [{ at: exact.at + Math.max(0, exact.samples - samples), samples: Math.min(samples, exact.samples) }] };
  const longest = runs.reduce<Slip | undefined>((a, run) => (!a || run.samples > a.samples ? run : a), undefined);
  if (longest && longest.samples >= samples) return { explain: true, slips: [{ at: longest.at + longest.samples - samples, samples }] };
  for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) if (close(runs[i].samples + runs[j].samples)) return { explain: true, slips: [runs[i], runs[j]] };
  return { explain: false, slips: longest ? [longest] : [] };
}

/**
 * A slip inside the window that belongs at recording[at, at + window): a run of silence there
 * which, cut out, leaves the audio before it (that much earlier) and after it clean. The
 * silence inserted may be only part of the run (the speech's own quiet beside it): every
 * length up to the run's is tried, and the one that fits best is the slip.
 */
function slipInside(recording: Float32Array, part: Float32Array, at: number, maxSlip: number): Slip | undefined {
  const window = part.length;
  const joined = new Float32Array(window);
  let best: { slip: Slip; correlation: number } | undefined;
  for (const run of silentRuns(recording, Math.max(0, at - maxSlip), Math.min(recording.length, at + window))) {
    if (run.at + run.samples > at + window) continue;
    for (let samples = Math.min(run.samples, maxSlip); samples > 0; samples--) {
      const head = at - samples; // where the window's audio starts, before the silence
      if (run.at < head) break;
      if (head < 0) continue;
      joined.set(recording.subarray(head, run.at));
      joined.set(recording.subarray(run.at + samples, at + window), run.at - head);
      const correlation = exactCorrelation(joined, part, 0) || 0;
      if (correlation >= CLEAN && correlation > (best?.correlation ?? 0)) best = { slip: { at: run.at, samples }, correlation };
    }
  }
  return best?.slip;
}

/** Runs of digital near-silence (|x| < 1e-3) in recording[from, to), in samples. */
function silentRuns(recording: Float32Array, from: number, to: number): Slip[] {
  // At a nominal 1000 Hz findHoles' milliseconds are samples.
  return findHoles(recording, 1000, { from, to, minMs: 0, level: 1e-3 }).map((hole) => ({ at: hole.start, samples: Math.round(hole.lengthMs) }));
}

/** The recording with each slip's inserted silence cut out. */
export function withoutSlips(recording: Float32Array, slips: Slip[]): Float32Array {
  const out = new Float32Array(recording.length - slips.reduce((sum, s) => sum + s.samples, 0));
  let from = 0;
  let to = 0;
  for (const slip of slips) {
    out.set(recording.subarray(from, slip.at), to);
    to += slip.at - from;
    from = slip.at + slip.samples;
  }
  out.set(recording.subarray(from), to);
  return out;
}
