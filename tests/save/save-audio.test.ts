import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { saveAudio } from '../../electron/save/save-audio';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { SaveProgress } from '../../shared/save';
import { readWav, snrDb } from '../support/audio-files';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';
import { correlation, ffmpegDecode, ffprobe, hasCommand, mpg123Decode } from './ffmpeg';

/**
 * "Save audio…" end to end in Node: a real HTTP server sends real mp3, the engine decodes
 * it, and the files written are read back by ffmpeg (and mpg123, opusinfo, opusdec) and compared
 * with what the engine decoded.
 */
const dir = mkdtempSync(join(tmpdir(), 'utter-save-'));
const TEXT = 'The first sentence is here. A second one follows it. And a third ends the text.';
let server: TtsServer;
let settings: Settings;
const provider = (): OpenAiProvider => new OpenAiProvider({ ...settings, voice: 'alloy' });

beforeAll(async () => {
  server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
  settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: 'mp3' };
});
afterAll(() => server.close());

/** The engine's own decode of the text: the WAV save, read by our WAV reader. */
let reference: { samples: Float32Array; sampleRate: number };

describe('saveAudio', () => {
  it('writes WAV: exactly the decoded audio, which ffmpeg reads back sample for sample', async () => {
    const out = join(dir, 'text.wav');
    const progress: SaveProgress[] = [];
    const report = await saveAudio(TEXT, { settings, provider: provider(), out, onProgress: (p) => progress.push(p) });
    const wav = readWav(new Uint8Array(readFileSync(out)));
    reference = { samples: wav.channels[0], sampleRate: wav.sampleRate };
    expect(report).toMatchObject({ format: 'wav', out });
    expect(wav.channels[0].length / wav.sampleRate).toBeCloseTo(report.seconds, 5);
    expect(report.speech.segments).toBeGreaterThan(1);
    // Every segment's audio is there, once.
    const sentence = readWav(fixtureAudio('wav', 'sentence').bytes);
    expect(wav.channels[0].length).toBeGreaterThan(sentence.channels[0].length * (report.speech.segments - 1));
    const decoded = ffmpegDecode(out, wav.sampleRate);
    expect(decoded.length).toBe(wav.channels[0].length);
    expect(snrDb(decoded, wav.channels[0]).snr).toBeGreaterThan(100);
    // Progress counts the text's characters, up to all of them.
    expect(progress.at(-1)).toEqual({ phase: 'speaking', done: TEXT.length, total: TEXT.length });
  });

  it('writes gapless MP3: ffmpeg and mpg123 decode it to the same audio, the same length, with no delay', async () => {
    const out = join(dir, 'text.mp3');
    const progress: SaveProgress[] = [];
    const report = await saveAudio(TEXT, { settings, provider: provider(), out, onProgress: (p) => progress.push(p) });
    expect(report.format).toBe('mp3');
    // The Info frame tells decoders LAME's delay and padding, and they trim both: without it,
    // ffmpeg played 1105 samples (576 + 529) of lead-in and up to a frame of padding more.
    const decoders = { ffmpeg: ffmpegDecode(out, reference.sampleRate), ...(hasCommand('mpg123') ? { mpg123: readWav(mpg123Decode(out)).channels[0] } : {}) };
    for (const [name, decoded] of Object.entries(decoders)) {
      const { snr, lag } = snrDb(decoded, reference.samples, 2400);
      expect(decoded.length - reference.samples.length, name).toBe(0);
      expect(lag, name).toBe(0);
      expect(snr).toBeGreaterThan(15);
      expect(correlation(decoded, reference.samples)).toBeGreaterThan(0.99);
      console.log(`mp3 (${name}): ${decoded.length} samples for ${reference.samples.length}, lag ${lag}, SNR ${snr.toFixed(1)} dB, correlation ${correlation(decoded, reference.samples).toFixed(4)}`);
    }
    // ffmpeg names the encoder only when the LAME tag's CRC checks out.
    expect(ffprobe(out)).toMatchObject({ codec: 'mp3', sampleRate: reference.sampleRate, channels: 1, encoder: 'LAME3.98r' });
    expect(progress.filter((p) => p.phase === 'encoding').at(-1)).toMatchObject({ phase: 'encoding', total: report.seconds });
  });

  it('writes Ogg Opus that ffmpeg, opusinfo and opusdec accept, with pre-skip and end trimming', async () => {
    const out = join(dir, 'text.opus');
    const report = await saveAudio(TEXT, { settings, provider: provider(), out });
    expect(report.format).toBe('opus');
    expect(ffprobe(out)).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 1 });
    // ffmpeg applies the pre-skip and the end page's granule: same length, no lag.
    const decoded = ffmpegDecode(out, reference.sampleRate);
    const { snr, lag } = snrDb(decoded, reference.samples, 1200);
    expect(Math.abs(lag)).toBeLessThanOrEqual(2);
    expect(Math.abs(decoded.length - reference.samples.length)).toBeLessThanOrEqual(2);
    expect(snr).toBeGreaterThan(12);
    expect(correlation(decoded, reference.samples, lag)).toBeGreaterThan(0.98);
    console.log(`opus: lag ${lag}, SNR ${snr.toFixed(1)} dB, correlation ${correlation(decoded, reference.samples, lag).toFixed(4)}, length ${decoded.length - reference.samples.length} samples off`);
    if (hasCommand('opusinfo')) {
      const text = execFileSync('opusinfo', [out], { encoding: 'utf8' });
      expect(text).not.toMatch(/WARNING|ERROR/i);
      expect(text).toMatch(/Pre-skip: 312/);
    }
    if (hasCommand('opusdec')) {
      const wav = join(dir, 'opusdec.wav');
      execFileSync('opusdec', ['--quiet', '--rate', '48000', out, wav]);
      const back = readWav(new Uint8Array(readFileSync(wav)));
      expect(Math.abs(back.channels[0].length / 48000 - report.seconds)).toBeLessThan(0.001);
    }
  });
});
