import { SpeechError, isCancelled } from './errors';

/** What one `read()` of a byte stream gives. */
export type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/**
 * Reads once, failing when no byte arrives for `idleMs` (the SDK's timeout ends at the
 * headers). Every failure is a SpeechError: 'cancelled' once `signal` aborts, else 'network'.
 */
export async function readWithIdle(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
  idleMs: number,
  endpoint: string,
): Promise<ReadResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SpeechError('network', `${endpoint} stopped sending audio for ${idleMs / 1000} s.`, { endpoint })),
      idleMs,
    );
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
