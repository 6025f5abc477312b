// 4-bit ADPCM in WAV (IMA and Microsoft, as ffmpeg and sox write them), decoded block by
// block as it streams, to ffmpeg's samples; damage skipped and counted, a cut block decoded
// as far as it goes, and what cannot be read refused by name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { declaredLength } from '../../electron/engine/declared-length';
import { BadAudioError, createDecoder, probeFormat } from '../../shared/decoders';
import { concatBytes } from '../../shared/decoders/audio';
import { differingSamples, snrDb } from '../support/snr';
import { FIXTURE_DIR, parseWav, readFixture, readWavFixture } from '../support/wav-file';
import { decodeChunks, fixedChunks, randomChunks } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'utter-adpcm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Where a WAV's data begins and how long its blocks are (fmt's block align). */
function blocksOf(bytes: Uint8Array): { dataAt: number; blockBytes: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let blockBytes = 0;
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const id = String.fromCharCode(...bytes.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    if (id === 'fmt ') blockBytes = view.getUint16(pos + 20, true);
    if (id === 'data') return { dataAt: pos + 8, blockBytes };
    pos += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** ffmpeg's decode of bytes, as float. */
function ffmpegDecode(bytes: Uint8Array, name: string): Float32Array[] {
  const file = join(work, name);
  writeFileSync(file, bytes);
  return parseWav(new Uint8Array(execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'fatal', '-i', file, '-c:a', 'pcm_f32le', '-f', 'wav', '-'], { maxBuffer: 64 << 20 }))).channels;
}

const FIXTURES = [
  ['speech-adpcm.wav', 'IMA ADPCM', 'ffmpeg', 24000, 1],
  ['speech-adpcm-ms.wav', 'Microsoft ADPCM', 'ffmpeg', 24000, 1],
  ['speech-stereo-adpcm.wav', 'IMA ADPCM', 'ffmpeg', 44100, 2],
  ['speech-sox-adpcm.wav', 'IMA ADPCM', 'sox', 24000, 1],
  ['speech-stereo-sox-adpcm-ms.wav', 'Microsoft ADPCM', 'sox', 44100, 2],
] as const;

describe('ADPCM WAV', () => {
  it.each(FIXTURES)('%s (%s, as %s writes it) decodes as ffmpeg decodes it, in any chunking, and is the speech', async (file, kind, _, rate, channels) => {
    const bytes = readFixture(file);
    const reference = readWavFixture(`${file}.ref.wav`).channels;
    const source = readWavFixture(channels === 2 ? 'speech-stereo-44k.wav' : 'speech-24k.wav').channels;
    expect(probeFormat(bytes.subarray(0, 4096))).toMatchObject({ format: 'wav', channels, sampleRate: rate });
    expect(declaredLength(bytes, 'wav')).toBe(bytes.length);
    for (const seed of [1, 2]) {
      const decoder = createDecoder('wav');
      const out = await decodeChunks(decoder, randomChunks(bytes, seed, 1500));
      expect(decoder.codecName?.()).toBe(`WAV (${kind})`);
      expect(out.sampleRate).toBe(rate);
      expect(out.channels).toHaveLength(channels);
      for (let c = 0; c < channels; c++) {
        expect(out.channels[c].length).toBe(reference[c].length);
        expect(differingSamples(out.channels[c], reference[c]), `channel ${c}`).toBe(0);
        // 4 bits a sample keep a voice clear: 27–38 dB against the 16-bit source.
        expect(snrDb(out.channels[c], source[c]).snr).toBeGreaterThan(24);
      }
      expect(decoder.stats).toMatchObject({ bytesIn: bytes.length, framesOut: reference[0].length, skippedFrames: 0 });
    }
  });

  it('a byte at a time, blocks of 2 KB come out whole and exact', async () => {
    const bytes = readFixture('speech-stereo-sox-adpcm-ms.wav');
    const reference = readWavFixture('speech-stereo-sox-adpcm-ms.wav.ref.wav').channels;
    const { dataAt, blockBytes } = blocksOf(bytes);
    expect(blockBytes).toBe(2048);
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, fixedChunks(bytes.subarray(0, dataAt + 6 * blockBytes), 1));
    const frames = (6 * reference[0].length) / Math.floor((bytes.length - dataAt) / blockBytes);
    for (const c of [0, 1]) expect(differingSamples(out.channels[c], reference[c].subarray(0, frames))).toBe(0);
    expect(out.flushed).toBe(0);
  });

  it('reads the header split at every byte (Microsoft\'s fmt, with its coefficients, and a fact chunk)', async () => {
    const bytes = readFixture('speech-adpcm-ms.wav');
    const reference = readWavFixture('speech-adpcm-ms.wav.ref.wav').channels[0];
    const { dataAt } = blocksOf(bytes);
    for (let split = 1; split <= dataAt + 4; split++) {
      const out = await decodeChunks(createDecoder('wav'), [bytes.subarray(0, split), bytes.subarray(split, dataAt + 5), bytes.subarray(dataAt + 5)]);
      expect(differingSamples(out.channels[0], reference)).toBe(0);
    }
  });

  it.each([
    ['speech-adpcm.wav', 2, 0x7f], // a step index past the table's 88
    ['speech-adpcm-ms.wav', 0, 7], // a predictor index past the seven coefficient pairs
  ])('%s: a block with an impossible header is skipped and counted; the blocks around it play', async (file, offset, value) => {
    const bytes = readFixture(file).slice();
    const reference = readWavFixture(`${file}.ref.wav`).channels[0];
    const { dataAt, blockBytes } = blocksOf(bytes);
    const blocks = Math.floor((bytes.length - dataAt) / blockBytes);
    const frames = reference.length / blocks;
    expect(Number.isInteger(frames)).toBe(true);
    bytes[dataAt + 5 * blockBytes + offset] = value;
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, randomChunks(bytes, 3, 2000));
    const expected = new Float32Array(reference.length - frames);
    expected.set(reference.subarray(0, 5 * frames));
    expected.set(reference.subarray(6 * frames), 5 * frames);
    expect(out.channels[0].length).toBe(expected.length);
    expect(differingSamples(out.channels[0], expected)).toBe(0);
    expect(decoder.stats).toMatchObject({ skippedFrames: 1, skippedSamples: frames, framesOut: reference.length - frames });
  });

  it.each(FIXTURES.map(([file]) => file))('%s cut inside a block: the short block decodes as far as its bytes go, as ffmpeg decodes it', async (file) => {
    const bytes = readFixture(file);
    const { dataAt, blockBytes } = blocksOf(bytes);
    for (const cut of [dataAt + 7 * blockBytes + 3, dataAt + 9 * blockBytes + Math.floor(blockBytes / 2) + 1]) {
      const body = bytes.subarray(0, cut);
      const reference = ffmpegDecode(body, `cut-${cut}-${file}`);
      const out = await decodeChunks(createDecoder('wav'), randomChunks(body, 4, 900));
      expect(out.channels[0].length).toBe(reference[0].length);
      for (let c = 0; c < reference.length; c++) expect(differingSamples(out.channels[c], reference[c])).toBe(0);
    }
  });

  it('files joined in one body (a WAV per sentence) each play whole, a short last block included', async () => {
    const ms = readFixture('speech-adpcm-ms.wav');
    const { dataAt, blockBytes } = blocksOf(ms);
    // A first file whose data chunk ends inside a block, as its size says.
    const cut = ms.slice(0, dataAt + 3 * blockBytes + 101);
    new DataView(cut.buffer).setUint32(dataAt - 4, 3 * blockBytes + 101, true);
    const first = ffmpegDecode(cut, 'joined-first.wav')[0];
    const ima = readFixture('speech-adpcm.wav');
    const out = await decodeChunks(createDecoder('wav'), randomChunks(concatBytes(cut, ima, readFixture('speech-24k.wav')), 6, 2500));
    const expected = [first, readWavFixture('speech-adpcm.wav.ref.wav').channels[0], readWavFixture('speech-24k.wav').channels[0]];
    expect(out.channels[0].length).toBe(expected.reduce((n, part) => n + part.length, 0));
    let at = 0;
    for (const part of expected) {
      expect(differingSamples(out.channels[0].subarray(at, at + part.length), part)).toBe(0);
      at += part.length;
    }
  });

  it.each([
    ['3-bit IMA ADPCM', 'speech-adpcm.wav', (view: DataView) => view.setUint16(34, 3, true), /3-bit ADPCM \(only 4-bit is read\), 1 channel, 24000 Hz/],
    ['IMA blocks that three channels cannot fill', 'speech-adpcm.wav', (view: DataView) => view.setUint16(22, 3, true), /IMA ADPCM in blocks of 1024 bytes, which hold no whole 4-byte groups for each channel, 3 channels, 24000 Hz/],
    ['Microsoft blocks too short for their headers', 'speech-adpcm-ms.wav', (view: DataView) => view.setUint16(32, 7, true), /Microsoft ADPCM blocks of 7 bytes, too short/],
  ])('refuses %s by name', async (_, file, patch, message) => {
    const bytes = readFixture(file).slice();
    patch(new DataView(bytes.buffer));
    const error = await decodeChunks(createDecoder('wav'), [bytes]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadAudioError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses Microsoft ADPCM in three channels (encoders disagree on their order), naming it', async () => {
    const file = join(work, 'three.wav');
    execFileSync('sox', ['-R', '-q', join(FIXTURE_DIR, 'speech-stereo-44k.wav'), '-c', '3', '-e', 'ms-adpcm', file]);
    const error = await decodeChunks(createDecoder('wav'), [new Uint8Array(readFileSync(file))]).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Microsoft ADPCM beyond two channels, 3 channels, 44100 Hz/);
  });
});
