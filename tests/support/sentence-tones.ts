// A text whose sentences can be told apart in a recording: the test server answers each
// request with a tone whose pitch names the request's first sentence, so what was heard,
// and in which order, can be read back from what the speakers played.
import type { AudioFormat } from '../../shared/audio-format';
import type { ServedAudio } from './tts-server';

/** Each sentence's first word and its pitch. */
export const TONES = { Alpha: 440, Bravo: 660, Charlie: 880, Delta: 1100 } as const;
export type ToneName = keyof typeof TONES;
/** Seconds of tone per sentence in a request. */
export const SECONDS_PER_SENTENCE = 2.5;

const FIRST = 'Alpha starts the text.';
/** Every word of a long sentence carries its sentence's name, so any part of it can be told. */
const longSentence = (name: ToneName): string => `${name} ${Array.from({ length: 300 }, (_, i) => `${name.toLowerCase()}${i}`).join(' ')}.`;

/**
 * A short first sentence, then three long ones: the engine speaks the first alone and can
 * fit no two long ones in one request (about 2,500 characters each), so no request holds
 * two sentences (a long one may take two requests).
 */
export function toneText(): string {
  return [FIRST, longSentence('Bravo'), longSentence('Charlie'), longSentence('Delta')].join(' ');
}

/**
 * The test server's audio, pcm only: the tone of the sentence the request's text is from,
 * as long as its share of the sentence (a whole sentence lasts SECONDS_PER_SENTENCE).
 */
export function toneAudio(format: AudioFormat, input: string): ServedAudio | undefined {
  if (format !== 'pcm') return undefined;
  const first = (Object.keys(TONES) as ToneName[]).find((name) => input.toLowerCase().startsWith(name.toLowerCase()));
  if (!first) return undefined;
  const seconds = input === FIRST ? SECONDS_PER_SENTENCE : (input.length / longSentence(first).length) * SECONDS_PER_SENTENCE;
  return toneClip(TONES[first], seconds);
}

/** A steady tone as 24 kHz 16-bit pcm: sound in every sample, so its end in a recording is where it stopped. */
export function toneClip(frequency: number, seconds: number): ServedAudio {
  const rate = 24000;
  const bytes = new Uint8Array(Math.round(seconds * rate) * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < bytes.length / 2; i++) view.setInt16(i * 2, Math.round(9000 * Math.sin((2 * Math.PI * frequency * i) / rate)), true);
  return { bytes, seconds };
}

/** A run of one tone in a recording, in ms from its start. */
export interface ToneRun {
  tone: ToneName;
  startMs: number;
  lengthMs: number;
}

/**
 * The tones a recording holds, in order: each 20 ms window is labelled by the tone that
 * carries most of its energy (Goertzel), or silence; runs shorter than 100 ms are dropped.
 */
export function tonesHeard(samples: Float32Array, sampleRate: number): ToneRun[] {
  const window = Math.round(sampleRate * 0.02);
  const labels: (ToneName | null)[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    let energy = 0;
    for (let i = start; i < start + window; i++) energy += samples[i] * samples[i];
    if (energy / window < 1e-4) {
      labels.push(null);
      continue;
    }
    let best: ToneName | null = null;
    let bestPower = 0;
    for (const [name, frequency] of Object.entries(TONES) as [ToneName, number][]) {
      const power = goertzel(samples, start, window, frequency / sampleRate);
      if (power > bestPower) [best, bestPower] = [name, power];
    }
    // A pure tone's power at its bin is about energy * window / 2; noise and clicks are far below.
    labels.push(bestPower > (energy * window) / 8 ? best : null);
  }
  const runs: ToneRun[] = [];
  const windowMs = (window / sampleRate) * 1000;
  labels.forEach((label, i) => {
    const last = runs.at(-1);
    if (label && last?.tone === label && last.startMs + last.lengthMs >= i * windowMs - windowMs) last.lengthMs = (i + 1) * windowMs - last.startMs;
    else if (label) runs.push({ tone: label, startMs: i * windowMs, lengthMs: windowMs });
  });
  return runs.filter((run) => run.lengthMs >= 100);
}

/** The power of one frequency (in cycles per sample) over samples[start, start + length). */
export function goertzel(samples: Float32Array, start: number, length: number, cycles: number): number {
  const coefficient = 2 * Math.cos(2 * Math.PI * cycles);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length; i++) {
    const s0 = samples[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}
