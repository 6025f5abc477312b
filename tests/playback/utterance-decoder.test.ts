import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import type { DecodedAudio } from '../../shared/decoders/types';
import { SincResampler } from '../../shared/audio/sinc-resampler';
import type { LinkEvent } from '../../shared/playback/link-protocol';
import { DecodeFailure, UtteranceDecoder, type AudioBlock } from '../../shared/playback/utterance-decoder';
import { crc32 } from '../../shared/decoders/crc';
import { damage, join, pageStarts } from '../decoders/helpers';
import { fixture, readWav, snrDb } from '../support/audio-files';
import { goertzel } from '../support/sentence-tones';

/**
 * The one path from engine events to audio, in Node: for a file (the stream's own rate and
 * channels) and for the ring (mono at the output rate), against real encoders' reference decodes.
 */
function segmentStart(format: AudioFormat, restart = false): Extract<LinkEvent, { type: 'segment-start' }> {
  return { type: 'segment-start', segment: { index: 0, start: 0, end: 5, text: 'Hello' }, format, endpoint: 'test', attempt: restart ? 1 : 0, restart, requestedAt: 0 };
}

/** Feeds `bytes` as one segment in 4 KB chunks, stopping after `upTo` bytes; returns every block. */
async function feed(decoder: UtteranceDecoder, format: AudioFormat, bytes: Uint8Array, options: { restart?: boolean; upTo?: number } = {}): Promise<AudioBlock[]> {
  const out = await decoder.accept(segmentStart(format, options.restart));
  const end = options.upTo ?? bytes.length;
  for (let i = 0; i < end; i += 4096) out.push(...(await decoder.accept({ type: 'chunk', segmentIndex: 0, bytes: bytes.subarray(i, Math.min(end, i + 4096)) })));
  if (options.upTo === undefined) out.push(...(await decoder.accept({ type: 'segment-end', segmentIndex: 0, metrics: { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'test' }, skipped: false })));
  return out;
}

describe('UtteranceDecoder', () => {
  it('for a file: keeps a stereo stream\'s rate and both channels, sample for sample', async () => {
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const [left, right] = join(await feed(decoder, 'flac', fixture('speech-stereo.flac')));
    const ref = readWav(fixture('speech-stereo.flac.ref.wav'));
    expect(decoder.format).toEqual({ sampleRate: 44100, channels: 2 });
    expect(left.length).toBe(ref.channels[0].length);
    expect(snrDb(left, ref.channels[0]).snr).toBeGreaterThan(100);
    expect(snrDb(right, ref.channels[1]).snr).toBeGreaterThan(100);
    expect(decoder.metrics.decodedFrames).toBe(left.length);
  });

  it('for the ring: mixes down to mono and resamples to the output rate', async () => {
    const decoder = new UtteranceDecoder({ outputRate: 48000, streaming: true });
    const [mono, extra] = join(await feed(decoder, 'flac', fixture('speech-stereo.flac')));
    expect(extra).toBeUndefined();
    const ref = readWav(fixture('speech-stereo.flac.ref.wav'));
    const mixed = ref.channels[0].map((sample, i) => (sample + ref.channels[1][i]) / 2);
    const resampler = new SincResampler(44100, 48000);
    const head = resampler.process(mixed);
    const expected = new Float32Array([...head, ...resampler.flush()]);
    expect(mono.length).toBe(expected.length);
    expect(snrDb(mono, expected).snr).toBeGreaterThan(100);
  });

  it('for the ring in stereo: resamples a mono stream once and plays it on both sides, its tail too', async () => {
    const resample = vi.spyOn(SincResampler.prototype, 'process');
    const decoder = new UtteranceDecoder({ outputRate: 48000, channels: 'stereo', streaming: true });
    const blocks = await feed(decoder, 'mp3', fixture('speech.mp3'));
    // One call per decoded block (the last block is the flush); resampling each side would be two.
    expect(resample.mock.calls.length).toBeLessThan(blocks.length);
    resample.mockRestore();
    const [left, right] = join(blocks);
    const ref = readWav(fixture('speech.mp3.ref.wav'));
    const resampler = new SincResampler(ref.sampleRate, 48000);
    const expected = new Float32Array([...resampler.process(ref.channels[0]), ...resampler.flush()]);
    expect(left.length).toBe(expected.length);
    expect(snrDb(left, expected).snr).toBeGreaterThan(90);
    expect(right).toEqual(left);
  });

  it.each(['wav', 'flac', 'opus'] as const)('for the ring in stereo: 5.1 %s is heard on both sides, the centre on each, the LFE on neither', async (format) => {
    const decoder = new UtteranceDecoder({ outputRate: 48000, channels: 'stereo', streaming: true });
    const [left, right, extra] = join(await feed(decoder, format, fixture(`tones-51.${format}`)));
    expect(extra).toBeUndefined();
    // tones-51: FL 300, FR 500, FC 700, LFE 60, BL 1100, BR 1300 Hz, each at one level.
    const level = (side: Float32Array, hz: number) => goertzel(side, 24_000, 48_000, hz / 48_000);
    const heard = (side: Float32Array) => [300, 500, 700, 60, 1100, 1300].filter((hz) => level(side, hz) > 0.05 * level(side, 300) + 0.05 * level(side, 500));
    expect(heard(left)).toEqual([300, 700, 1100]);
    expect(heard(right)).toEqual([500, 700, 1300]);
    // Front at full weight, centre and rear at -3 dB: power ratio 1/2.
    expect(level(left, 700) / level(left, 300)).toBeCloseTo(0.5, 1);
    expect(level(right, 1300) / level(right, 500)).toBeCloseTo(0.5, 1);
  });

  it('hands out a restarted segment once: the frames already given are skipped', async () => {
    const bytes = fixture('speech.mp3');
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const partial = join(await feed(decoder, 'mp3', bytes, { upTo: 20_000 }))[0];
    expect(partial.length).toBeGreaterThan(0);
    const rest = join(await feed(decoder, 'mp3', bytes, { restart: true }))[0];
    const ref = readWav(fixture('speech.mp3.ref.wav')).channels[0];
    const whole = new Float32Array([...partial, ...rest]);
    expect(whole.length).toBe(ref.length);
    expect(snrDb(whole, ref).snr).toBeGreaterThan(90);
    expect(decoder.metrics.restarts).toBe(1);
  });

  it('turns damaged or undecodable audio into a failure the page and the CLI can show', async () => {
    const garbage = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const noise = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7919) & 0xff);
    const failed = await feed(garbage, 'flac', noise).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DecodeFailure);
    expect((failed as DecodeFailure).info).toMatchObject({ kind: 'bad-audio', message: expect.stringContaining('could not be decoded') });
    // AAC in MP4 cannot stream, and nothing in Node decodes it whole.
    const whole = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const refused = await whole.accept({ ...(segmentStart('aac') as Extract<LinkEvent, { type: 'segment-start' }>), wholeFile: true }).catch((error: unknown) => error);
    expect((refused as DecodeFailure).info).toMatchObject({ kind: 'unsupported' });
  });
});

