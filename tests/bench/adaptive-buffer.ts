// The learned pre-roll in `npm run bench` (spec B2): the same utterances through two
// `utter web`s in Chromium, one sizing its pre-roll from the link (the default) and one
// with adaptiveBuffer off (the fixed setting, as before), against servers paced alike.
// First audio is judged as heard, from a PulseAudio recording, as in the players' bench.
import type { Page } from 'playwright-core';
import type { AudioFormat } from '../../shared/audio-format';
import { createDecoder } from '../../shared/decoders';
import { audioRuns } from '../../shared/decoders/audio';
import { pulseAvailable, startPulse, type PulseAudio } from '../support/pulse';
import { fixtureAudio } from '../support/tts-server';
import { startWebRig, waitForText, type WebRig } from '../support/utter-web';
import { heardFrom, measureUtter } from './browser-players';
import { clickSpeakToFirstSound } from './click-to-heard';
import { median, table } from './report';

const WARM_UPS = 3;
// Nine: a start lands anywhere in a 10.7 ms output callback, so single runs differ by ±5 ms.
const RUNS = 9;
/** Medians of nine starts closer than this are a tie: they differ by as much from run to run. */
const TIE_MS = 3;
const SHORT = 'A short sentence.';
const TWO_SEGMENTS = 'First sentence of two. Second sentence of two.';

const LINKS = [
  { name: 'steady, 4× real time', pace: { realtimeFactor: 4, ttfbMs: 300, jitterMs: 0 }, text: SHORT, playToEnd: false },
  { name: '1.5× real time, up to 40 ms jitter', pace: { realtimeFactor: 1.5, ttfbMs: 300, jitterMs: 40 }, text: TWO_SEGMENTS, playToEnd: true },
] as const;

