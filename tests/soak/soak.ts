// The soak (issue 12 §7, spec T5): utterances back to back in Chromium through utter web
// (mixed formats, stops, pauses, skips), and utterances at once through the engine in Node.
// Leaks are judged by growth over the run, a slope, not by an absolute size.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Page } from 'playwright-core';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { fixtureAudio, startTtsServer } from '../support/tts-server';
import { startWebRig, waitForText } from '../support/utter-web';

/** One sample of what could leak. */
export interface SoakSample {
  utterances: number;
  mainHeapMB: number;
  pageHeapMB: number;
  /** The decoder worker's heap, from the page's own memory measure; -1 where the browser gives none. */
  workerHeapMB: number;
  audioContexts: number;
  workers: number;
  /** utter web's WebSocket clients (the page's control socket and any audio socket left open). */
  sockets: number;
  fileDescriptors: number;
}

export interface SoakReport {
  samples: SoakSample[];
  /** Growth per 100 utterances, by least squares over the samples. */
  slopes: { mainHeapMB: number; pageHeapMB: number; workerHeapMB: number; fileDescriptors: number };
  concurrent: { utterances: number; failed: number; heapBeforeMB: number; heapAfterMB: number; fdsBefore: number; fdsAfter: number };
}

const FORMATS: AudioFormat[] = ['pcm', 'wav', 'mp3', 'opus', 'flac'];
const TWO = 'The first sentence of the pair. And the second one follows it.';

/** Node's own gc without --expose-gc on the command line. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const fdCount = (): number => readdirSync('/proc/self/fd').length;
const mb = (bytes: number): number => Math.round((bytes / 1e6) * 10) / 10;

/** Counts every AudioContext and Worker the page makes (run before its scripts). */
const COUNTING = `(() => {
  const counts = { contexts: 0, workers: 0 };
  window.__soak = counts;
  const Context = window.AudioContext;
  window.AudioContext = class extends Context { constructor(...args) { super(...args); counts.contexts++; } };
  const Work = window.Worker;
  window.Worker = class extends Work { constructor(...args) { super(...args); counts.workers++; } };
})();`;

export async function runSoak(options: { utterances: number; concurrent: number; sampleEvery: number }): Promise<SoakReport> {
  const gc = collector();
  const rig = await startWebRig({
    tts: { audio: (format) => fixtureAudio(format, 'sentence') },
    initScript: COUNTING,
  });
  const samples: SoakSample[] = [];
  try {
    const page = await rig.open();
    const cdp = await page.context().newCDPSession(page);
    const sample = async (utterances: number): Promise<void> => {
      gc();
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const counts = (await page.evaluate('window.__soak')) as { contexts: number; workers: number };
      samples.push({
        utterances,
        mainHeapMB: mb(process.memoryUsage().heapUsed),
        pageHeapMB: mb(usedSize),
        workerHeapMB: await workerHeapMB(page),
        audioContexts: counts.contexts,
        workers: counts.workers,
        sockets: rig.web.clientCount(),
        fileDescriptors: fdCount(),
      });
    };
    await sample(0);
    for (let i = 0; i < options.utterances; i++) {
      await oneUtterance(page, i);
      if ((i + 1) % options.sampleEvery === 0) await sample(i + 1);
    }
    const concurrent = await soakConcurrent(options.concurrent, gc);
    return { samples, slopes: slopesOf(samples), concurrent };
  } finally {
    await rig.close();
  }
}

/** One utterance, its format and what is done to it chosen by its number. */
async function oneUtterance(page: Page, i: number): Promise<void> {
  const format = FORMATS[i % FORMATS.length];
  const action = ['stop', 'pause', 'skip', 'stop', 'end'][Math.floor(i / FORMATS.length) % 5];
  await page.getByTestId('text-input').fill(action === 'end' ? 'Short.' : TWO);
  await page.getByTestId('format-select').selectOption(format);
  // In-page clicks, as a user's would arrive (Playwright's own click waits for layout).
  await page.getByTestId('speak').dispatchEvent('click');
  await waitForText(page, 'state', 'playing', 10_000, 10);
  if (action === 'pause') {
    await page.getByTestId('pause').dispatchEvent('click');
    await waitForText(page, 'state', 'paused', 5000, 10);
    await page.getByTestId('pause').dispatchEvent('click');
    await waitForText(page, 'state', 'playing', 5000, 10);
  }
  if (action === 'skip') await page.getByTestId('skip').dispatchEvent('click');
  if (action !== 'end') {
    await new Promise((resolve) => setTimeout(resolve, 150));
    if (await page.getByTestId('stop').isEnabled()) await page.getByTestId('stop').dispatchEvent('click');
  }
  await waitForText(page, 'state', 'idle', 15_000, 10);
  const error = await page.getByTestId('error').textContent();
  if (error) throw new Error(`utterance ${i} (${format}, ${action}) failed: ${error}`);
}

/**
 * The decoder worker's heap: Chromium's measureUserAgentSpecificMemory (the page is
 * cross-origin isolated) attributes memory to each worker. -1 where it is not offered.
 */
async function workerHeapMB(page: Page): Promise<number> {
  const bytes = (await page.evaluate(`(async () => {
    if (!performance.measureUserAgentSpecificMemory) return -1;
    const result = await performance.measureUserAgentSpecificMemory();
    let worker = 0;
    for (const entry of result.breakdown) if (entry.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')) worker += entry.bytes;
    return worker;
  })()`)) as number;
  return bytes < 0 ? -1 : mb(bytes);
}

/** Utterances at once through the engine and the decoder, in this process. */
async function soakConcurrent(count: number, gc: () => void): Promise<SoakReport['concurrent']> {
  const tts = await startTtsServer({ realtimeFactor: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'utter-soak-'));
  try {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const fdsBefore = fdCount();
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => {
        const format = FORMATS[i % FORMATS.length];
        const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [tts.url], format };
        return speakToFile(TWO, { settings, provider: new OpenAiProvider({ ...settings, voice: 'alloy' }), out: join(dir, `${i}.wav`) });
      }),
    );
    // Idle keep-alive connections close after the server's keep-alive timeout (5 s): wait for
    // them, up to 10 s; whatever is still open after that is a leak.
    const settle = Date.now() + 10_000;
    while (fdCount() > fdsBefore + 4 && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 250));
    gc();
    return {
      utterances: count,
      failed: results.filter((r) => r.status === 'rejected').length,
      heapBeforeMB: mb(heapBefore),
      heapAfterMB: mb(process.memoryUsage().heapUsed),
      fdsBefore,
      fdsAfter: fdCount(),
    };
  } finally {
    await tts.close();
  }
}

/** Least-squares growth per 100 utterances of each measure, over the samples after the first (warm-up). */
function slopesOf(samples: SoakSample[]): SoakReport['slopes'] {
  const warm = samples.slice(1);
  const slope = (pick: (s: SoakSample) => number): number => {
    if (warm.length < 2) return 0;
    const xs = warm.map((s) => s.utterances);
    const ys = warm.map(pick);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const num = xs.reduce((sum, x, k) => sum + (x - mx) * (ys[k] - my), 0);
    const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
    return Math.round((num / den) * 100 * 100) / 100;
  };
  return {
    mainHeapMB: slope((s) => s.mainHeapMB),
    pageHeapMB: slope((s) => s.pageHeapMB),
    workerHeapMB: slope((s) => s.workerHeapMB),
    fileDescriptors: slope((s) => s.fileDescriptors),
  };
}