describe('a segment that is all damage to the decoder is not a silent sentence', () => {
  /** speech.flac with its STREAMINFO edited to contradict every frame: a rate of 48000 Hz, or 24-bit samples. */
  const contradicted = (what: 'rate' | 'bits'): Uint8Array => {
    const bytes = fixture('speech.flac').slice();
    const at = 8 + 10;
    if (what === 'rate') [bytes[at], bytes[at + 1], bytes[at + 2]] = [48000 >> 12, (48000 >> 4) & 0xff, (bytes[at + 2] & 0x0f) | ((48000 & 15) << 4)];
    else [bytes[at + 2], bytes[at + 3]] = [(bytes[at + 2] & 0xfe) | (23 >> 4), (bytes[at + 3] & 0x0f) | ((23 & 15) << 4)];
    return bytes;
  };
  /** ffmpeg as the whole-file decoder (the page has the browser's): it follows FLAC's frames where they contradict STREAMINFO's rate. */
  const ffmpegWhole = async (bytes: Uint8Array): Promise<DecodedAudio> => {
    let wav: Uint8Array;
    try {
      wav = new Uint8Array(execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'quiet', '-i', 'pipe:0', '-c:a', 'pcm_f32le', '-f', 'wav', 'pipe:1'], { input: bytes, maxBuffer: 64 << 20 }));
    } catch {
      throw new Error('ffmpeg could not decode it');
    }
    const { channels, sampleRate } = readWav(wav);
    return { channelData: channels, samplesDecoded: channels[0]?.length ?? 0, sampleRate };
  };

  it('names an MP4 it cannot stream as MP4, not by a codec it may not hold (ALAC, MP3 and Opus come in MP4 too)', async () => {
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const failed = await decoder.accept({ ...segmentStart('aac'), wholeFile: true }).catch((error: unknown) => error);
    expect((failed as DecodeFailure).info.message).toBe('This audio cannot be played as it streams (an MP4/M4A file, whose index may come after its audio), and nothing here can decode it whole.');
  });

  it('fails with the reason where nothing can decode it whole (the CLI)', async () => {
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const failed = await feed(decoder, 'flac', contradicted('rate')).catch((error: unknown) => error);
    expect((failed as DecodeFailure).info).toEqual({
      kind: 'bad-audio',
      message: "The server's FLAC audio decoded to no sound: its frames are 24000 Hz, 1 channel, 16-bit, and its STREAMINFO header says 48000 Hz, 1 channel, 16-bit.",
    });
  });

  it('is decoded whole by a decoder that follows the frames (ffmpeg here, the browser\'s in the page), and what ours skipped is not counted lost', async () => {
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true, decodeWhole: ffmpegWhole });
    const [out] = join(await feed(decoder, 'flac', contradicted('rate')));
    expect(out.length).toBe(readWav(fixture('speech-24k.wav')).channels[0].length);
    expect(decoder.metrics).toMatchObject({ fallbacks: 1, skippedFrames: 0, skippedMs: 0 });
  });

  it('fails saying so when the whole-file decoder makes no sound of it either', async () => {
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true, decodeWhole: ffmpegWhole });
    const failed = await feed(decoder, 'flac', contradicted('bits')).catch((error: unknown) => error);
    expect((failed as DecodeFailure).info.message).toBe(
      "The server's FLAC audio decoded to no sound: its frames are 24000 Hz, 1 channel, 16-bit, and its STREAMINFO header says 24000 Hz, 1 channel, 24-bit (the browser could not decode it either).",
    );
  });

  it('an Ogg Vorbis stream whose setup header is damaged (its CRC mended) fails naming Vorbis, not the Opus that was asked for', async () => {
    const bytes = fixture('speech-vorbis.ogg').slice();
    const [, setup, audio] = pageStarts(bytes);
    for (let i = 0; i < 16; i++) bytes[setup + 1000 + i] ^= 0x5a;
    new DataView(bytes.buffer).setUint32(setup + 22, crc32(bytes, setup, audio, setup + 22), true);
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const failed = await feed(decoder, 'opus', bytes).catch((error: unknown) => error);
    expect((failed as DecodeFailure).info.message).toMatch(/^The server's Ogg Vorbis audio decoded to no sound: none of its \d+ Vorbis packets decoded \(a damaged setup header spoils them all\)\.$/);
  });

  it('a stream that holds no audio and no damage (a header alone) is an empty sentence, not a failure', async () => {
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const wav = fixture('speech-24k.wav');
    const header = wav.slice(0, 44);
    new DataView(header.buffer).setUint32(40, 0, true);
    expect(join(await feed(decoder, 'wav', header))[0]?.length ?? 0).toBe(0);
  });
});

