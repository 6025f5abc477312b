import type { SpeechAudio } from './provider';

/**
 * A first answer later than this is no server thinking: TTS servers answer a sentence well
 * under 2 s (a CPU one too), so the listener is told, and the next server is asked too.
 * Long enough that a server answering normally never meets it.
 */
export const LATE_ANSWER_MS = 5000;

/** The audio that answered, and from which endpoint. */
export interface Answer {
  audio: SpeechAudio;
  endpointIndex: number;
  /** When the next server was asked (performance.now()), where it answered. */
  askedAt?: number;
}

/** A request on its way, and how to call it off. */
export interface PendingAnswer {
  answer: Promise<SpeechAudio>;
  cancel(): void;
}

/** When, counted from the call, the next server is asked and the first is called late. */
export interface HedgePlan {
  first: number;
  /** The server asked too; undefined: none (one server, or hedging is off). */
  next?: number;
  /** Asked this long after the call (at most lateMs). */
  hedgeMs: number;
  /** Infinity: never called late. */
  lateMs: number;
}

/**
 * Spec E1: the first server's answer, or the next one's when the first has not answered by
 * `hedgeMs`: the same request goes there too, the first to answer plays and the other is
 * cancelled. `onLate(hedged)` is called once if neither has answered by `lateMs`; `late`
 * says the answer came from the next server after that. Both failing: the first's failure.
 */
export async function firstAnswer(
  primary: PendingAnswer,
  openNext: (signal: AbortSignal) => Promise<SpeechAudio>,
  plan: HedgePlan,
  signal: AbortSignal,
  onLate: (hedged: boolean) => void,
): Promise<Answer & { late: boolean }> {
  const { first, next } = plan;
  const contenders: Contender[] = [{ endpointIndex: first, answer: primary.answer.then((audio) => ({ audio, endpointIndex: first })), cancel: primary.cancel }];
  contenders[0].answer.catch(() => {});
  const startedAt = performance.now();
  // Aborted when this returns, so no timer outlives the wait (a CLI run would linger).
  const timers = new AbortController();
  const stop = (): void => timers.abort();
  signal.addEventListener('abort', stop, { once: true });
  /** True when `ms` (from the call) passed with no answer; false once one came, all failed, or on a stop. */
  const unanswered = (ms: number): Promise<boolean> => {
    const settled = Promise.any(contenders.map((c) => c.answer)).then(
      () => false,
      () => false,
    );
    return Number.isFinite(ms) ? Promise.race([settled, due(startedAt + ms, timers.signal)]) : settled;
  };
  const askNext = (endpointIndex: number): void => {
    const controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const askedAt = performance.now();
    const answer = openNext(controller.signal).then((audio) => ({ audio, endpointIndex, askedAt }));
    answer.catch(() => {});
    contenders.push({ endpointIndex, answer, cancel: () => controller.abort() });
  };
  let late = false;
  try {
    let waiting = true;
    if (next !== undefined && plan.hedgeMs < plan.lateMs) {
      waiting = await unanswered(plan.hedgeMs);
      if (waiting) askNext(next);
    }
    if (waiting && (await unanswered(plan.lateMs))) {
      late = true;
      onLate(next !== undefined);
      if (next !== undefined && contenders.length === 1) askNext(next);
    }
  } finally {
    signal.removeEventListener('abort', stop);
    timers.abort();
  }
  if (contenders.length === 1) return { audio: await primary.answer, endpointIndex: first, late: false };
  let winner: Answer;
  try {
    winner = await Promise.any(contenders.map((c) => c.answer));
  } catch {
    // Both failed: the first server's failure is the one to retry.
    return { audio: await primary.answer, endpointIndex: first, late: false };
  }
  for (const loser of contenders.filter((c) => c.endpointIndex !== winner.endpointIndex)) {
    loser.cancel();
    loser.answer.then(({ audio }) => audio.body.cancel().catch(() => {}), () => {});
  }
  return { ...winner, late: late && winner.endpointIndex !== first };
}

interface Contender {
  endpointIndex: number;
  answer: Promise<Answer>;
  cancel(): void;
}

/** Resolves true at `atMs` (performance.now()), false as soon as `signal` aborts. */
function due(atMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, atMs - performance.now()));
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
