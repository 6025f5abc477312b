// The FLAC decoder against `flac -d` on what the real encoders (flac 1.4, ffmpeg) write at
// every setting that changes what a decoder meets (tests/fixtures/make.sh, flac/): presets
// -0 to -8, every block size code, LPC orders to 32, 8 to 32 bits, every stereo mode, six
// channels, rates from every kind of header code. The very integers, fed in random pieces.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, parseWavIntegers, readFixture } from '../support/wav-file';
import { decodeFlacIntegers, firstDifference } from './flac-helpers';
import { fixedChunks, randomChunks } from './helpers';

const FILES = readdirSync(join(FIXTURE_DIR, 'flac')).filter((name) => name.endsWith('.flac'));

it('the encoder fixtures are all there', () => {
  expect(FILES.length).toBeGreaterThanOrEqual(50);
});

describe.each(FILES)('flac/%s', (name) => {
  it('decodes to the integers flac -d writes, in random pieces and whole', () => {
    const bytes = readFixture(`flac/${name}`);
    const reference = parseWavIntegers(readFixture(`flac/${name}.ref.wav`));
    for (const chunks of [randomChunks(bytes, name.length, 3000), fixedChunks(bytes, bytes.length)]) {
      const out = decodeFlacIntegers(chunks);
      expect(out.sampleRate).toBe(reference.sampleRate);
      expect(out.bits).toBe(reference.bits);
      expect(out.channels.length).toBe(reference.channels.length);
      for (let c = 0; c < reference.channels.length; c++) {
        expect(out.channels[c].length).toBe(reference.channels[c].length);
        expect(firstDifference(out.channels[c], reference.channels[c])).toBe(-1);
      }
      expect(out.losses).toEqual({ skippedFrames: 0, skippedSamples: 0 });
    }
  });
});