describe('damaged audio is skipped and its length counted (spec E2)', () => {
  // Reference decodes are at the stream's rate: 24 kHz, opus 48 kHz.
  it.each([
    ['mp3', 'speech.mp3', 'speech.mp3.ref.wav'],
    ['opus', 'speech.opus', 'speech.opus.ref.wav'],
  ] as const)('%s: 700 noise bytes in the middle cost as long as the audio they hid', async (format, file, ref) => {
    const bytes = fixture(file);
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const out = join(await feed(decoder, format, damage(bytes, Math.floor(bytes.length / 2), 700)))[0];
    const reference = readWav(fixture(ref));
    const missingMs = ((reference.channels[0].length - out.length) / reference.sampleRate) * 1000;
    const { skippedFrames, skippedMs } = decoder.metrics;
    expect(skippedFrames).toBeGreaterThanOrEqual(1);
    expect(missingMs).toBeGreaterThan(20);
    // Counted as long as what did not come out, to a frame (MP3 at 24 kHz: 24 ms).
    expect(Math.abs(skippedMs - missingMs)).toBeLessThanOrEqual(24);
  });

  it('opus in WebM: 700 noise bytes in the middle cost as long as the audio they hid', async () => {
    const bytes = fixture('speech-opus.webm');
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const out = join(await feed(decoder, 'opus', damage(bytes, Math.floor(bytes.length / 2), 700)))[0];
    // The WebM's end trim takes it to the original's length: 24 kHz speech decoded at 48 kHz.
    const whole = readWav(fixture('speech-24k.wav')).channels[0].length * 2;
    const missingMs = ((whole - out.length) / 48000) * 1000;
    const { skippedFrames, skippedMs } = decoder.metrics;
    expect(skippedFrames).toBeGreaterThanOrEqual(1);
    expect(missingMs).toBeGreaterThan(20);
    // Counted from the blocks' times: to a 20 ms packet.
    expect(Math.abs(skippedMs - missingMs)).toBeLessThanOrEqual(20);
  });

  it('flac: 700 noise bytes in the middle cost as long as the frames they hit, and only frames lost whole go missing', async () => {
    const bytes = fixture('speech.flac');
    const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
    const out = join(await feed(decoder, 'flac', damage(bytes, Math.floor(bytes.length / 2), 700)))[0];
    const reference = readWav(fixture('speech.flac.ref.wav')).channels[0];
    const { skippedFrames, skippedMs } = decoder.metrics;
    const frameMs = (4096 / 24000) * 1000;
    expect(skippedFrames).toBeGreaterThanOrEqual(1);
    expect(skippedMs).toBeCloseTo(skippedFrames * frameMs, 6);
    // A damaged frame whose header was intact kept its place (silence for what it had not
    // handed out): what is missing is whole frames, fewer than were counted.
    const missingFrames = (reference.length - out.length) / 4096;
    expect(missingFrames).toBe(Math.round(missingFrames));
    expect(missingFrames).toBeLessThan(skippedFrames);
  });
});
