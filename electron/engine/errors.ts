/**
 * Typed failures of the speech engine. Every failure a user can meet has a kind,
 * a one-line message that says what to do, and whether retrying can help.
 */
import type { SpeechErrorKind } from '../../shared/speech-events';
import { hideSecrets } from './known-secrets';

export type { SpeechErrorKind };

/** An engine error with its kind; `retryable` drives the retry policy. */
export class SpeechError extends Error {
  override readonly name = 'SpeechError';
  constructor(
    readonly kind: SpeechErrorKind,
    message: string,
    /**
     * `stalled`: given up early because the listener was about to hear the silence (spec E1).
     * `lasting`: this server cannot be reached from here however often it is tried (a port fetch
     * refuses, a certificate not trusted); another server may be.
     * `tooLongToWait`: given up because the server asked for a wait longer than the retry policy's; the message says how long.
     */
    readonly details: { status?: number; retryAfterMs?: number; endpoint?: string; cause?: unknown; stalled?: boolean; lasting?: boolean; tooLongToWait?: boolean } = {},
  ) {
    // Every message is shown somewhere (a notice, a terminal line, a report): a URL quoted in it
    // (fetch's own errors, a server's text) must not carry the key some servers take in their
    // base URL, nor a server's words repeat the API key.
    super(hideSecrets(message));
  }

  /** Connection errors that may pass, 5xx, 408 and 429 are worth another try; the rest are not. */
  get retryable(): boolean {
    if (this.details.lasting) return false;
    return this.kind === 'network' || this.kind === 'server' || this.kind === 'rate-limit';
  }
}

/** True when an error is the engine's own cancellation (stop, skip, abort). */
export function isCancelled(error: unknown): boolean {
  return (
    (error instanceof SpeechError && error.kind === 'cancelled') ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError'))
  );
}
