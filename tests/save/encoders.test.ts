import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Mp3FileEncoder, OggOpusFileEncoder, type AudioEncoder } from '../../electron/save/encoders';
import { crc16Arc, crc32 } from '../../shared/decoders/crc';
import { Mp3StreamTally } from '../../shared/encoders/mp3-info-frame';
import { OggOpusMuxer } from '../../shared/encoders/ogg-opus-mux';
import { parseWav, readFixture, readWavFixture } from '../support/wav-file';
import { snrDb } from '../support/audio-files';
import { correlation, ffmpegDecode, ffprobe, hasCommand, mpg123Decode } from './ffmpeg';
import { audioFrames, readLameTag } from './lame-tag';

const dir = mkdtempSync(join(tmpdir(), 'utter-encoders-'));

/** Encodes planar audio in uneven blocks, as slices of a long text arrive, and writes the file as saveAudio does. */
function encodeAll(encoder: AudioEncoder, channels: Float32Array[], path: string): Uint8Array {
  const parts = [encoder.start()];
  for (let at = 0, size = 1000; at < channels[0].length; at += size, size = size === 1000 ? 4411 : 1000) {
    parts.push(encoder.encode(channels.map((c) => c.subarray(at, at + size))));
  }
  parts.push(encoder.finish());
  const finalStart = encoder.finalStart?.();
  if (finalStart) {
    expect(finalStart.length).toBe(parts[0].length);
    parts[0] = finalStart;
  }
  const bytes = Buffer.concat(parts);
  writeFileSync(path, bytes);
  return new Uint8Array(bytes);
}

/** A sweep from 200 Hz to 1.8 kHz: one alignment only, and within every MP3 rate's band. */
function sweep(sampleRate: number, seconds: number): Float32Array {
  const length = Math.round(sampleRate * seconds);
  return new Float32Array(length).map((_, i) => 0.3 * Math.sin(2 * Math.PI * (200 + (800 * i) / length) * (i / sampleRate)));
}

describe('the encoders, on stereo speech at 44.1 kHz', () => {
  const speech = readWavFixture('speech-stereo-44k.wav');

  it('MP3 keeps both channels and the rate, and decodes to the same speech: same length, no delay', () => {
    const path = join(dir, 'stereo.mp3');
    encodeAll(new Mp3FileEncoder(speech.sampleRate, 2), speech.channels, path);
    const mpg123 = hasCommand('mpg123') ? parseWav(mpg123Decode(path)) : null;
    for (const channel of [0, 1]) {
      const source = speech.channels[channel];
      // The Info frame's delay and padding are trimmed: without it ffmpeg would start 1105 samples late.
      for (const decoded of [ffmpegDecode(path, 44100, channel), ...(mpg123 ? [mpg123.channels[channel]] : [])]) {
        expect(decoded.length).toBe(source.length);
        const { snr, lag } = snrDb(decoded, source, 2400);
        expect(lag).toBe(0);
        expect(snr).toBeGreaterThan(12);
        expect(correlation(decoded, source)).toBeGreaterThan(0.97);
      }
    }
    // ffmpeg names the encoder only when the LAME tag's CRC checks out.
    expect(ffprobe(path)).toMatchObject({ codec: 'mp3', sampleRate: 44100, channels: 2, encoder: 'LAME3.98r' });
  });

  it('MP3 writes the Info frame lame writes: the frame count, delay and padding of lame\'s own file of this speech, with LAME\'s CRCs', () => {
    const ours = encodeAll(new Mp3FileEncoder(speech.sampleRate, 2), speech.channels, join(dir, 'tagged.mp3'));
    // lame 3.100 made this fixture from the same speech (tests/fixtures/make.sh).
    const lames = readFixture('speech-stereo.mp3');
    const [tag, lameTag] = [readLameTag(ours), readLameTag(lames)];
    expect(lameTag).toMatchObject({ id: 'Info', delay: 576, bytes: lames.length, musicLength: lames.length });
    expect(tag).toMatchObject({ id: 'Info', encoder: 'LAME3.98r', frames: lameTag.frames, delay: lameTag.delay, padding: lameTag.padding });
    expect(tag).toMatchObject({ bytes: ours.length, musicLength: ours.length, frames: audioFrames(ours).count });
    // Our CRC is LAME's: it checks lame's own file, and ours.
    for (const [bytes, t] of [[lames, lameTag], [ours, tag]] as const) {
      expect(crc16Arc(bytes, 0, t.tagCrcAt)).toBe(t.tagCrc);
      expect(crc16Arc(bytes, t.frameSize)).toBe(t.musicCrc);
    }
  });

  it('MP3 at every rate it can carry, mono and stereo, decodes to the source\'s length with no delay', () => {
    for (const rate of [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]) {
      for (const channels of [1, 2]) {
        const source = sweep(rate, 0.6);
        const path = join(dir, `sweep-${rate}-${channels}.mp3`);
        const bytes = encodeAll(new Mp3FileEncoder(rate, channels), Array<Float32Array>(channels).fill(source), path);
        const tag = readLameTag(bytes);
        const audio = audioFrames(bytes);
        // The Info frame's header is its audio frames' (without their padding bit), and it counts them.
        expect([tag.header, tag.frames], `${rate} Hz, ${channels} ch`).toEqual([[...audio.header.slice(0, 2), audio.header[2] & ~0x02, audio.header[3]], audio.count]);
        expect(tag.frames * (rate >= 32000 ? 1152 : 576) - tag.delay - tag.padding).toBe(source.length);
        const decoded = ffmpegDecode(path, rate, 0);
        expect(decoded.length, `${rate} Hz, ${channels} ch`).toBe(source.length);
        expect(snrDb(decoded, source, 600).lag).toBe(0);
        expect(correlation(decoded, source)).toBeGreaterThan(0.95);
        if (hasCommand('mpg123')) expect(parseWav(mpg123Decode(path)).channels[0].length).toBe(source.length);
      }
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
    // One second in, one second out: 24000 samples at the new rate.
    expect(Math.abs(ffmpegDecode(path, 24000).length - 24000)).toBeLessThanOrEqual(2);
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

describe('Mp3StreamTally', () => {
  it('counts the frames, bytes and CRC of a stream cut anywhere, even inside a header', () => {
    const file = encodeAll(new Mp3FileEncoder(22050, 1), [sweep(22050, 1)], join(dir, 'tally.mp3'));
    const audio = file.subarray(readLameTag(file).frameSize);
    const tally = new Mp3StreamTally();
    for (let at = 0, size = 1; at < audio.length; at += size, size = (size % 7) + 1) tally.add(audio.subarray(at, at + size));
    expect(tally).toMatchObject({ frames: audioFrames(file).count, bytes: audio.length, crc: crc16Arc(audio) });
    expect(() => new Mp3StreamTally().add(Uint8Array.of(0xff, 0xfb, 0xf0, 0xc4))).toThrow(/not a frame/);
  });
});
