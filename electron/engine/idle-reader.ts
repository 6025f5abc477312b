import { SpeechError, isCancelled } from './errors';

/** What one `read()` of a byte stream gives. */
export type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/**
 * Reads once, failing when no byte arrives for `idleMs` (the SDK's timeout ends at the
 * headers), or sooner for a stall the listener is about to hear (`stall`). Every failure is
 * a SpeechError: 'cancelled' once `signal` aborts, else 'network'.
 */
export async function readWithIdle(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
  idleMs: number,
  endpoint: string,
  stall?: { afterMs: number; bufferedMs: number },
): Promise<ReadResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const early = stall !== undefined && stall.afterMs < idleMs;
  const guard = new Promise<never>((_, reject) => {
    const message = early
      ? `${endpoint} sent nothing for ${Math.round(stall.afterMs)} ms while the player had ${Math.round(stall.bufferedMs)} ms of audio left.`
      : `${endpoint} stopped sending audio for ${idleMs / 1000} s.`;
    timer = setTimeout(() => reject(new SpeechError('network', message, { endpoint, stalled: early })), early ? stall.afterMs : idleMs);
    onAbort = () => reject(new SpeechError('cancelled', 'Cancelled.'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const pending = reader.read();
  // If the guard wins, a late failure of this read must not go unhandled.
  pending.catch(() => {});
  try {
    return await Promise.race([pending, guard]);
  } catch (error) {
    if (error instanceof SpeechError) throw error;
    if (isCancelled(error) || signal.aborted) throw new SpeechError('cancelled', 'Cancelled.');
    throw new SpeechError('network', `The connection to ${endpoint} broke mid-audio: ${(error as Error).message}`, {
      endpoint,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
