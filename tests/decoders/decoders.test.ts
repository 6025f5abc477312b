import { describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { createDecoder, UnsupportedFormatError } from '../../shared/decoders';
import type { StreamDecoder } from '../../shared/decoders/types';
import { fixture, prng, randomChunks, readPcm16, readWav, snrDb, type Pcm } from '../support/audio-files';

/** Feeds chunks one by one, returning the decoded audio and when the first sample came out. */
async function decodeChunks(decoder: StreamDecoder, chunks: Uint8Array[]): Promise<Pcm & { firstAudioAtByte: number }> {
  await decoder.ready;
  const parts: Float32Array[][] = [];
  let sampleRate = 0;
  let bytes = 0;
  let firstAudioAtByte = -1;
  for (const chunk of chunks) {
    bytes += chunk.length;
    const audio = await decoder.push(chunk);
    if (audio.samplesDecoded) {
      if (firstAudioAtByte < 0) firstAudioAtByte = bytes;
      parts.push(audio.channelData);
      sampleRate = audio.sampleRate;
    }
  }
  const tail = await decoder.flush();
  if (tail.samplesDecoded) {
    parts.push(tail.channelData);
    sampleRate = tail.sampleRate;
  }
  const channels = parts[0]?.length ?? 1;
  const joined = Array.from({ length: channels }, (_, c) => {
    const total = parts.reduce((n, p) => n + p[c].length, 0);
    const out = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p[c], o);
      o += p[c].length;
    }
    return out;
  });
  return { channels: joined, sampleRate, firstAudioAtByte };
}

interface Case {
  format: AudioFormat;
  file: string;
  reference: () => Pcm;
  /** Minimum SNR in dB; Infinity = bit-exact. */
  minSnr: number;
  /** Allowed difference in sample count against the reference, and why. */
  lengthSlack: number;
  pcmSampleRate?: number;
}

const CASES: Case[] = [
  { format: 'pcm', file: 'speech-24k.pcm', reference: () => readWav(fixture('speech-24k.wav')), minSnr: Infinity, lengthSlack: 0, pcmSampleRate: 24000 },
  { format: 'pcm', file: 'speech-44k.pcm', reference: () => readWav(fixture('speech-44k.wav')), minSnr: Infinity, lengthSlack: 0, pcmSampleRate: 44100 },
  { format: 'wav', file: 'speech-24k.wav', reference: () => readWav(fixture('speech-24k.wav')), minSnr: Infinity, lengthSlack: 0 },
  // mpg123 (WASM) against mpg123 (native): the same decoder, so very nearly the same samples.
  { format: 'mp3', file: 'speech.mp3', reference: () => readWav(fixture('speech.mp3.ref.wav')), minSnr: 100, lengthSlack: 0 },
  // libopus (WASM) against libopus (opusdec, no resampling).
  { format: 'opus', file: 'speech.opus', reference: () => readWav(fixture('speech.opus.ref.wav')), minSnr: 60, lengthSlack: 0 },
  { format: 'opus', file: 'speech-bigpages.opus', reference: () => readWav(fixture('speech-bigpages.opus.ref.wav')), minSnr: 60, lengthSlack: 0 },
  // libFLAC (WASM) scales by 1/32767, the WAV reference by 1/32768: 90.3 dB is that scale alone;
  // the integer samples are checked for equality separately below.
  { format: 'flac', file: 'speech.flac', reference: () => readWav(fixture('speech.flac.ref.wav')), minSnr: 90, lengthSlack: 0 },
];

