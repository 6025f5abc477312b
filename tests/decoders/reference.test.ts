// Every decoder against reference decodes made by the reference tools (tests/fixtures/make.sh),
// fed random chunk sizes down to 1 byte: same rate, same channel count, the same number of
// samples, no delay, and an SNR floor per format (spec T1, T4).
import { describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { createDecoder } from '../../shared/decoders';
import { bestLag, differingSamples, snrDb } from '../support/snr';
import { parsePcm16, readFixture, readWavFixture, type PlanarAudio } from '../support/wav-file';
import { decodeChunks, fixedChunks, randomChunks } from './helpers';

interface Case {
  format: AudioFormat;
  file: string;
  /** What the reference tool decoded the same file to. */
  reference: () => PlanarAudio;
  /** Minimum SNR in dB; Infinity = every sample identical. */
  minSnr: number;
  pcmSampleRate?: number;
}

const CASES: Case[] = [
  { format: 'pcm', file: 'speech-24k.pcm', reference: () => readWavFixture('speech-24k.wav'), minSnr: Infinity },
  { format: 'pcm', file: 'speech-44k.pcm', reference: () => readWavFixture('speech-44k.wav'), minSnr: Infinity, pcmSampleRate: 44100 },
  { format: 'wav', file: 'speech-24k.wav', reference: () => parsePcm16(readFixture('speech-24k.pcm'), 24000), minSnr: Infinity },
  // mpg123 in WASM against mpg123 native (`-e f32`): the same decoder, so nearly the same
  // floats (measured 126.7 dB). Both trim LAME's encoder delay and padding (gapless).
  { format: 'mp3', file: 'speech.mp3', reference: () => readWavFixture('speech.mp3.ref.wav'), minSnr: 100 },
  // Against ffmpeg's own MP3 decoder, a different implementation (measured 38.0 dB).
  { format: 'mp3', file: 'speech.mp3', reference: () => readWavFixture('speech.mp3.ffmpeg.wav'), minSnr: 35 },
  // libopus in WASM against opusdec --float --rate 48000 (libopus, no resampling, no
  // dither): measured 111 dB; pre-skip and end trimming agree to the sample.
  { format: 'opus', file: 'speech.opus', reference: () => readWavFixture('speech.opus.ref.wav'), minSnr: 60 },
  { format: 'opus', file: 'speech-bigpages.opus', reference: () => readWavFixture('speech-bigpages.opus.ref.wav'), minSnr: 60 },
  // Lossless: the very integers `flac -d` writes.
  { format: 'flac', file: 'speech.flac', reference: () => readWavFixture('speech.flac.ref.wav'), minSnr: Infinity },
  { format: 'flac', file: 'speech-24bit.flac', reference: () => readWavFixture('speech-24bit.flac.ref.wav'), minSnr: Infinity },
  // Stereo 44.1 kHz: MPEG-1 layer III (1152-sample frames), stereo Opus, stereo FLAC.
  { format: 'mp3', file: 'speech-stereo.mp3', reference: () => readWavFixture('speech-stereo.mp3.ref.wav'), minSnr: 100 },
  { format: 'opus', file: 'speech-stereo.opus', reference: () => readWavFixture('speech-stereo.opus.ref.wav'), minSnr: 60 },
  { format: 'flac', file: 'speech-stereo.flac', reference: () => readWavFixture('speech-stereo.flac.ref.wav'), minSnr: Infinity },
];

function expectMatches(out: PlanarAudio, reference: PlanarAudio, minSnr: number): void {
  expect(out.sampleRate).toBe(reference.sampleRate);
  expect(out.channels.length).toBe(reference.channels.length);
  for (let c = 0; c < reference.channels.length; c++) {
    // Every decoder here agrees with its reference on the exact length (gapless MP3,
    // Opus pre-skip and end trimming), so the count is asserted exactly.
    expect(out.channels[c].length).toBe(reference.channels[c].length);
    if (minSnr === Infinity) {
      expect(differingSamples(out.channels[c], reference.channels[c])).toBe(0);
      continue;
    }
    // No hidden delay: the best alignment within ±2000 samples is no shift at all.
    expect(bestLag(out.channels[c], reference.channels[c], 2000)).toBe(0);
    expect(snrDb(out.channels[c], reference.channels[c]).snr).toBeGreaterThanOrEqual(minSnr);
  }
}

describe.each(CASES)('$format $file', (c) => {
  const bytes = readFixture(c.file);
  const reference = c.reference();

  it.each([1, 2, 3, 4])('matches the reference, fed random chunks down to 1 byte (seed %i)', async (seed) => {
    const decoder = createDecoder(c.format, { pcmSampleRate: c.pcmSampleRate });
    const out = await decodeChunks(decoder, randomChunks(bytes, seed, 6000));
    expectMatches(out, reference, c.minSnr);
    expect(decoder.stats.skippedFrames).toBe(0);
    expect(decoder.stats.bytesIn).toBe(bytes.length);
    expect(decoder.stats.framesOut).toBe(reference.channels[0].length);
    decoder.free();
  });

  it('matches the reference fed 1 byte at a time through the header and the first frames', async () => {
    const decoder = createDecoder(c.format, { pcmSampleRate: c.pcmSampleRate });
    const head = Math.min(bytes.length, 6000);
    const out = await decodeChunks(decoder, [...fixedChunks(bytes.subarray(0, head), 1), bytes.subarray(head)]);
    expectMatches(out, reference, c.minSnr);
    decoder.free();
  });
});

describe('the ~37 s texts (benchmark fixtures)', () => {
  it.each([
    ['pcm', 'long-24k.pcm', 'long-24k.wav', Infinity],
    ['wav', 'long-24k.wav', 'long-24k.wav', Infinity],
    ['mp3', 'long.mp3', 'long.mp3.ref.wav', 100],
    ['opus', 'long.opus', 'long.opus.ref.wav', 60],
    ['flac', 'long.flac', 'long.flac.ref.wav', Infinity],
  ] as const)('%s %s matches its reference in 4 KB chunks', async (format, file, ref, minSnr) => {
    const decoder = createDecoder(format);
    const out = await decodeChunks(decoder, fixedChunks(readFixture(file), 4096));
    expectMatches(out, readWavFixture(ref), minSnr);
    decoder.free();
  });
});

describe('behind an ID3v2 tag', () => {
  it.each([
    ['mp3', 'speech.mp3'],
    ['flac', 'speech.flac'],
  ] as const)('%s decodes exactly as without it, nothing counted as skipped', async (format, file) => {
    const bytes = readFixture(file);
    const tag = new Uint8Array(10 + 700);
    tag.set([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 700 >> 7, 700 & 0x7f]);
    tag.set(new TextEncoder().encode('TIT2 Utter fixture'), 10);
    const tagged = new Uint8Array(tag.length + bytes.length);
    tagged.set(tag);
    tagged.set(bytes, tag.length);
    const plain = await decodeChunks(createDecoder(format), [bytes]);
    const decoder = createDecoder(format);
    const out = await decodeChunks(decoder, randomChunks(tagged, 5, 3000));
    expect(differingSamples(out.channels[0], plain.channels[0])).toBe(0);
    expect(decoder.stats.skippedFrames).toBe(0);
  });
});
