// The first utterance after Utter starts, against the ones after it (issue 12 §1): each start
// is a fresh `utter web` and a fresh Chromium, as a first hotkey after the app starts; one
// start alone is too noisy to judge by.
import type { PulseAudio } from '../support/pulse';
import { startWebRig } from '../support/utter-web';
import { benchAudio, heardUtter, REALTIME, SHORT, TTFB_MS } from './browser-players';
import { median } from './report';

const STARTS = 3;
const LATER = 3;

export async function benchFirstUtterance(pulse: PulseAudio): Promise<string> {
  const first = { fromClick: [] as number[], overhead: [] as number[] };
  const later = { fromClick: [] as number[], overhead: [] as number[] };
  for (let start = 0; start < STARTS; start++) {
    const rig = await startWebRig({ tts: { ttfbMs: TTFB_MS, realtimeFactor: REALTIME }, env: pulse.env });
    try {
      rig.tts.set({ audio: benchAudio });
      const page = await rig.open();
      // A moment after the page opens, as a first hotkey a little after the app started.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const heard = await heardUtter(rig, pulse, page, SHORT, 'mp3');
      first.fromClick.push(heard.fromClickMs);
      first.overhead.push(heard.overheadMs);
      for (let i = 0; i < LATER; i++) {
        const next = await heardUtter(rig, pulse, page, SHORT, 'mp3');
        later.fromClick.push(next.fromClickMs);
        later.overhead.push(next.overheadMs);
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
    `The first utterance after Utter starts (mp3, short; ${STARTS} fresh starts of utter web and Chromium, median): heard ` +
    `${Math.round(median(first.fromClick))} ms after the click (${first.fromClick.map(Math.round).join(', ')}) and ${Math.round(median(first.overhead))} ms after the first byte; ` +
    `the ${LATER} after each ${Math.round(median(later.fromClick))} and ${Math.round(median(later.overhead))} ms (larger difference ${Math.round(difference)} ms; target ≤ 20: ${difference <= 20 ? 'met' : 'NOT met'}).`
  );
}