describe.each(CASES)('$format decoder: $file', (c) => {
  const bytes = fixture(c.file);
  const reference = c.reference();

  it.each([1, 2, 3])('matches the reference fed random chunks down to 1 byte (seed %i)', async (seed) => {
    const decoder = createDecoder(c.format, { pcmSampleRate: c.pcmSampleRate });
    const out = await decodeChunks(decoder, randomChunks(bytes, seed, 6000));
    decoder.free();
    expect(out.sampleRate).toBe(reference.sampleRate);
    expect(out.channels.length).toBe(reference.channels.length);
    expect(Math.abs(out.channels[0].length - reference.channels[0].length)).toBeLessThanOrEqual(c.lengthSlack);
    for (let ch = 0; ch < reference.channels.length; ch++) {
      const { snr, lag } = snrDb(out.channels[ch], reference.channels[ch]);
      expect(lag).toBe(0);
      if (c.minSnr === Infinity) expect(snr).toBe(Infinity);
      else expect(snr).toBeGreaterThanOrEqual(c.minSnr);
    }
  });

  it('streams: audio comes out long before the end of the input', async () => {
    const decoder = createDecoder(c.format, { pcmSampleRate: c.pcmSampleRate });
    const out = await decodeChunks(decoder, randomChunks(bytes, 7, 4096));
    decoder.free();
    expect(out.firstAudioAtByte).toBeGreaterThan(0);
    // Big ffmpeg pages hold ~1 s of audio each; everything else streams within a few KB.
    const limit = c.file.includes('bigpages') ? bytes.length * 0.5 : Math.max(8192, bytes.length * 0.1);
    expect(out.firstAudioAtByte).toBeLessThanOrEqual(limit);
  });

  it('decodes a second stream after reset()', async () => {
    const decoder = createDecoder(c.format, { pcmSampleRate: c.pcmSampleRate });
    const half = await decodeChunks(decoder, [bytes.subarray(0, bytes.length >> 1)]);
    expect(half.channels[0].length).toBeGreaterThan(0);
    await decoder.reset();
    const whole = await decodeChunks(decoder, [bytes]);
    decoder.free();
    const { snr } = snrDb(whole.channels[0], reference.channels[0]);
    expect(snr).toBeGreaterThanOrEqual(c.minSnr === Infinity ? 200 : c.minSnr);
  });
});

describe('traps', () => {
  it('flac decodes to exactly the integer samples of the reference', async () => {
    const out = await decodeChunks(createDecoder('flac'), randomChunks(fixture('speech.flac'), 9, 5000));
    const ref = readWav(fixture('speech.flac.ref.wav')).channels[0];
    expect(out.channels[0].length).toBe(ref.length);
    let mismatches = 0;
    for (let i = 0; i < ref.length; i++) if (Math.round(out.channels[0][i] * 32767) !== Math.round(ref[i] * 32768)) mismatches++;
    expect(mismatches).toBe(0);
  });

  it.each(['opus', 'flac'] as const)('%s holds its tail until flush()', async (format) => {
    const bytes = fixture(format === 'opus' ? 'speech.opus' : 'speech.flac');
    const decoder = createDecoder(format);
    await decoder.ready;
    const pushed = await decoder.push(bytes);
    const tail = await decoder.flush();
    decoder.free();
    expect(tail.samplesDecoded).toBeGreaterThan(0);
    expect(pushed.samplesDecoded + tail.samplesDecoded).toBe(readWav(fixture(`speech.${format}.ref.wav`)).channels[0].length);
  });

  it.each(['mp3', 'opus', 'flac', 'wav', 'pcm'] as const)('%s refuses work after free() instead of hanging', async (format) => {
    const decoder = createDecoder(format);
    await decoder.ready;
    decoder.free();
    await expect(decoder.push(new Uint8Array(4096))).rejects.toThrow(/freed/);
  });

  it.each([
    ['mp3', 'speech.mp3'],
    ['opus', 'speech.opus'],
    ['flac', 'speech.flac'],
    ['wav', 'speech-24k.wav'],
    ['pcm', 'speech-24k.pcm'],
  ] as const)('%s survives a stream cut off anywhere (a dropped connection)', async (format, file) => {
    // Regression: ogg-opus-decoder's flush() threw a RangeError for 1 cut in 5.
    const bytes = fixture(file);
    const random = prng(42);
    for (let i = 0; i < 60; i++) {
      const cut = 100 + Math.floor(random() * (bytes.length - 100));
      const decoder = createDecoder(format);
      await decoder.ready;
      await decoder.push(bytes.subarray(0, cut));
      await expect(decoder.flush()).resolves.toBeDefined();
      decoder.free();
    }
  });

  it('aac in Node is a clear unsupported-format error', () => {
    expect(() => createDecoder('aac')).toThrow(UnsupportedFormatError);
    expect(() => createDecoder('aac')).toThrow(/WebCodecs/);
  });
});

