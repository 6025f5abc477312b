// The links the soak's TTS traffic goes through, phase by phase (spec T3, T5): the fault
// proxy between `utter web` and the test server plays the network, the server its pace.
import { median } from '../bench/report';
import type { FaultProxy, ProxyConditions } from '../support/fault-proxy';
import type { ServedAudio, TtsServer, TtsServerOptions } from '../support/tts-server';

/** One phase's link. It is set afresh before each utterance, so a stall or a reset bites each one once. */
export interface NetworkCondition {
  name: string;
  proxy?: (clip: ServedAudio) => ProxyConditions;
  server?: Partial<TtsServerOptions>;
}

/** Every condition starts from a clean link and a server as fast as the client reads. */
const CLEAN_LINK: ProxyConditions = { latencyMs: 0, bytesPerSecond: 0, stallAfterBytes: undefined, resetAfterBytes: undefined };
const FAST_SERVER: Partial<TtsServerOptions> = { realtimeFactor: Infinity, jitterMs: 0, chunkBytes: 4096 };

const realTime = (clip: ServedAudio): number => clip.bytes.length / clip.seconds;

/** In the order the soak goes through them; the stall stays under the rig's 5 s idle timeout. */
export const CONDITIONS: NetworkCondition[] = [
  { name: 'loopback' },
  { name: 'latency 150 ms each way', proxy: () => ({ latencyMs: 150 }) },
  { name: 'bandwidth 1.5× real time', proxy: (clip) => ({ bytesPerSecond: Math.round(1.5 * realTime(clip)) }) },
  // A paced server in 1 KB chunks, each held up to 80 ms: the proxy sees whole bodies at once otherwise.
  { name: 'jitter up to 80 ms, at 2× real time', server: { realtimeFactor: 2, jitterMs: 80, chunkBytes: 1024 } },
  { name: 'a 2 s stall a third into the body', proxy: (clip) => ({ stallAfterBytes: Math.round(clip.bytes.length / 3), stallMs: 2000 }) },
  { name: 'a reset halfway through the body', proxy: (clip) => ({ resetAfterBytes: Math.round(clip.bytes.length / 2) }) },
];

/** The condition of utterance `i` when each lasts `phaseLength` utterances, round and round. */
export function conditionAt(i: number, phaseLength: number): NetworkCondition {
  return CONDITIONS[Math.floor(i / phaseLength) % CONDITIONS.length];
}

/** Sets the link and the server for one utterance of `clip`. */
export function applyCondition(link: { proxy: FaultProxy; tts: TtsServer }, condition: NetworkCondition, clip: ServedAudio): void {
  link.proxy.set({ ...CLEAN_LINK, ...condition.proxy?.(clip) });
  link.tts.set({ ...FAST_SERVER, ...condition.server });
}

/** How one utterance went. */
export interface Outcome {
  condition: string;
  how: 'ended' | 'stopped' | 'failed';
  error: string;
  underruns: number;
  /** Request to first sound; null when it was stopped or failed before any. */
  firstAudioMs: number | null;
  /** The proxy's stalls and resets while it played, so a result shows the fault did bite. */
  stalls: number;
  resets: number;
}

/** What one condition did over the whole soak. */
export interface ConditionResult {
  condition: string;
  utterances: number;
  ended: number;
  stopped: number;
  failed: number;
  underruns: number;
  firstAudioMedianMs: number | null;
  stalls: number;
  resets: number;
  /** Each distinct error message. */
  errors: string[];
}

/** Tallies outcomes per condition, in CONDITIONS' order. */
export function tally(outcomes: Outcome[]): ConditionResult[] {
  return CONDITIONS.filter((c) => outcomes.some((o) => o.condition === c.name)).map(({ name }) => {
    const mine = outcomes.filter((o) => o.condition === name);
    const count = (how: Outcome['how']): number => mine.filter((o) => o.how === how).length;
    const sum = (pick: (o: Outcome) => number): number => mine.reduce((total, o) => total + pick(o), 0);
    const heard = mine.flatMap((o) => (o.firstAudioMs === null ? [] : [o.firstAudioMs]));
    return {
      condition: name,
      utterances: mine.length,
      ended: count('ended'),
      stopped: count('stopped'),
      failed: count('failed'),
      underruns: sum((o) => o.underruns),
      firstAudioMedianMs: heard.length ? median(heard) : null,
      stalls: sum((o) => o.stalls),
      resets: sum((o) => o.resets),
      errors: [...new Set(mine.filter((o) => o.error).map((o) => o.error))],
    };
  });
}

