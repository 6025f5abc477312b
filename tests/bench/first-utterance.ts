// The first utterance after Utter starts, against the ones after it (issue 12 §1): each start
// is a fresh `utter web` process and a fresh Chromium, as a first hotkey after the app
// starts; one start alone is too noisy to judge by.
import { pulseAvailable, startPulse, type PulseAudio } from '../support/pulse';
import { startWebProcessRig } from '../support/utter-web';
import { OUTPUT_RESTS_AFTER_MS } from '../../shared/playback/output-rest';
import { benchAudio, heardUtter, REALTIME, SHORT, TTFB_MS, type Heard } from './browser-players';
import { median } from './report';

const STARTS = 5;
const LATER = 3;

export async function benchFirstUtterance(pulse: PulseAudio): Promise<string> {
  const first = { fromClick: [] as number[], overhead: [] as number[] };
  const later = { fromClick: [] as number[], overhead: [] as number[] };
  let afterRest: Heard | null = null;
  // Start -1 is not counted: it warms this process's own tools (Playwright, the recorder,
  // the test server). Utter's process is a fresh one every start.
  for (let start = -1; start < STARTS; start++) {
    // No audio cache: the same sentence is asked for again and again.
    const rig = await startWebProcessRig({ tts: { ttfbMs: TTFB_MS, realtimeFactor: REALTIME }, env: pulse.env, settings: { audioCacheMb: 0 } });
    try {
      rig.tts.set({ audio: benchAudio });
      const page = await rig.open();
      // A moment after the page opens, as a first hotkey a little after the app started.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const heard = await heardUtter(rig, pulse, page, SHORT, 'mp3');
      if (start < 0) continue;
      first.fromClick.push(heard.fromClickMs);
      first.overhead.push(heard.overheadMs);
      for (let i = 0; i < LATER; i++) {
        const next = await heardUtter(rig, pulse, page, SHORT, 'mp3');
        later.fromClick.push(next.fromClickMs);
        later.overhead.push(next.overheadMs);
      }
      if (start === STARTS - 1) {
        // Once: after the output has rested, as for any hotkey after a quiet while.
        await new Promise((resolve) => setTimeout(resolve, OUTPUT_RESTS_AFTER_MS + 1000));
        afterRest = await heardUtter(rig, pulse, page, SHORT, 'mp3');
      }
    } finally {
      await rig.close();
    }
  }
  // Judged from the click too: a cold request path delays the first byte itself.
  const fromClick = median(first.fromClick) - median(later.fromClick);
  const overhead = median(first.overhead) - median(later.overhead);
  const difference = Math.max(fromClick, overhead);
  return (
    `The first utterance after Utter starts (mp3, short; ${STARTS} fresh starts of the utter web process and Chromium, median): heard ` +
    `${Math.round(median(first.fromClick))} ms after the click (${first.fromClick.map(Math.round).join(', ')}) and ${Math.round(median(first.overhead))} ms after the first byte; ` +
    `the ${LATER} after each ${Math.round(median(later.fromClick))} and ${Math.round(median(later.overhead))} ms (larger difference ${Math.round(difference)} ms; target ≤ 20: ${difference <= 20 ? 'met' : 'NOT met'}).\n` +
    `After ${OUTPUT_RESTS_AFTER_MS / 1000} s of quiet the output rests, and waking it costs: heard ${Math.round(afterRest!.fromClickMs)} ms after the click, ${Math.round(afterRest!.overheadMs)} ms after the first byte (one take).`
  );
}

/** The same, on its own (`npm run bench -- --first`): the part of the browser bench that flips most from run to run. */
export async function benchFirstUtteranceAlone(): Promise<string> {
  if (!pulseAvailable()) return 'First utterance after start: skipped (no PulseAudio to record what is heard).';
  const pulse = await startPulse();
  try {
    return await benchFirstUtterance(pulse);
  } finally {
    await pulse.stop();
  }
}
