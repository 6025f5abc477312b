// Decoders made before their stream: the spare of each WASM format, and the libopus instance
// an Opus decoder loads with, kept for a mono stream instead of being made again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDecoder } from '../../shared/decoders';
import { hasSpare, makeSpare, takeDecoder } from '../../shared/decoders/spares';
import { UtteranceDecoder } from '../../shared/playback/utterance-decoder';
import { snrDb } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { decodeChunks, fixedChunks, join } from './helpers';

/** Every libopus instance made, with the layout asked for. */
const made = vi.hoisted((): { channels?: number }[] => []);
vi.mock('opus-decoder', async (original) => {
  const { OpusDecoder } = await original<typeof import('opus-decoder')>();
  class Counted extends OpusDecoder {
    constructor(options?: { channels?: number }) {
      super(options);
      made.push({ channels: options?.channels });
    }
  }
  return { OpusDecoder: Counted };
});

afterEach(() => {
  made.length = 0;
  // Leave no spare behind for the next test.
  for (const format of ['mp3', 'opus'] as const) if (hasSpare(format)) takeDecoder(format).free();
});

describe('the Opus decoder', () => {
  it('decodes a mono stream with the libopus instance it loaded with', async () => {
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, fixedChunks(readFixture('sentence.opus'), 1024));
    decoder.free();
    expect(made).toEqual([{ channels: 1 }]);
    const reference = readWavFixture('sentence.opus.ref.wav').channels[0];
    expect(out.channels[0].length).toBe(reference.length);
    expect(snrDb(out.channels[0], reference).snr).toBeGreaterThan(60);
  });

  it('makes one for a stereo stream, and a fresh one for each stream after the first', async () => {
    const stereo = createDecoder('opus');
    const both = await decodeChunks(stereo, fixedChunks(readFixture('tones-stereo.opus'), 1024));
    stereo.free();
    expect(made).toEqual([{ channels: 1 }, { channels: 2 }]);
    const reference = readWavFixture('tones-stereo.opus.ref.wav').channels;
    expect(snrDb(both.channels[1], reference[1]).snr).toBeGreaterThan(60);

    made.length = 0;
    const sentence = readFixture('sentence.opus');
    const chained = createDecoder('opus');
    const out = await decodeChunks(chained, fixedChunks(new Uint8Array([...sentence, ...sentence]), 1024));
    chained.free();
    // A used decoder carries the last stream's state: the second stream gets a fresh one.
    expect(made).toEqual([{ channels: 1 }, { channels: 1 }]);
    const once = readWavFixture('sentence.opus.ref.wav').channels[0];
    expect(snrDb(out.channels[0].subarray(once.length), once).snr).toBeGreaterThan(60);
  });
});

describe('spare decoders', () => {
  it('are kept for mp3 and opus only, taken once, and decode like a new one', async () => {
    makeSpare('pcm');
    makeSpare('flac');
    makeSpare('mp3');
    expect([hasSpare('pcm'), hasSpare('flac'), hasSpare('mp3')]).toEqual([false, false, true]);
    const spare = takeDecoder('mp3');
    expect(hasSpare('mp3')).toBe(false);
    const fresh = takeDecoder('mp3');
    expect(fresh).not.toBe(spare);
    fresh.free();
    const bytes = readFixture('sentence.mp3');
    const out = await decodeChunks(spare, fixedChunks(bytes, 1024));
    spare.free();
    const reference = readWavFixture('sentence.mp3.ref.wav').channels[0];
    expect(out.channels[0].length).toBe(reference.length);
    expect(snrDb(out.channels[0], reference).snr).toBeGreaterThan(60);
  });

  it('one is made when a streamed segment ends, and the next segment takes it', async () => {
    const decoder = new UtteranceDecoder({ outputRate: 48000, streaming: true });
    const end = { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'test' };
    const bytes = readFixture('sentence.opus');
    const blocks = [];
    /** libopus instances made while each segment played, from its start to its last byte. */
    const madeDuring: number[] = [];
    for (const index of [0, 1]) {
      const before = made.length;
      blocks.push(...(await decoder.accept({ type: 'segment-start', segment: { index, start: 0, end: 5, text: 'Hello' }, format: 'opus', endpoint: 'test', attempt: 0, restart: false, requestedAt: 0 })));
      // Taken by this segment (the first finds none and makes its own).
      expect(hasSpare('opus')).toBe(false);
      for (let i = 0; i < bytes.length; i += 4096) blocks.push(...(await decoder.accept({ type: 'chunk', segmentIndex: index, bytes: bytes.subarray(i, i + 4096) })));
      madeDuring.push(made.length - before);
      blocks.push(...(await decoder.accept({ type: 'segment-end', segmentIndex: index, metrics: end, skipped: false })));
      expect(hasSpare('opus')).toBe(true);
    }
    decoder.close();
    // The second segment played on the spare made at the first's end.
    expect(madeDuring).toEqual([1, 0]);
    const [mono] = join(blocks);
    expect(mono.length).toBeGreaterThan(2 * 2.4 * 48000);
  });

  it('one is made when an utterance is stopped inside a segment, and the next utterance takes it', async () => {
    const bytes = readFixture('sentence.opus');
    const start = (index: number) => ({ type: 'segment-start' as const, segment: { index, start: 0, end: 5, text: 'Hello' }, format: 'opus' as const, endpoint: 'test', attempt: 0, restart: false, requestedAt: 0 });
    const stopped = new UtteranceDecoder({ outputRate: 48000, streaming: true });
    await stopped.accept(start(0));
    await stopped.accept({ type: 'chunk', segmentIndex: 0, bytes: bytes.subarray(0, 4096) });
    // A stop (or a new utterance) closes it while its segment still streams.
    stopped.close();
    expect(hasSpare('opus')).toBe(true);
    const before = made.length;
    const next = new UtteranceDecoder({ outputRate: 48000, streaming: true });
    await next.accept(start(0));
    const blocks = await next.accept({ type: 'chunk', segmentIndex: 0, bytes: bytes.subarray(0, 4096) });
    expect(made.length - before).toBe(0);
    expect(join(blocks)[0].length).toBeGreaterThan(0.03 * 48000);
    next.close();
  });
});
