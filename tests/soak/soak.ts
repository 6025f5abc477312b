// The soak (spec T5): utterances back to back in Chromium through utter web (mixed formats,
// stops, pauses, skips, over a link that changes phase by phase), and utterances at once
// through the engine in Node. Leaks are judged by growth over the run, a slope, not by an
// absolute size; an utterance that neither ends, stops nor fails with an error is a hang.
import { IDLE_CONNECTION_MS } from '../../electron/engine/connection-pool';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Page } from 'playwright-core';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import type { Session } from '../../electron/session/session';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { fixtureAudio, startTtsServer } from '../support/tts-server';
import { startWebRig, waitForText } from '../support/utter-web';
import { applyCondition, conditionAt, tally, type ConditionResult, type Outcome } from './network';

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
  /** The engine's connections to the TTS server (kept alive between requests), as the proxy sees them. */
  ttsConnections: number;
  fileDescriptors: number;
}

export interface SoakReport {
  samples: SoakSample[];
  /** Growth per 100 utterances, by least squares over the samples. */
  slopes: { mainHeapMB: number; pageHeapMB: number; workerHeapMB: number; fileDescriptors: number };
  network: ConditionResult[];
  concurrent: { utterances: number; failed: number; errors: string[]; stalls: number; resets: number; heapBeforeMB: number; heapAfterMB: number; fdsBefore: number; fdsAfter: number };
}

/** Options of a soak run. */
export interface SoakOptions {
  utterances: number;
  concurrent: number;
  sampleEvery: number;
  /** Utterances under each network condition before the next one (network.ts). */
  phaseLength: number;
}

const FORMATS: AudioFormat[] = ['pcm', 'wav', 'mp3', 'opus', 'flac'];
const TWO = 'The first sentence of the pair. And the second one follows it.';
/** Far past the longest fault (a 2 s stall, a retry after a reset): an utterance still going then has hung. */
const HANG_MS = 30_000;

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

/** Runs the soak; rejects when an utterance hangs. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const gc = collector();
  const rig = await startWebRig({
    tts: { audio: (format) => fixtureAudio(format, 'sentence') },
    proxy: {},
    initScript: COUNTING,
  });
  const proxy = rig.proxy!;
  const samples: SoakSample[] = [];
  const outcomes: Outcome[] = [];
  try {
    const page = await rig.open();
    const cdp = await page.context().newCDPSession(page);
    const sample = async (utterances: number): Promise<void> => {
      // An idle kept-alive connection (4 descriptors here: engine, the proxy's two sides, the
      // server) closes after the server's 5 s keep-alive timeout, or, where the server never
      // answered on it and so never said how long it keeps one, after the engine's own idle
      // limit; one open past that is counted.
      const settle = Date.now() + IDLE_CONNECTION_MS + 2000;
      while (proxy.openConnections() > 0 && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 100));
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
        ttsConnections: proxy.openConnections(),
        fileDescriptors: fdCount(),
      });
    };
    await sample(0);
    for (let i = 0; i < options.utterances; i++) {
      const condition = conditionAt(i, options.phaseLength);
      const format = FORMATS[i % FORMATS.length];
      applyCondition({ proxy, tts: rig.tts }, condition, fixtureAudio(format, 'sentence'));
      const before = proxy.stats();
      const outcome = await oneUtterance(page, rig.web.session, i, format, condition.name);
      const after = proxy.stats();
      outcomes.push({ ...outcome, condition: condition.name, stalls: after.stalls - before.stalls, resets: after.resets - before.resets });
      if ((i + 1) % options.sampleEvery === 0) await sample(i + 1);
    }
    const concurrent = await soakConcurrent(options.concurrent, gc);
    return { samples, slopes: slopesOf(samples), network: tally(outcomes), concurrent };
  } finally {
    await rig.close();
  }
}

/**
 * One utterance, what is done to it chosen by its number, by in-page clicks as a user's
 * would arrive (Playwright's own click waits for layout). Throws if it hangs.
 */
