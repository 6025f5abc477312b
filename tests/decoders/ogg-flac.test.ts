// FLAC in Ogg, as `flac --ogg` writes it and as `ffmpeg -f ogg` does where it has no Vorbis
// encoder: unwrapped to the native stream as the pages arrive, and decoded to the very
// integers `flac -d` writes.
import { describe, expect, it } from 'vitest';
import { StreamEndCheck } from '../../electron/engine/stream-end';
import { createDecoder, probeFormat } from '../../shared/decoders';
import { unplayableAudio } from '../../shared/decoders/detect';
import { resumeHeader } from '../../shared/decoders/resume';
import { differingSamples } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { damage, decodeChunks, fixedChunks, pageStarts, randomChunks } from './helpers';

const SPEECH = readWavFixture('speech-24k.wav').channels[0].length;
const granuleAt = (bytes: Uint8Array, page: number): number => new DataView(bytes.buffer, bytes.byteOffset).getUint32(page + 6, true);

describe('Ogg FLAC', () => {
  it.each([
    ['speech-flac.oga', 'speech.flac.ref.wav', 24000],
    ['speech-stereo-flac.oga', 'speech-stereo.flac.ref.wav', 44100],
  ])('%s plays in any chunking down to 1 byte, sample for sample as flac -d decodes the same audio', async (file, reference, rate) => {
    const expected = readWavFixture(reference);
    for (const seed of [1, 2]) {
      const decoder = createDecoder('flac');
      const out = await decodeChunks(decoder, randomChunks(readFixture(file), seed, 4000));
      expect(out.sampleRate).toBe(rate);
      expect(out.channels).toHaveLength(expected.channels.length);
      expected.channels.forEach((channel, c) => {
        expect(out.channels[c].length).toBe(channel.length);
        expect(differingSamples(out.channels[c], channel)).toBe(0);
      });
      expect(decoder.stats.skippedFrames).toBe(0);
    }
  });

  it('is found from its first page as FLAC, with the rate and channels of its STREAMINFO; Speex in Ogg is named', () => {
    expect(probeFormat(readFixture('speech-flac.oga').subarray(0, 4096))).toEqual({ format: 'flac', sampleRate: 24000, channels: 1 });
    expect(probeFormat(readFixture('speech-stereo-flac.oga').subarray(0, 4096))).toEqual({ format: 'flac', sampleRate: 44100, channels: 2 });
    expect(unplayableAudio(readFixture('speech-flac.oga'))).toBeNull();
    expect(probeFormat(readFixture('speech-speex.ogg').subarray(0, 4096))).toBeNull();
    expect(unplayableAudio(readFixture('speech-speex.ogg'))).toBe('Ogg Speex');
  });

  it('streams joined in one body play in turn', async () => {
    const one = readFixture('speech-flac.oga');
    const decoder = createDecoder('flac');
    const out = await decodeChunks(decoder, fixedChunks(Uint8Array.from([...one, ...one]), 1000));
    expect(out.channels[0].length).toBe(2 * SPEECH);
    expect(decoder.stats.skippedFrames).toBe(0);
  });

  it('a damaged page: its frames are counted lost, and the stream plays on to its end', async () => {
    const bytes = damage(readFixture('speech-flac.oga'), pageStarts(readFixture('speech-flac.oga'))[8] + 500, 40);
    // In one read the page fails its CRC whole: its four frames are lost, counted from the gap in frame numbers.
    const whole = createDecoder('flac');
    const once = (await decodeChunks(whole, [bytes])).channels[0];
    expect(whole.stats.skippedFrames).toBe(4);
    expect(once.length + whole.stats.skippedSamples).toBe(SPEECH);
    // In small reads its frames went out early: the damaged one fails FLAC's own CRC and is silence
    // counted lost (as in a native stream); the rest of the page was heard.
    const small = createDecoder('flac');
    const early = (await decodeChunks(small, randomChunks(bytes, 4, 300))).channels[0];
    expect(small.stats.skippedFrames).toBeGreaterThanOrEqual(1);
    expect(small.stats.skippedFrames).toBeLessThan(4);
    expect(early.length).toBeGreaterThan(once.length);
    expect(early.length + small.stats.skippedSamples).toBeGreaterThanOrEqual(SPEECH);
    expect(early.length + small.stats.skippedSamples).toBeLessThanOrEqual(SPEECH + 4096);
  });

  it('a body cut inside its last page counts that page lost', async () => {
    const bytes = readFixture('speech-flac.oga');
    const pages = pageStarts(bytes);
    const decoder = createDecoder('flac');
    const out = (await decodeChunks(decoder, fixedChunks(bytes.subarray(0, pages.at(-1)! + 100), 4096))).channels[0];
    expect(out.length).toBe(granuleAt(bytes, pages.at(-2)!));
    expect(decoder.stats.skippedFrames).toBe(1);
  });

  it('frames of a page still arriving play at once (each checks its own CRCs)', async () => {
    const bytes = readFixture('speech-flac.oga');
    const pages = pageStarts(bytes);
    const firstAudio = pages.findIndex((page) => granuleAt(bytes, page) > 0);
    const decoder = createDecoder('flac');
    await decoder.ready;
    await decoder.push(bytes.subarray(0, pages[firstAudio]));
    const part = await decoder.push(bytes.subarray(pages[firstAudio], pages[firstAudio + 1] - 1));
    // Every frame but the one the missing byte belongs to.
    expect(part.samplesDecoded).toBeGreaterThan(0);
    expect(part.samplesDecoded).toBeLessThan(granuleAt(bytes, pages[firstAudio]));
  });

  it('the stream-end check follows its pages, and a resumed decoder gets its header pages', () => {
    const bytes = readFixture('speech-flac.oga');
    const pages = pageStarts(bytes);
    const ends = (body: Uint8Array): string | null => {
      const check = new StreamEndCheck('flac');
      for (const chunk of fixedChunks(body, 777)) check.push(chunk);
      return check.cutShort();
    };
    expect(ends(bytes)).toBeNull();
    expect(ends(bytes.subarray(0, pages.at(-2)!))).toBe('no Ogg end-of-stream page');
    expect(ends(bytes.subarray(0, pages.at(-2)! + 100))).toMatch(/Ogg page/);
    const firstAudio = pages.findIndex((page) => granuleAt(bytes, page) > 0);
    expect(resumeHeader('flac', bytes.subarray(0, 65536))?.length).toBe(pages[firstAudio]);
  });
});
