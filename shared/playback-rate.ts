// The playback rate a user chooses (time-stretched in the decoder worker, on top of the
// provider's own speed): its range, its steps, and the one check every door uses. The
// settings schema takes its range from here, so the setting and the controls agree.

export const MIN_RATE = 0.5;
export const MAX_RATE = 3;
/** How far "faster" and "slower" move it. */
export const RATE_STEP = 0.25;

/** Why a rate is refused, or null when it is one a user may choose. */
export function rateProblem(rate: unknown): string | null {
  if (typeof rate !== 'number' || !Number.isFinite(rate)) return `The playback rate must be a number from ${MIN_RATE} to ${MAX_RATE}, not ${JSON.stringify(rate) ?? String(rate)}.`;
  if (rate < MIN_RATE || rate > MAX_RATE) return `The playback rate must be from ${MIN_RATE}× to ${MAX_RATE}×, not ${rate}×.`;
  return null;
}

/** The rate one step faster or slower (kept in range, on the step grid), or back to 1. */
export function steppedRate(rate: number, change: 'faster' | 'slower' | 'normal'): number {
  if (change === 'normal') return 1;
  // The next point of the grid strictly above or below (a rate off the grid moves onto it).
  const at = rate / RATE_STEP;
  const steps = change === 'faster' ? Math.floor(at + 1e-9) + 1 : Math.ceil(at - 1e-9) - 1;
  return Math.min(MAX_RATE, Math.max(MIN_RATE, steps * RATE_STEP));
}

/** "1.25×": how the players, the tray and notices show a rate. */
export function formatRate(rate: number): string {
  return `${Number(rate.toFixed(2))}×`;
}