async function oneUtterance(page: Page, session: Session, i: number, format: AudioFormat, condition: string): Promise<Omit<Outcome, 'condition' | 'stalls' | 'resets'>> {
  // Played to the end third, so the short run (20) hears a whole utterance through a stall.
  const action = ['stop', 'pause', 'end', 'skip', 'stop'][Math.floor(i / FORMATS.length) % 5];
  const label = `utterance ${i} (${format}, ${action}, ${condition})`;
  // The session numbers its utterances: a newer timing record is this one's.
  const before = session.view().timing?.id ?? 0;
  const mine = (): boolean => (session.view().timing?.id ?? 0) > before;
  await page.getByTestId('text-input').fill(action === 'end' ? 'Short.' : TWO);
  await page.getByTestId('format-select').selectOption(format);
  await page.getByTestId('speak').dispatchEvent('click');
  let stopped = false;
  if (await reach(page, session, mine, 'playing', label)) {
    if (action === 'pause') {
      await page.getByTestId('pause').dispatchEvent('click');
      if (await reach(page, session, mine, 'paused', label)) {
        await page.getByTestId('pause').dispatchEvent('click');
        await reach(page, session, mine, 'playing', label);
      }
    }
    if (action === 'skip') await page.getByTestId('skip').dispatchEvent('click');
    if (action !== 'end') {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (await page.getByTestId('stop').isEnabled()) {
        await page.getByTestId('stop').dispatchEvent('click');
        stopped = true;
      }
    }
  }
  await waitForText(page, 'state', 'idle', HANG_MS, 10).catch((error: Error) => {
    throw new Error(`${label} hung: ${error.message}`);
  });
  const { error, timing } = session.view();
  const heard = timing && mine() && timing.requestedAt !== null && timing.firstHeardAt !== null ? timing.firstHeardAt - timing.requestedAt : null;
  return {
    how: error ? 'failed' : stopped ? 'stopped' : 'ended',
    error,
    // The page's counters start again with each utterance it plays; one never heard played none.
    underruns: heard === null ? 0 : Number(await page.getByTestId('underruns').textContent()),
    firstAudioMs: heard === null ? null : Math.round(heard),
  };
}

/**
 * Polls the page until it shows `state`: true; or until this utterance is over (ended or
 * failed) first: false. Still neither after HANG_MS: it hung, and this throws.
 */
async function reach(page: Page, session: Session, mine: () => boolean, state: string, label: string): Promise<boolean> {
  const deadline = Date.now() + HANG_MS;
  let shown: string | null = null;
  while (Date.now() < deadline) {
    shown = await page.getByTestId('state').textContent();
    if (shown === state) return true;
    if (mine() && session.view().state === 'idle') return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${label} hung: the page showed "${shown}" for ${HANG_MS / 1000} s, waiting for "${state}" (error: "${session.view().error}")`);
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

/**
 * Utterances at once through the engine and the decoder, in this process, over a link with
 * latency where one request stalls for 2 s and another is reset (each within every format's clip).
 */
async function soakConcurrent(count: number, gc: () => void): Promise<SoakReport['concurrent']> {
  const tts = await startTtsServer({ realtimeFactor: 8 });
  let proxy: FaultProxy | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'utter-soak-'));
  try {
    proxy = await startFaultProxy({ target: tts.url, latencyMs: 50, stallAfterBytes: 8000, stallMs: 2000, resetAfterBytes: 12_000 });
    const url = proxy.url;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const fdsBefore = fdCount();
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => {
        const format = FORMATS[i % FORMATS.length];
        const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [url], format };
        return speakToFile(TWO, { settings, provider: new OpenAiProvider({ ...settings, voice: 'alloy' }), out: join(dir, `${i}.wav`) });
      }),
    );
    // Idle keep-alive connections close after the server's keep-alive timeout (5 s): wait for
    // all of them, up to 10 s; whatever is still open after that is a leak. (One left open
    // through the in-process proxy holds 4 descriptors: engine, proxy's two sides, server.)
    const settle = Date.now() + 10_000;
    while (fdCount() > fdsBefore && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 250));
    gc();
    return {
      utterances: count,
      failed: results.filter((r) => r.status === 'rejected').length,
      errors: [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.message ?? r.reason)] : [])))],
      stalls: proxy.stats().stalls,
      resets: proxy.resets,
      heapBeforeMB: mb(heapBefore),
      heapAfterMB: mb(process.memoryUsage().heapUsed),
      fdsBefore,
      fdsAfter: fdCount(),
    };
  } finally {
    await proxy?.close();
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
