// Streaming behaviour: audio before the end of the input (spec S2, F2, F3), the tails that
// only flush() gives back, coalescing, reset() between streams, free(), and streams cut
// off anywhere (a dropped connection, spec E1).
import { describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { createDecoder } from '../../shared/decoders';
import { differingSamples } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { decodeChunks, fixedChunks, prng } from './helpers';

type Streamed = Exclude<AudioFormat, 'aac'>;

/** Each format's streaming fixture and how soon its first audio must come, in bytes. */
const FIRST_AUDIO: [Streamed, string, number][] = [
  ['pcm', 'speech-24k.pcm', 1024],
  ['wav', 'speech-24k.wav', 1024],
  // 64 kbit/s frames of ~190 bytes: out once the frames LAME's delay trims have come.
  ['mp3', 'speech.mp3', 1024],
  // opusenc --max-delay 20: a 20 ms page at a time, after opusenc's padded comment header.
  ['opus', 'speech.opus', 1024],
  // ffmpeg's ~1 s pages (~4 KB each): each packet is out as it arrives, not a page later.
  ['opus', 'speech-bigpages.opus', 512],
  // flac's 8 KB PADDING block, then a frame's samples as its bytes arrive.
  ['flac', 'speech.flac', 9 * 1024],
  // Without the padding, the first push that holds a Rice code.
  ['flac', 'flac/nopad.flac', 512],
];

describe('audio comes out before the end of the input', () => {
  it.each(FIRST_AUDIO)('%s %s: first audio within %i bytes, then steadily', async (format, file, limit) => {
    const bytes = readFixture(file);
    const decoder = createDecoder(format);
    await decoder.ready;
    let decoded = 0;
    let firstAt = -1;
    let atHalf = 0;
    for (const [i, chunk] of fixedChunks(bytes, 512).entries()) {
      decoded += (await decoder.push(chunk)).samplesDecoded;
      if (decoded && firstAt < 0) firstAt = (i + 1) * 512;
      if ((i + 1) * 512 <= bytes.length / 2) atHalf = decoded;
    }
    const total = decoded + (await decoder.flush()).samplesDecoded;
    decoder.free();
    expect(firstAt).toBeGreaterThan(0);
    expect(firstAt).toBeLessThanOrEqual(limit);
    // Half the bytes give most of half the audio: nothing is held back but a frame or a packet.
    expect(atHalf / total).toBeGreaterThan(0.4);
  });
});

describe('flush() gives back what the decoders hold', () => {
  it.each([
    ['opus', 'speech.opus', 'speech.opus.ref.wav'],
    ['opus', 'speech-bigpages.opus', 'speech-bigpages.opus.ref.wav'],
  ] as const)('%s %s holds nothing back: the last page is out once it has arrived, trimmed to its granule as opusdec does', async (format, file, ref) => {
    const decoder = createDecoder(format);
    await decoder.ready;
    const pushed = await decoder.push(readFixture(file));
    const tail = await decoder.flush();
    decoder.free();
    expect(pushed.samplesDecoded).toBe(readWavFixture(ref).channels[0].length);
    expect(tail.samplesDecoded).toBe(0);
    expect(decoder.stats.skippedFrames).toBe(0);
  });

  it('flac holds nothing back: a frame is out the moment its CRC-16 has arrived', async () => {
    const decoder = createDecoder('flac');
    const pushed = await decoder.push(readFixture('speech.flac'));
    const tail = await decoder.flush();
    decoder.free();
    expect(pushed.samplesDecoded).toBe(readWavFixture('speech.flac.ref.wav').channels[0].length);
    expect(tail.samplesDecoded).toBe(0);
    expect(decoder.stats.skippedFrames).toBe(0);
  });

  it.each([
    ['mp3', 'speech.mp3'],
    ['opus', 'speech.opus'],
    ['flac', 'speech.flac'],
  ] as const)('%s: 1-byte pushes are coalesced, and flush() returns every byte\'s audio', async (format, file) => {
    const bytes = readFixture(file);
    const whole = await decodeChunks(createDecoder(format), [bytes]);
    const decoder = createDecoder(format);
    const out = await decodeChunks(decoder, fixedChunks(bytes, 1));
    decoder.free();
    expect(differingSamples(out.channels[0], whole.channels[0])).toBe(0);
  });
});

describe('reset() between two streams', () => {
  it.each([
    ['pcm', 'long-24k.pcm', 'speech-24k.pcm'],
    ['wav', 'speech-stereo-44k.wav', 'speech-24k.wav'],
    ['mp3', 'long.mp3', 'speech.mp3'],
    ['opus', 'speech-bigpages.opus', 'speech.opus'],
    ['flac', 'long.flac', 'speech.flac'],
  ] as const)('%s: a stream cut off, reset(), then another decodes as if fresh', async (format, first, second) => {
    const fresh = await decodeChunks(createDecoder(format), fixedChunks(readFixture(second), 4096));
    const decoder = createDecoder(format);
    await decoder.ready;
    const cut = readFixture(first);
    // Stop in the middle of a frame: the decoder holds a partial frame and a half-read stream.
    expect((await decoder.push(cut.subarray(0, Math.floor(cut.length / 3) + 7))).samplesDecoded).toBeGreaterThan(0);
    await decoder.reset();
    const again = await decodeChunks(decoder, fixedChunks(readFixture(second), 4096));
    decoder.free();
    expect(again.sampleRate).toBe(fresh.sampleRate);
    expect(again.channels.length).toBe(fresh.channels.length);
    for (let c = 0; c < fresh.channels.length; c++) expect(differingSamples(again.channels[c], fresh.channels[c])).toBe(0);
  });
});

describe('free()', () => {
  it.each(['pcm', 'wav', 'mp3', 'opus', 'flac'] as const)('%s refuses work afterwards instead of hanging', async (format) => {
    const decoder = createDecoder(format);
    await decoder.ready;
    decoder.free();
    // mpg123's decode() after free() spins forever: the decoder must refuse first.
    await expect(decoder.push(new Uint8Array(4096))).rejects.toThrow(/freed/);
    await expect(decoder.flush()).rejects.toThrow(/freed/);
    expect(() => decoder.free()).not.toThrow();
  });

  it.each(['mp3', 'opus', 'flac'] as const)('%s freed while its WASM still loads refuses the push it was given', async (format) => {
    const decoder = createDecoder(format);
    const pending = decoder.push(new Uint8Array(8192).fill(0xff));
    decoder.free();
    await expect(pending).rejects.toThrow(/freed/);
  });
});

describe('a stream cut off anywhere (a dropped connection)', () => {
  it.each([
    ['pcm', 'speech-24k.pcm'],
    ['wav', 'speech-list.wav'],
    ['mp3', 'speech.mp3'],
    ['opus', 'speech.opus'],
    ['opus', 'speech-bigpages.opus'],
    ['flac', 'speech.flac'],
  ] as const)('%s %s: flush() resolves and gives a prefix of the whole decode', async (format, file) => {
    // Regression: ogg-opus-decoder's flush() (before Utter read the Ogg pages itself) threw a RangeError for ~1 cut in 7.
    const bytes = readFixture(file);
    const whole = (await decodeChunks(createDecoder(format), [bytes])).channels[0];
    const random = prng(42);
    for (let i = 0; i < 25; i++) {
      const cut = 100 + Math.floor(random() * (bytes.length - 100));
      const decoder = createDecoder(format);
      const out = (await decodeChunks(decoder, fixedChunks(bytes.subarray(0, cut), 4096))).channels[0];
      decoder.free();
      expect(out.length).toBeLessThanOrEqual(whole.length);
      expect(differingSamples(out, whole.subarray(0, out.length))).toBe(0);
    }
  });
});
