import { SpeechError, isCancelled } from './errors';
import { causeChain, notHttp } from './unreachable';

/** What one `read()` of a byte stream gives. */
export type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/**
 * Bytes a stream must bring in each idle window to count as sending: a server that drips a
 * byte at a time would otherwise never be idle, and never play. The thinnest speech (Opus at
 * 6 kbit/s) brings 750 bytes a second, and the shortest window is a second.
 */
export const TRICKLE_BYTES = 512;

/** The idle window a read falls in: how long ago it began, and the bytes it has brought. */
export interface IdleWindow {
  sinceMs: number;
  bytes: number;
}

/**
 * Reads once, failing when the stream brings no byte for `idleMs` (the SDK's timeout ends at
 * the headers), or fewer than TRICKLE_BYTES in the `window` the read falls in, or sooner for
 * a stall the listener is about to hear (`stall`). Every failure is a SpeechError:
 * 'cancelled' once `signal` aborts, else 'network'.
 */
export async function readWithIdle(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
  idleMs: number,
  endpoint: string,
  stall?: { afterMs: number; bufferedMs: number },
  window: IdleWindow = { sinceMs: 0, bytes: 0 },
  /** No audio has come yet: the silence is the server's from its answer on, not a stop. */
  beforeFirstByte = false,
): Promise<ReadResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  // Both clocks run from the window's start: a drip of bytes stalls a player as nothing does.
  const idleLeftMs = Math.max(0, idleMs - window.sinceMs);
  const stallLeftMs = stall ? Math.max(0, stall.afterMs - window.sinceMs) : Infinity;
  const early = stall !== undefined && stallLeftMs < idleLeftMs;
  const guard = new Promise<never>((_, reject) => {
    const sent = window.bytes > 0 ? `sent only ${window.bytes} bytes in` : 'sent nothing for';
    const message = early
      ? `${endpoint} ${sent} ${Math.round(stall.afterMs)} ms while the player had ${Math.round(stall.bufferedMs)} ms of audio left.`
      : window.bytes > 0
        ? `${endpoint} ${sent} ${idleMs / 1000} s: too slow to play.`
        : beforeFirstByte
          ? `${endpoint} answered but sent no audio in ${idleMs / 1000} s.`
          : `${endpoint} stopped sending audio for ${idleMs / 1000} s.`;
    timer = setTimeout(() => reject(new SpeechError('network', message, { endpoint, stalled: early })), early ? stallLeftMs : idleLeftMs);
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
    throw brokenMidAudio(error, endpoint);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * What broke a body mid-way, as fetch's "terminated" hides it a cause down: a compressed
 * answer (Content-Encoding) that does not decompress is the server's bad audio, not the
 * link's; bytes that stop being HTTP, or a connection that broke, are the link's.
 */
function brokenMidAudio(error: unknown, endpoint: string): SpeechError {
  const undecodable = decompressionFailure(error);
  if (undecodable) return new SpeechError('bad-audio', `${endpoint} sent a compressed answer that could not be decompressed (${undecodable}).`, { endpoint, cause: error });
  const garbled = notHttp(error);
  const why = garbled ? `something that is not valid HTTP (${garbled})` : (error as Error).message;
  return new SpeechError('network', `The connection to ${endpoint} broke mid-audio: ${why}`, { endpoint, cause: error });
}

/** zlib's, brotli's or zstd's own words, when one of them failed on the body. */
function decompressionFailure(error: unknown): string | undefined {
  for (const cause of causeChain(error)) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^(Z_|ZSTD_error|ERR__ERROR)/.test(code)) return String(message);
  }
  return undefined;
}
