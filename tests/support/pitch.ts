// The fundamental frequency of speech, by autocorrelation over voiced frames: how the tests
// check that a time-stretch changed the tempo and kept the pitch.

/** F0 of each voiced 40 ms frame (normalized autocorrelation peak in 70–400 Hz above 0.6). */
export function voicedPitches(samples: Float32Array, sampleRate: number): number[] {
  const size = Math.round(sampleRate * 0.04);
  const minLag = Math.floor(sampleRate / 400);
  const maxLag = Math.ceil(sampleRate / 70);
  let peakLevel = 0;
  for (const sample of samples) peakLevel = Math.max(peakLevel, Math.abs(sample));
  const pitches: number[] = [];
  for (let start = 0; start + size + maxLag < samples.length; start += size) {
    let energy = 0;
    for (let i = 0; i < size; i++) energy += samples[start + i] ** 2;
    // Quiet frames (pauses, breath) have no pitch worth measuring.
    if (Math.sqrt(energy / size) < peakLevel * 0.05) continue;
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let sum = 0;
      let shifted = 0;
      for (let i = 0; i < size; i++) {
        sum += samples[start + i] * samples[start + i + lag];
        shifted += samples[start + i + lag] ** 2;
      }
      const score = sum / Math.sqrt(energy * shifted || 1);
      if (score > best) {
        best = score;
        bestLag = lag;
      }
    }
    if (best > 0.6) pitches.push(sampleRate / bestLag);
  }
  return pitches;
}

/** The median F0 of the voiced frames, in Hz (NaN when none is voiced). */
export function medianPitch(samples: Float32Array, sampleRate: number): number {
  const pitches = voicedPitches(samples, sampleRate).sort((a, b) => a - b);
  return pitches.length ? pitches[pitches.length >> 1] : Number.NaN;
}
