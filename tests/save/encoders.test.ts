import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Mp3FileEncoder, OggOpusFileEncoder, type AudioEncoder } from '../../electron/save/encoders';
import { crc32 } from '../../shared/decoders/crc';
import { OggOpusMuxer } from '../../shared/encoders/ogg-opus-mux';
import { readWavFixture } from '../support/wav-file';
import { snrDb } from '../support/audio-files';
import { correlation, ffmpegDecode, ffprobe, hasCommand } from './ffmpeg';

const dir = mkdtempSync(join(tmpdir(), 'utter-encoders-'));

/** Encodes planar audio in uneven blocks, as slices of a long text arrive. */
function encodeAll(encoder: AudioEncoder, channels: Float32Array[], path: string): void {
  const parts = [encoder.start()];
  for (let at = 0, size = 1000; at < channels[0].length; at += size, size = size === 1000 ? 4411 : 1000) {
    parts.push(encoder.encode(channels.map((c) => c.subarray(at, at + size))));
  }
  parts.push(encoder.finish());
  writeFileSync(path, Buffer.concat(parts));
}

describe('the encoders, on stereo speech at 44.1 kHz', () => {
  const speech = readWavFixture('speech-stereo-44k.wav');

  it('MP3 keeps both channels and the rate, and decodes to the same speech', () => {
    const path = join(dir, 'stereo.mp3');
    encodeAll(new Mp3FileEncoder(speech.sampleRate, 2), speech.channels, path);
    expect(ffprobe(path)).toMatchObject({ codec: 'mp3', sampleRate: 44100, channels: 2 });
    for (const channel of [0, 1]) {
      const decoded = ffmpegDecode(path, 44100, channel);
      const { snr, lag } = snrDb(decoded, speech.channels[channel], 2400);
      // LAME's delay, 576 + 529 samples, comes first (lamejs writes no gapless header).
      expect(lag).toBe(1105);
      expect(snr).toBeGreaterThan(12);
      expect(correlation(decoded, speech.channels[channel], lag)).toBeGreaterThan(0.97);
    }
  });

  it('Ogg Opus resamples to 48 kHz, keeps both channels, and ends where the audio ends', () => {
    const path = join(dir, 'stereo.opus');
    encodeAll(new OggOpusFileEncoder(speech.sampleRate, 2), speech.channels, path);
    expect(ffprobe(path)).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 2 });
    for (const channel of [0, 1]) {
      const decoded = ffmpegDecode(path, 44100, channel);
      expect(Math.abs(decoded.length - speech.channels[channel].length)).toBeLessThanOrEqual(2);
      expect(correlation(decoded, speech.channels[channel])).toBeGreaterThan(0.95);
    }
    if (hasCommand('opusinfo')) expect(execFileSync('opusinfo', [path], { encoding: 'utf8' })).toMatch(/Channels: 2[\s\S]*Original sample rate: 44100 Hz/);
  });

  it('an odd rate is resampled to one MP3 can carry', () => {
    const tone = new Float32Array(23000).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 23000));
    const path = join(dir, 'odd.mp3');
    encodeAll(new Mp3FileEncoder(23000, 1), [tone], path);
    expect(ffprobe(path)).toMatchObject({ sampleRate: 24000, channels: 1 });
    expect(ffprobe(path).duration).toBeGreaterThan(0.95);
  });
});

/** The pages of an Ogg stream, read back by hand (RFC 3533). */
function pages(bytes: Uint8Array): { flags: number; granule: number; sequence: number; lacing: number[]; crcOk: boolean }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = [];
  for (let at = 0; at < bytes.length; ) {
    expect(String.fromCharCode(...bytes.subarray(at, at + 4))).toBe('OggS');
    const count = bytes[at + 26];
    const lacing = [...bytes.subarray(at + 27, at + 27 + count)];
    const end = at + 27 + count + lacing.reduce((a, b) => a + b, 0);
    found.push({
      flags: bytes[at + 5],
      granule: view.getUint32(at + 6, true) + view.getUint32(at + 10, true) * 2 ** 32,
      sequence: view.getUint32(at + 18, true),
      lacing,
      crcOk: crc32(bytes, at, end, at + 22) === view.getUint32(at + 22, true),
    });
    at = end;
  }
  return found;
}

describe('OggOpusMuxer', () => {
  it('laces large packets, never more than 255 segments a page, and marks the first and last pages', () => {
    const muxer = new OggOpusMuxer(1, 312, 24000, 'Utter', 7);
    const parts = [muxer.headers()];
    // 255 bytes needs a 0 after it; 1000 bytes takes four segments.
    for (let i = 0; i < 120; i++) parts.push(muxer.add(new Uint8Array(i % 2 ? 255 : 1000).fill(i), 960) ?? new Uint8Array(0));
    parts.push(muxer.end(120 * 960 - 500));
    const all = pages(Buffer.concat(parts));
    expect(all.every((page) => page.crcOk)).toBe(true);
    expect(all.map((page) => page.sequence)).toEqual(all.map((_, i) => i));
    expect(all[0].flags).toBe(0x02);
    expect(all.at(-1)!.flags).toBe(0x04);
    expect(all.slice(1, -1).every((page) => page.flags === 0)).toBe(true);
    for (const page of all) expect(page.lacing.length).toBeLessThanOrEqual(255);
    const audio = all.slice(2);
    // Each page's granule counts the samples of the packets it completes; the last one trims to the audio's length.
    const packetsPerPage = audio.map((page) => page.lacing.filter((value) => value < 255).length);
    expect(packetsPerPage.reduce((a, b) => a + b, 0)).toBe(120);
    let samples = 0;
    audio.forEach((page, i) => {
      samples += packetsPerPage[i] * 960;
      expect(page.granule).toBe(i === audio.length - 1 ? 312 + 120 * 960 - 500 : samples);
    });
  });
});
