import { describe, expect, it } from 'vitest';
import { SpeechError } from '../../electron/engine/errors';
import { DEFAULT_RETRY_POLICY, afterFailure, duration, givenUp } from '../../electron/engine/retry';

const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 3 };
const two = ['http://a/v1', 'http://b/v1'];
const one = ['http://a/v1'];

describe('afterFailure (spec E1)', () => {
  it('fails over when the error is retryable, there is a next endpoint and no delay', () => {
    // Retries used up here: retryDelay gives none, the next server gets a turn.
    const exhausted = afterFailure(new SpeechError('server', '503'), { retries: 3, endpointIndex: 0, endpoints: two }, policy);
    expect(exhausted).toEqual({ action: 'failover', endpointIndex: 1 });
    // A Retry-After too long to wait out: the same.
    const tooLong = new SpeechError('rate-limit', '429', { retryAfterMs: 3_600_000 });
    expect(afterFailure(tooLong, { retries: 0, endpointIndex: 0, endpoints: two }, policy)).toEqual({
      action: 'failover',
      endpointIndex: 1,
    });
  });

  it('fails over at once on ECONNREFUSED, though a retry delay exists', () => {
    const refused = new SpeechError('network', 'refused', { cause: 'ECONNREFUSED' });
    expect(afterFailure(refused, { retries: 0, endpointIndex: 0, endpoints: two }, policy)).toEqual({
      action: 'failover',
      endpointIndex: 1,
    });
    // Any other network error with a delay is retried on the same endpoint first.
    const timeout = new SpeechError('network', 'did not answer in time');
    expect(afterFailure(timeout, { retries: 0, endpointIndex: 0, endpoints: two }, policy)).toMatchObject({ action: 'retry', attempt: 1 });
  });

  it('retries a connection closed before any answer at once the first time (a kept-alive one the server let go), then backs off', () => {
    for (const cause of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']) {
      const closed = new SpeechError('network', 'closed the connection without an answer', { cause });
      for (const endpoints of [one, two]) expect(afterFailure(closed, { retries: 0, endpointIndex: 0, endpoints }, policy)).toEqual({ action: 'retry', attempt: 1, delayMs: 0 });
      const second = afterFailure(closed, { retries: 1, endpointIndex: 0, endpoints: one }, policy);
      expect(second).toMatchObject({ action: 'retry', attempt: 2 });
      if (second.action === 'retry') expect(second.delayMs).toBeGreaterThanOrEqual(400);
    }
    // Any other network failure keeps its backoff.
    const step = afterFailure(new SpeechError('network', 'x', { cause: 'ETIMEDOUT' }), { retries: 0, endpointIndex: 0, endpoints: one }, policy);
    if (step.action === 'retry') expect(step.delayMs).toBeGreaterThanOrEqual(200);
    expect(step.action).toBe('retry');
  });

  it('a stall the listener is about to hear: the next server at once, or this one again with no backoff (spec E1)', () => {
    const stalled = new SpeechError('network', 'sent nothing', { stalled: true });
    expect(afterFailure(stalled, { retries: 0, endpointIndex: 0, endpoints: two }, policy)).toEqual({ action: 'failover', endpointIndex: 1 });
    expect(afterFailure(stalled, { retries: 0, endpointIndex: 0, endpoints: one }, policy)).toEqual({ action: 'retry', attempt: 1, delayMs: 0 });
    // Retries stay counted: past the last, it gives up like any failure.
    expect(afterFailure(stalled, { retries: policy.maxRetries, endpointIndex: 0, endpoints: one }, policy)).toEqual({ action: 'give-up' });
  });

  it('retries after the delay when there is no endpoint to fail over to', () => {
    const step = afterFailure(new SpeechError('server', '503'), { retries: 1, endpointIndex: 0, endpoints: one }, policy);
    expect(step).toMatchObject({ action: 'retry', attempt: 2 });
    // Second retry: 500 ms nominal, ±20 % jitter.
    if (step.action === 'retry') {
      expect(step.delayMs).toBeGreaterThanOrEqual(400);
      expect(step.delayMs).toBeLessThanOrEqual(600);
    }
    // On the last endpoint, even ECONNREFUSED waits, and Retry-After is honoured exactly.
    const refused = new SpeechError('network', 'refused', { cause: 'ECONNREFUSED', retryAfterMs: 1500 });
    expect(afterFailure(refused, { retries: 0, endpointIndex: 1, endpoints: two }, policy)).toEqual({
      action: 'retry',
      attempt: 1,
      delayMs: 1500,
    });
  });

  it('gives up on an error retrying cannot help (auth), even with an endpoint to fail over to', () => {
    for (const kind of ['auth', 'request', 'bad-audio', 'input'] as const) {
      expect(afterFailure(new SpeechError(kind, 'x'), { retries: 0, endpointIndex: 0, endpoints: two }, policy)).toEqual({
        action: 'give-up',
      });
    }
  });

  it('gives up when the retries are used up and there is no endpoint to fail over to', () => {
    const error = new SpeechError('server', '503');
    expect(afterFailure(error, { retries: 3, endpointIndex: 0, endpoints: one }, policy)).toEqual({ action: 'give-up' });
    expect(afterFailure(error, { retries: 3, endpointIndex: 1, endpoints: two }, policy)).toEqual({ action: 'give-up' });
    // One short of the limit, it still retries.
    expect(afterFailure(error, { retries: 2, endpointIndex: 0, endpoints: one }, policy)).toMatchObject({ action: 'retry', attempt: 3 });
  });
});

describe('givenUp', () => {
  it('says how long a server asked to wait, when longer than the policy waits, and leaves other failures as they are', () => {
    const short = new SpeechError('rate-limit', 'x (429): slow down', { retryAfterMs: 5000 });
    expect(givenUp(short, policy)).toBe(short);
    const auth = new SpeechError('auth', 'x (401): no', { retryAfterMs: 86_400_000 });
    expect(givenUp(auth, policy)).toBe(auth);
    const day = givenUp(new SpeechError('server', 'x failed (503): down', { status: 503, retryAfterMs: 86_400_000 }), policy);
    expect(day.message).toBe('x failed (503): down. It asks to be tried again in 1 day; Utter waits at most 1 minute, so it did not try again.');
    expect(day.details).toEqual({ status: 503, retryAfterMs: 86_400_000, tooLongToWait: true });
  });

  it('words a duration in its largest unit, and an absurd one as more than a year', () => {
    expect([59_000, 90_000, 3_600_000, 5_400_000, 86_399_000, 172_800_000].map(duration)).toEqual(['about 1 minute', '1.5 minutes', '1 hour', '1.5 hours', 'about 1 day', '2 days']);
    // Retry-After: 1e308 is Infinity milliseconds.
    expect(duration(Infinity)).toBe('more than a year');
    expect(duration(400 * 86_400_000)).toBe('more than a year');
  });
});
