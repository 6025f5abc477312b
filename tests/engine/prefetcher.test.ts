import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Prefetcher } from '../../electron/engine/prefetcher';
import type { SpeechAudio, SpeechProvider, SpeechRequest, WordMark } from '../../electron/engine/provider';
import type { Segment } from '../../electron/engine/segment';

/**
 * A provider that records each request (never its audio, so only the Prefetcher can keep
 * that alive) and whether each body was cancelled.
 */
class FakeProvider implements SpeechProvider {
  readonly id = 'openai' as const;
  readonly endpoints = ['http://a/v1', 'http://b/v1'];
  readonly maxInputChars = 4096;
  readonly requests: { text: string; endpointIndex: number; signal: AbortSignal; onWord?: (word: WordMark) => void }[] = [];
  readonly cancelled: string[] = [];
  /** Each audio's keepAlive, weakly: shows whether something still holds the audio. */
  readonly kept: WeakRef<object>[] = [];

  async open(request: SpeechRequest): Promise<SpeechAudio> {
    this.requests.push({ ...request });
    const body = new ReadableStream<Uint8Array>({ cancel: () => void this.cancelled.push(request.text) });
    const keepAlive = { response: request.text };
    this.kept.push(new WeakRef(keepAlive));
    return { body, contentType: 'audio/pcm;rate=24000', keepAlive };
  }
  async voices() {
    return [];
  }
  async close() {}
}

const segment = (index: number): Segment => ({ index, text: `Segment ${index}.`, start: 0, end: 10, origin: new Uint32Array(10) });
const word = (start: number): WordMark => ({ start, end: start + 1, audioMs: start * 100 });
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe('Prefetcher', () => {
  it('opens one segment ahead and hands that very request over on take', async () => {
    const provider = new FakeProvider();
    const prefetcher = new Prefetcher(provider);
    const before = Date.now();
    prefetcher.prefetch(1, () => segment(1), 1);
    prefetcher.prefetch(1, () => segment(1), 1);
    expect(provider.requests.map((r) => [r.text, r.endpointIndex])).toEqual([['Segment 1.', 1]]);
    const ahead = prefetcher.take(1, new AbortController(), () => {});
    expect(ahead).not.toBeNull();
    expect(ahead!.requestedAt).toBeGreaterThanOrEqual(before);
    expect(ahead!.requestedPerf).toBeLessThanOrEqual(performance.now());
    expect((await ahead!.audio).contentType).toBe('audio/pcm;rate=24000');
    // Taken once: the next take for it opens nothing and finds nothing.
    expect(prefetcher.take(1, new AbortController(), () => {})).toBeNull();
    expect(provider.requests[0].signal.aborted).toBe(false);
  });

  it('drops the request ahead when another segment is asked for or taken, or nothing is to be opened', async () => {
    const provider = new FakeProvider();
    const prefetcher = new Prefetcher(provider);
    prefetcher.prefetch(1, () => segment(1), 0);
    prefetcher.prefetch(2, () => segment(2), 0);
    expect(provider.requests[0].signal.aborted).toBe(true);
    expect(prefetcher.take(3, new AbortController(), () => {})).toBeNull();
    expect(provider.requests[1].signal.aborted).toBe(true);
    prefetcher.prefetch(4, () => segment(4), 0);
    prefetcher.prefetch(5, () => undefined, 0);
    expect(provider.requests.length).toBe(3);
    expect(provider.requests[2].signal.aborted).toBe(true);
    await settle();
    expect(provider.cancelled).toEqual(['Segment 1.', 'Segment 2.', 'Segment 4.']);
  });

  it('does not hand over a request that was aborted', () => {
    const provider = new FakeProvider();
    const prefetcher = new Prefetcher(provider);
    prefetcher.prefetch(1, () => segment(1), 0);
    prefetcher.drop();
    expect(provider.requests[0].signal.aborted).toBe(true);
    expect(prefetcher.take(1, new AbortController(), () => {})).toBeNull();
  });

  it('holds the words that come ahead until take, then passes them straight on', () => {
    const provider = new FakeProvider();
    const prefetcher = new Prefetcher(provider);
    prefetcher.prefetch(1, () => segment(1), 0);
    const onWord = provider.requests[0].onWord!;
    onWord(word(0));
    onWord(word(2));
    const heard: WordMark[] = [];
    prefetcher.take(1, new AbortController(), (w) => heard.push(w));
    expect(heard).toEqual([word(0), word(2)]);
    onWord(word(4));
    expect(heard).toEqual([word(0), word(2), word(4)]);
  });

  it("aborts the request taken when the taker's controller aborts", () => {
    const provider = new FakeProvider();
    const prefetcher = new Prefetcher(provider);
    prefetcher.prefetch(1, () => segment(1), 0);
    const controller = new AbortController();
    prefetcher.take(1, controller, () => {});
    controller.abort();
    expect(provider.requests[0].signal.aborted).toBe(true);
  });

  it('keeps the audio opened ahead, and so its keepAlive, reachable while it waits unread', async () => {
    // undici cancels the body of a collected fetch Response: what the provider puts in
    // keepAlive must outlive garbage collection until the segment is taken.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await settle();
        gc();
      }
      await settle();
    };
    const provider = new FakeProvider();
    const prefetcher = new Prefetcher(provider);
    prefetcher.prefetch(1, () => segment(1), 0);
    await collect();
    expect(provider.kept[0].deref()).toBeDefined();
    const taken = prefetcher.take(1, new AbortController(), () => {});
    expect(((await taken!.audio).keepAlive as { response: string }).response).toBe('Segment 1.');
    // The control: once dropped, nothing holds it, and collection does take it.
    prefetcher.prefetch(2, () => segment(2), 0);
    prefetcher.drop();
    await collect();
    expect(provider.kept[1].deref()).toBeUndefined();
  });
});
