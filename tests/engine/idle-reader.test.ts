import { describe, expect, it } from 'vitest';
import { SpeechError } from '../../electron/engine/errors';
import { readWithIdle } from '../../electron/engine/idle-reader';

/** A body that sends nothing until the test says so. */
function silentBody(): { reader: ReadableStreamDefaultReader<Uint8Array>; control: ReadableStreamDefaultController<Uint8Array> } {
  let control!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (control = c) });
  return { reader: body.getReader(), control };
}

const failure = async (promise: Promise<unknown>): Promise<SpeechError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
};

describe('readWithIdle', () => {
  it('passes each read through, and the end of the stream', async () => {
    const { reader, control } = silentBody();
    const signal = new AbortController().signal;
    const pending = readWithIdle(reader, signal, 1000, 'http://a/v1');
    control.enqueue(Uint8Array.of(1, 2, 3));
    expect(await pending).toEqual({ done: false, value: Uint8Array.of(1, 2, 3) });
    control.close();
    expect((await readWithIdle(reader, signal, 1000, 'http://a/v1')).done).toBe(true);
  });

  it('fails with a network error naming the endpoint when no byte comes for idleMs', async () => {
    const { reader } = silentBody();
    const started = performance.now();
    const error = await failure(readWithIdle(reader, new AbortController().signal, 50, 'http://a/v1'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toMatchObject({ kind: 'network', message: 'http://a/v1 stopped sending audio for 0.05 s.' });
    expect(error.details.endpoint).toBe('http://a/v1');
  });

  it('says a server that sent no audio at all did not stop: it never started', async () => {
    const { reader } = silentBody();
    const error = await failure(readWithIdle(reader, new AbortController().signal, 50, 'http://a/v1', undefined, undefined, true));
    expect(error).toMatchObject({ kind: 'network', message: 'http://a/v1 answered but sent no audio in 0.05 s.' });
  });

  it('counts the window a read falls in: what is left of it, and a trickle said as one', async () => {
    const { reader } = silentBody();
    const started = performance.now();
    const error = await failure(readWithIdle(reader, new AbortController().signal, 1000, 'http://a/v1', undefined, { sinceMs: 950, bytes: 12 }));
    const tookMs = performance.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(45);
    expect(tookMs).toBeLessThan(900);
    expect(error).toMatchObject({ kind: 'network', message: 'http://a/v1 sent only 12 bytes in 1 s: too slow to play.' });
  });

  it('is cancelled at once when the signal aborts, or had aborted', async () => {
    const { reader } = silentBody();
    const controller = new AbortController();
    const pending = readWithIdle(reader, controller.signal, 10_000, 'http://a/v1');
    controller.abort();
    expect((await failure(pending)).kind).toBe('cancelled');
    expect((await failure(readWithIdle(reader, controller.signal, 10_000, 'http://a/v1'))).kind).toBe('cancelled');
  });

  it('turns a broken stream into a network error, and an aborted one into cancelled', async () => {
    const broken = silentBody();
    const pending = readWithIdle(broken.reader, new AbortController().signal, 10_000, 'http://a/v1');
    const reset = new Error('socket hang up');
    broken.control.error(reset);
    const error = await failure(pending);
    expect(error).toMatchObject({ kind: 'network', message: 'The connection to http://a/v1 broke mid-audio: socket hang up' });
    expect(error.details.cause).toBe(reset);

    const aborted = silentBody();
    const read = readWithIdle(aborted.reader, new AbortController().signal, 10_000, 'http://a/v1');
    aborted.control.error(new DOMException('aborted', 'AbortError'));
    expect((await failure(read)).kind).toBe('cancelled');
  });
});