export async function benchAdaptiveBuffer(): Promise<string> {
  if (!pulseAvailable()) return 'Learned pre-roll: skipped — first audio is judged as heard, from a PulseAudio recording, and pulseaudio/parec are not installed.';
  const pulse = await startPulse();
  const rigs: Record<'learned' | 'fixed', WebRig> = {
    learned: await startWebRig({ env: pulse.env }),
    fixed: await startWebRig({ env: pulse.env, settings: { adaptiveBuffer: false } }),
  };
  try {
    const rows: string[][] = [];
    const verdicts: string[] = [];
    for (const link of LINKS) {
      for (const format of ['pcm', 'mp3'] as AudioFormat[]) {
        const results: Record<string, { overheadMs: number; underruns: number; preroll: string }> = {};
        for (const [label, rig] of Object.entries(rigs)) {
          rig.tts.set({ ...link.pace, chunkBytes: chunkBytesFor(format), firstChunkBytes: await firstWriteBytesFor(format), seed: 11, audio: (f) => fixtureAudio(f, 'sentence') });
          const page = await rig.open();
          // The learned one learns here, from whole bodies (the fixed one hears the same, for a like start).
          for (let i = 0; i < WARM_UPS; i++) await measureUtter(rig, page, link.text, format, true);
          const runs = [];
          for (let i = 0; i < RUNS; i++) runs.push(await heardRun(rig, pulse, page, link.text, format, link.playToEnd));
          const preroll = (await page.getByTestId('preroll-reason').textContent()) ?? '';
          await page.close();
          results[label] = { overheadMs: median(runs.map((r) => r.overheadMs)), underruns: runs.reduce((sum, r) => sum + r.underruns, 0), preroll };
          rows.push([link.name, format, label, `${Math.round(results[label].overheadMs)}`, `${results[label].underruns}`, preroll.replace(/ \(it started.*$/, '')]);
        }
        const { learned, fixed } = results;
        const jittery = link.pace.jitterMs > 0;
        // Steady: first audio sooner than the fixed pre-roll's, by more than medians differ run to run (3 ms).
        // Jittery: no underrun, and no later (5 ms of run-to-run noise allowed).
        const met = jittery ? learned.underruns === 0 && learned.overheadMs <= fixed.overheadMs + 5 : learned.overheadMs <= fixed.overheadMs - TIE_MS;
        const tie = !jittery && Math.abs(learned.overheadMs - fixed.overheadMs) < TIE_MS ? ', a tie' : '';
        verdicts.push(`${link.name}, ${format}: learned ${Math.round(learned.overheadMs)} ms vs fixed ${Math.round(fixed.overheadMs)} ms, ${learned.underruns} underruns (${met ? 'met' : 'NOT met'}${tie})`);
      }
    }
    const firstWrites = await Promise.all((['pcm', 'mp3'] as AudioFormat[]).map(async (format) => `${format} ${await audioAfterWrites(format, 2)}`));
    return [
      `Learned pre-roll — two utter webs in Chromium, PulseAudio null sink; ${WARM_UPS} utterances to learn, then the median of ${RUNS}; first audio as heard (an in-page click, the first sound in the recording) above the server's first byte.\n`,
      table(['link', 'format', 'pre-roll', 'first audio over first byte ms', `underruns (${RUNS} plays)`, 'pre-roll the page shows'], rows),
      `\nTargets: on the steady link, first audio sooner than with the fixed pre-roll; on the jittery one, 0 underruns and first audio no later.\n${verdicts.join('\n')}`,
      `Audio in hand after the first and second writes (decoded in Node): ${firstWrites.join('; ')}. A pre-roll can start no sooner than the write that brings it.`,
    ].join('\n');
  } finally {
    await rigs.learned.close();
    await rigs.fixed.close();
    await pulse.stop();
  }
}

/**
 * Each write holds the same audio in every format: the 85 ms that 4 KB of 24 kHz pcm holds.
 * In 4 KB writes an mp3 stream's first write held half a second, more than either pre-roll
 * waits for, so both started on it and the comparison said nothing.
 */
const WRITE_SECONDS = 4096 / 48_000;

function chunkBytesFor(format: AudioFormat): number {
  const { bytes, seconds } = fixtureAudio(format, 'sentence');
  return Math.max(1, Math.round((bytes.length / seconds) * WRITE_SECONDS));
}

/**
 * The first write holds the same audio too, as decoded, with whatever the encoder put before
 * it: a server that writes as it synthesizes sends those bytes with its first audio. Cut at
 * 85 ms of bytes, this mp3's first write held its Info frame and 46 ms of priming, 2 ms of
 * audio in all, less than any pre-roll, so both started on the second write: a tie that said
 * nothing about the pre-roll (until 2026-12-06).
 */
async function firstWriteBytesFor(format: AudioFormat): Promise<number> {
  const { bytes } = fixtureAudio(format, 'sentence');
  const decoder = createDecoder(format);
  await decoder.ready;
  const step = 16;
  let samples = 0;
  try {
    for (let end = step; end < bytes.length; end += step) {
      for (const run of audioRuns(await decoder.push(bytes.subarray(end - step, end)))) if (run.samplesDecoded > 0) samples += run.samplesDecoded / run.sampleRate;
      if (samples >= WRITE_SECONDS) return end;
    }
    return bytes.length;
  } finally {
    decoder.free();
  }
}

/** Milliseconds of audio the decoder gives after each of the first `writes` writes of the bench's size. */
async function audioAfterWrites(format: AudioFormat, writes: number): Promise<string> {
  const { bytes } = fixtureAudio(format, 'sentence');
  const size = chunkBytesFor(format);
  const first = await firstWriteBytesFor(format);
  const decoder = createDecoder(format);
  await decoder.ready;
  const heard: string[] = [];
  let samples = 0;
  let rate = 0;
  for (let i = 0; i < writes; i++) {
    const from = i === 0 ? 0 : first + (i - 1) * size;
    for (const run of audioRuns(await decoder.push(bytes.subarray(from, i === 0 ? first : from + size)))) {
      samples += run.samplesDecoded;
      rate = run.sampleRate || rate;
    }
    heard.push(`${rate ? Math.round((samples / rate) * 1000) : 0} ms`);
  }
  decoder.free();
  return heard.join(', ');
}

/** One start, by an in-page click, judged by the recording; played to its end (for the underruns) or stopped. */
async function heardRun(rig: WebRig, pulse: PulseAudio, page: Page, text: string, format: AudioFormat, playToEnd: boolean): Promise<{ overheadMs: number; underruns: number }> {
  await page.getByTestId('format-select').selectOption(format);
  await new Promise((r) => setTimeout(r, 100));
  const askedAt = performance.now();
  const { heardMs, clickedAt } = await clickSpeakToFirstSound(page, pulse, text);
  if (playToEnd) await waitForText(page, 'state', 'idle', 30_000, 50);
  else if (await page.getByTestId('stop').isEnabled()) await page.getByTestId('stop').dispatchEvent('click');
  await waitForText(page, 'state', 'idle', 5000);
  const underruns = Number(await page.getByTestId('underruns').textContent());
  return { overheadMs: heardFrom(rig, askedAt, clickedAt + heardMs, clickedAt).overheadMs, underruns };
}
