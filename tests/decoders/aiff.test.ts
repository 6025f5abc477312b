// AIFF and AIFF-C as sox and ffmpeg write them (macOS's `say` writes the same format), read
// by the WAV decoder and compared with ffmpeg's decode of each file, in any chunking.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { declaredLength } from '../../electron/engine/declared-length';
import { createDecoder, probeFormat } from '../../shared/decoders';
import { concatBytes } from '../../shared/decoders/audio';
import { unplayableAudio } from '../../shared/decoders/detect';
import { differingSamples, snrDb } from '../support/snr';
import { FIXTURE_DIR, parseWav, readFixture } from '../support/wav-file';
import { decodeChunks, randomChunks } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'utter-aiff-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const SPEECH = join(FIXTURE_DIR, 'speech-24k.wav');
const STEREO = join(FIXTURE_DIR, 'speech-stereo-44k.wav');

/** Encodes `input` with ffmpeg's `codec` into an .aiff; returns it and ffmpeg's float decode of it. */
function encode(name: string, input: string, codec: string): { bytes: Uint8Array; reference: Float32Array[] } {
  const out = join(work, `${name}.aiff`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', input, '-c:a', codec, '-fflags', '+bitexact', out]);
  return { bytes: new Uint8Array(readFileSync(out)), reference: ffmpegDecode(out) };
}

function ffmpegDecode(file: string): Float32Array[] {
  return parseWav(new Uint8Array(execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-c:a', 'pcm_f32le', '-f', 'wav', '-'], { maxBuffer: 64 << 20 }))).channels;
}

describe('AIFF', () => {
  it.each([
    ['16-bit (AIFF)', SPEECH, 'pcm_s16be', 1],
    ['8-bit signed (AIFF)', SPEECH, 'pcm_s8', 1],
    ['24-bit (AIFF)', SPEECH, 'pcm_s24be', 1],
    ['32-bit (AIFF)', SPEECH, 'pcm_s32be', 1],
    ['16-bit little-endian (AIFF-C sowt)', SPEECH, 'pcm_s16le', 1],
    ['32-bit float (AIFF-C fl32)', SPEECH, 'pcm_f32be', 1],
    ['64-bit float (AIFF-C fl64)', SPEECH, 'pcm_f64be', 1],
    ['μ-law (AIFF-C ulaw)', SPEECH, 'pcm_mulaw', 1],
    ['A-law (AIFF-C alaw)', SPEECH, 'pcm_alaw', 1],
    ['16-bit stereo 44.1 kHz (AIFF)', STEREO, 'pcm_s16be', 2],
    ['IMA ADPCM (AIFF-C ima4)', SPEECH, 'adpcm_ima_qt', 1],
    ['IMA ADPCM stereo 44.1 kHz (AIFF-C ima4)', STEREO, 'adpcm_ima_qt', 2],
  ])('%s decodes as ffmpeg decodes it, in any chunking', async (name, input, codec, channels) => {
    const { bytes, reference } = encode(name.replace(/\W+/g, '-'), input, codec);
    expect(probeFormat(bytes.subarray(0, 4096))).toMatchObject({ format: 'wav', channels });
    expect(declaredLength(bytes, 'wav')).toBe(bytes.length);
    for (const seed of [1, 2]) {
      const decoder = createDecoder('wav');
      const out = await decodeChunks(decoder, randomChunks(bytes, seed, 700));
      decoder.free();
      expect(out.sampleRate).toBe(input === STEREO ? 44100 : 24000);
      expect(out.channels).toHaveLength(channels);
      for (let c = 0; c < channels; c++) {
        expect(out.channels[c].length).toBe(reference[c].length);
        expect(differingSamples(out.channels[c], reference[c]), `channel ${c}`).toBe(0);
      }
    }
  });

  it('sox\'s AIFF is the speech, sample for sample', async () => {
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, randomChunks(readFixture('speech.aiff'), 3, 1000));
    const source = parseWav(readFixture('speech-24k.wav')).channels[0];
    expect(out.channels[0].length).toBe(source.length);
    expect(snrDb(out.channels[0], source).snr).toBe(Infinity);
  });

  it('files joined in one body play one after the other, WAV and AIFF alike', async () => {
    const aiff = readFixture('speech.aiff');
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, randomChunks(concatBytes(aiff, readFixture('sentence-pipe.wav'), aiff), 4, 3000));
    const speech = parseWav(readFixture('speech-24k.wav')).channels[0].length;
    const sentence = parseWav(readFixture('sentence-24k.wav')).channels[0].length;
    expect(out.channels[0].length).toBe(2 * speech + sentence);
  });

  it('AIFF-C with a compression no decoder here reads is refused by its name', async () => {
    const bytes = readFixture('speech-mace.aiff');
    expect(probeFormat(bytes.subarray(0, 4096))).toBeNull();
    expect(unplayableAudio(bytes.subarray(0, 4096))).toBe('AIFF-C (MAC3)');
    const decoder = createDecoder('wav');
    await expect(decodeChunks(decoder, [bytes])).rejects.toThrow(/This AIFF-C \(MAC3\) holds audio Utter cannot play/);
  });
});