describe('WAV layouts', () => {
  const reference = readWav(fixture('speech-24k.wav'));
  it.each([
    ['speech-24bit.wav', 120],
    ['speech-32bit.wav', 120],
    ['speech-float.wav', 120],
    ['speech-list.wav', Infinity],
    ['speech-streaming.wav', Infinity],
  ])('%s decodes to the same speech', async (file, minSnr) => {
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, randomChunks(fixture(file), 11, 3000));
    expect(out.sampleRate).toBe(24000);
    expect(out.channels[0].length).toBe(reference.channels[0].length);
    const { snr } = snrDb(out.channels[0], reference.channels[0]);
    if (minSnr === Infinity) expect(snr).toBe(Infinity);
    else expect(snr).toBeGreaterThan(minSnr);
  });

  it('decodes stereo 44.1 kHz and 22.05 kHz', async () => {
    const stereo = await decodeChunks(createDecoder('wav'), randomChunks(fixture('speech-stereo-44k.wav'), 5, 3000));
    const stereoRef = readWav(fixture('speech-stereo-44k.wav'));
    expect(stereo.sampleRate).toBe(44100);
    expect(stereo.channels.length).toBe(2);
    for (const c of [0, 1]) expect(snrDb(stereo.channels[c], stereoRef.channels[c]).snr).toBe(Infinity);
    const low = await decodeChunks(createDecoder('wav'), [fixture('speech-22050.wav')]);
    expect(low.sampleRate).toBe(22050);
  });

  it('refuses bytes that are not a WAV', async () => {
    const decoder = createDecoder('wav');
    await expect(decoder.push(new TextEncoder().encode('<!DOCTYPE html><html><title>502 Bad Gateway</title>'))).rejects.toThrow(/not a WAV/);
  });
});

describe('corrupt bytes inside a stream (spec E2)', () => {
  it.each([
    ['mp3', 'speech.mp3', 'speech.mp3.ref.wav'],
    ['opus', 'speech.opus', 'speech.opus.ref.wav'],
    ['flac', 'speech.flac', 'speech.flac.ref.wav'],
  ] as const)('%s skips the damage, counts it and keeps playing', async (format, file, ref) => {
    const bytes = fixture(file).slice();
    // Overwrite 300 bytes a third of the way in with noise.
    const at = Math.floor(bytes.length / 3);
    for (let i = 0; i < 300; i++) bytes[at + i] = (i * 97 + 13) & 0xff;
    const decoder = createDecoder(format);
    const out = await decodeChunks(decoder, randomChunks(bytes, 3, 4096));
    const expected = readWav(fixture(ref)).channels[0].length;
    expect(decoder.stats.skippedFrames).toBeGreaterThan(0);
    // Most of the speech still came out, including what follows the damage.
    expect(out.channels[0].length).toBeGreaterThan(expected * 0.8);
    const lastSecond = out.channels[0].subarray(out.channels[0].length - out.sampleRate);
    const lastRef = readWav(fixture(ref)).channels[0].subarray(expected - out.sampleRate);
    expect(rms(lastSecond)).toBeGreaterThan(rms(lastRef) * 0.5);
    decoder.free();
  });
});

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

it('reads pcm fixtures consistently (sanity of the helpers themselves)', () => {
  const pcm = readPcm16(fixture('speech-24k.pcm'), 24000);
  const wav = readWav(fixture('speech-24k.wav'));
  expect(snrDb(pcm.channels[0], wav.channels[0]).snr).toBe(Infinity);
  expect(rms(pcm.channels[0])).toBeGreaterThan(0.01);
});
