import { SpeechError } from './errors';
import { CLOSED_UNANSWERED } from './unreachable';

/** The one retry policy: capped exponential backoff with jitter, Retry-After honoured. */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the error is reported instead. */
  maxRetryAfterMs: number;
}

/** Defaults: 250 ms, 500 ms, 1 s, … up to 8 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

/** How long to wait before attempt number `attempt` (1 = first retry); undefined = give up. */
export function retryDelay(error: SpeechError, attempt: number, policy: RetryPolicy): number | undefined {
  if (!error.retryable || attempt > policy.maxRetries) return undefined;
  const retryAfter = error.details.retryAfterMs;
  if (retryAfter !== undefined) return retryAfter <= policy.maxRetryAfterMs ? retryAfter : undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Jitter keeps many clients from retrying in lockstep.
  return Math.round(backoff * (0.8 + Math.random() * 0.4));
}

/**
 * The failure as reported once given up. A server that asked for a wait longer than the policy
 * waits out (Retry-After: a day) is not retried: the message says how long it asked for, so
 * "try again later" is not read as "in a moment".
 */
export function givenUp(failure: SpeechError, policy: RetryPolicy): SpeechError {
  const asked = failure.details.retryAfterMs;
  if (!failure.retryable || asked === undefined || asked <= policy.maxRetryAfterMs) return failure;
  const message = `${failure.message.replace(/\.?$/, '.')} It asks to be tried again in ${duration(asked)}; Utter waits at most ${duration(policy.maxRetryAfterMs)}, so it did not try again.`;
  return new SpeechError(failure.kind, message, { ...failure.details, tooLongToWait: true });
}

/** A duration in the largest unit that (nearly) fits: "1 minute", "about 1.5 hours", "about 1 day". */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (!(seconds < 365 * 86_400)) return 'more than a year';
  const [unit, size] = ([['day', 86_400], ['hour', 3600], ['minute', 60]] as const).find(([, size]) => seconds >= 0.95 * size) ?? ['second', 1];
  const exact = seconds / size;
  const count = exact < 10 ? Math.round(exact * 10) / 10 : Math.round(exact);
  return `${count === exact ? '' : 'about '}${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** What follows a failed attempt: another endpoint, the same one after a delay, or the end. */
export type FailureStep =
  | { action: 'failover'; endpointIndex: number }
  | { action: 'retry'; attempt: number; delayMs: number }
  | { action: 'give-up' };

/** Where a segment's attempts stand when one fails. */
export interface FailureState {
  /** Retries already made on the current endpoint (0 after a failover). */
  retries: number;
  endpointIndex: number;
  endpoints: readonly string[];
}

/**
 * Decides what follows a failure (spec E1): fail over to the next endpoint when this one
 * has no retry left, refused the connection or cannot be reached from here at all;
 * otherwise retry after `retryDelay`; otherwise give up.
 */
export function afterFailure(failure: SpeechError, state: FailureState, policy: RetryPolicy): FailureStep {
  const attempt = state.retries + 1;
  const delayMs = retryDelay(failure, attempt, policy);
  // Nothing listens there: the next server answers sooner than any backoff.
  const refused = failure.kind === 'network' && failure.details.cause === 'ECONNREFUSED';
  // A stall the listener is about to hear (spec E1): another server, or this one again at once.
  const stalled = failure.details.stalled === true;
  // Closed before any answer: most often a kept-alive connection the server let go of as the
  // request went out. The first retry goes at once, on a new connection, as browsers do.
  const dropped = attempt === 1 && failure.kind === 'network' && CLOSED_UNANSWERED.has(String(failure.details.cause));
  const canFailOver = (failure.retryable || failure.details.lasting === true) && state.endpointIndex + 1 < state.endpoints.length;
  if (canFailOver && (delayMs === undefined || refused || stalled)) return { action: 'failover', endpointIndex: state.endpointIndex + 1 };
  if (delayMs === undefined) return { action: 'give-up' };
  return { action: 'retry', attempt, delayMs: stalled || dropped ? 0 : delayMs };
}

/** Waits, or rejects with SpeechError('cancelled') as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SpeechError('cancelled', 'Cancelled.'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new SpeechError('cancelled', 'Cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
