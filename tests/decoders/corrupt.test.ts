// Damage inside a stream is skipped, counted and decoding goes on (spec E2); bytes that are
// not audio at all are a BadAudioError (spec E4).
import { describe, expect, it } from 'vitest';
import { BadAudioError, createDecoder } from '../../shared/decoders';
import { concatBytes } from '../../shared/decoders/audio';
import { rms, snrDb } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { NOT_AUDIO, damage, decodeChunks, fixedChunks, randomChunks } from './helpers';

/** After the damage, how the end of the decode must match the reference's end. */
const CASES = [
  // mpg123 resyncs at the next frame; its bit reservoir heals within a frame or two.
  // Counted: times the frame chain was lost (not frames).
  { format: 'mp3', file: 'speech.mp3', ref: 'speech.mp3.ref.wav', minSnr: 100, samplesPerSkip: 0, keepsLength: false },
  // A lost page is a packet loss to libopus: its state converges again well within a second.
  // Counted: pages lost (sequence numbers), 20 ms each in this file.
  { format: 'opus', file: 'speech.opus', ref: 'speech.opus.ref.wav', minSnr: 60, samplesPerSkip: 960, keepsLength: false },
  // FLAC frames are independent: the frames after a skipped one are exact. A damaged frame
  // whose header is intact keeps its length (what it had not handed out yet is silence);
  // only a frame whose header is lost is missing. Counted: frames, 4096 samples each.
  { format: 'flac', file: 'speech.flac', ref: 'speech.flac.ref.wav', minSnr: Infinity, samplesPerSkip: 4096, keepsLength: true },
] as const;

/**
 * Lost frames shorten the decode: finds how far a loud stretch of speech from the last
 * quarter of the reference (after every damaged spot) moved earlier in the decode, and how
 * well it matches there.
 */
function laterSpeech(out: Float32Array, ref: Float32Array, maxShift: number): { shift: number; snr: number; level: number } {
  const window = 6000;
  let from = 0;
  let loudest = -1;
  for (let at = Math.floor(ref.length * 0.75); at + window <= ref.length; at += 1000) {
    const level = rms(ref.subarray(at, at + window));
    if (level > loudest) [from, loudest] = [at, level];
  }
  const piece = ref.subarray(from, from + window);
  let best = { shift: -1, snr: -Infinity, level: loudest };
  for (let shift = 0; shift <= maxShift && from - shift >= 0; shift++) {
    const { snr } = snrDb(out.subarray(from - shift, from - shift + window), piece);
    if (snr > best.snr) best = { shift, snr, level: loudest };
  }
  return best;
}

describe.each(CASES)('$format with damaged bytes inside', ({ format, file, ref, minSnr, samplesPerSkip, keepsLength }) => {
  const bytes = readFixture(file);
  const reference = readWavFixture(ref).channels[0];

  it.each([
    ['300 noise bytes a third of the way in', [[1 / 3, 300]]],
    ['three damaged spots', [[0.2, 40], [0.5, 700], [0.7, 3]]],
  ] as const)('%s: skips, counts, and plays on', async (_, spots) => {
    let damaged = bytes;
    for (const [where, count] of spots) damaged = damage(damaged, Math.floor(bytes.length * where), count);
    const decoder = createDecoder(format);
    const out = (await decodeChunks(decoder, randomChunks(damaged, 3, 4096))).channels[0];
    decoder.free();
    const skipped = decoder.stats.skippedFrames;
    expect(skipped).toBeGreaterThanOrEqual(1);
    expect(skipped).toBeLessThanOrEqual(spots.length * 4);
    // Most of the speech still came out...
    expect(out.length).toBeGreaterThan(reference.length * 0.9);
    if (keepsLength) expect(out.length).toBeLessThanOrEqual(reference.length);
    else expect(out.length).toBeLessThan(reference.length);
    // ...and everything after the last damage, shifted by exactly the frames skipped
    // (with FLAC: by the frames lost whole; the others kept their place).
    const { shift, snr, level } = laterSpeech(out, reference, 20000);
    expect(level).toBeGreaterThan(0.02);
    if (keepsLength) {
      expect(shift % samplesPerSkip).toBe(0);
      expect(shift).toBeLessThan(skipped * samplesPerSkip);
      expect(out.length).toBe(reference.length - shift);
      expect(decoder.stats.skippedSamples).toBe(skipped * samplesPerSkip);
    } else if (samplesPerSkip) expect(shift).toBe(skipped * samplesPerSkip);
    else expect(shift).toBeGreaterThan(0);
    // How long the skipped audio was: what the listener misses, for the metrics (spec E2).
    // Exact where frames or pages are numbered; MP3 (576-sample frames here) within a frame a spot.
    const tolerance = samplesPerSkip ? 0 : 576 * spots.length;
    if (!keepsLength) expect(Math.abs(decoder.stats.skippedSamples - shift)).toBeLessThanOrEqual(tolerance);
    if (minSnr === Infinity) expect(snr).toBe(Infinity);
    else expect(snr).toBeGreaterThan(minSnr);
  });
});

describe('mp3: what a skip counts', () => {
  it('does not depend on how small the first reads were', async () => {
    // Reads shorter than the encoder delay: mpg123 has given nothing yet, and the shortfall
    // it always has (the delay it trims, the Info frame) is not yet whole. Taken for it, one
    // frame of good audio was counted as skipped.
    const bytes = readFixture('speech.mp3');
    const damaged = damage(bytes, Math.floor(bytes.length / 2), 100);
    const counted: number[] = [];
    for (const first of [4096, 512, 64]) {
      const decoder = createDecoder('mp3');
      await decodeChunks(decoder, [...fixedChunks(damaged.subarray(0, 4096), first), ...fixedChunks(damaged.subarray(4096), 4096)]);
      counted.push(decoder.stats.skippedSamples);
      decoder.free();
    }
    expect(counted[0]).toBeGreaterThan(0);
    expect(counted).toEqual([counted[0], counted[0], counted[0]]);
  });
});

describe('bytes that are not audio at all', () => {
  it.each(['mp3', 'opus', 'flac', 'wav'] as const)('%s: an HTML page or a JSON error is a BadAudioError', async (format) => {
    for (const body of [NOT_AUDIO.html, NOT_AUDIO.json]) {
      const decoder = createDecoder(format);
      // Whether the push or the flush notices depends on how many bytes the decoder needs.
      const outcome = decoder.push(body).then(() => decoder.flush());
      await expect(outcome).rejects.toThrow(BadAudioError);
      decoder.free();
    }
  });

  it('mp3: 64 KB without a frame header is not MP3, even if it is not text', async () => {
    const noise = new Uint8Array(70_000).map((_, i) => (i * 37) & 0x7f);
    await expect(createDecoder('mp3').push(noise)).rejects.toThrow(/no MPEG audio frame/);
  });

  it('mp3: free format (LAME --freeformat) is refused by name, in any chunking, with nothing played', async () => {
    const bytes = readFixture('speech-freeformat.mp3');
    for (const seed of [1, 2]) {
      const decoder = createDecoder('mp3');
      const error = await decodeChunks(decoder, randomChunks(bytes, seed, 3000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadAudioError);
      expect((error as Error).message).toMatch(/free format/);
      expect(decoder.stats.skippedFrames).toBe(0);
    }
  });

  it('mp3: a free-format header among the frames of a normal stream is noise, not a refusal', async () => {
    const bytes = readFixture('sentence.mp3').slice();
    const reference = await decodeChunks(createDecoder('mp3'), [bytes]);
    // Three free-format headers 300 bytes apart, laid over the middle of the stream: damage to skip.
    for (const at of [4000, 4300, 4600]) bytes.set([0xff, 0xf3, 0x04, 0xc4], at);
    const damaged = await decodeChunks(createDecoder('mp3'), randomChunks(bytes, 3, 2000));
    expect(damaged.channels[0].length).toBeGreaterThan(reference.channels[0].length * 0.8);
  });

  it('mp3: tags after the audio (APEv2; Lyrics3v2 then ID3v1) are not counted as damage', async () => {
    const mp3 = readFixture('sentence.mp3');
    const alone = await decodeChunks(createDecoder('mp3'), [mp3]);
    const ascii = (text: string) => new TextEncoder().encode(text);
    const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
    // APEv2, header and footer around one item ("Title" = "Hello"); the size counts the item and the footer.
    const item = concatBytes(le32(5), le32(0), ascii('Title\0Hello'));
    const apeBlock = (flags: number) => concatBytes(ascii('APETAGEX'), le32(2000), le32(item.length + 32), le32(1), le32(flags), new Uint8Array(8));
    const ape = concatBytes(apeBlock(0xa0000000), item, apeBlock(0x80000000));
    const lyrics = ascii('LYRICSBEGININD00003110LYR00005Hello');
    const lyrics3 = concatBytes(lyrics, ascii(String(lyrics.length).padStart(6, '0')), ascii('LYRICS200'), ascii('TAG'), new Uint8Array(125));
    for (const tags of [ape, lyrics3]) {
      for (const seed of [1, 2, 3]) {
        const decoder = createDecoder('mp3');
        const out = await decodeChunks(decoder, randomChunks(concatBytes(mp3, tags), seed, 100));
        expect(decoder.stats.skippedFrames + decoder.stats.skippedSamples).toBe(0);
        expect(out.channels[0]).toEqual(alone.channels[0]);
      }
    }
  });

  it('opus: an Ogg stream that is neither Opus nor Vorbis is refused', async () => {
    const opus = readFixture('speech.opus').slice();
    opus.set(new TextEncoder().encode('OpusHexx'), 28); // the first page's OpusHead magic
    await expect(createDecoder('opus').push(opus)).rejects.toThrow(/carries neither Opus nor Vorbis/);
  });
});

describe('flac: a STREAMINFO its frames contradict', () => {
  // STREAMINFO after "fLaC" and its block header: rate in bytes 10-12, channels and bits in 12-13.
  const SI = 8;
  const rewrite = (edit: (b: Uint8Array) => void): Uint8Array => {
    const bytes = readFixture('speech.flac').slice();
    edit(bytes);
    return bytes;
  };
  it.each([
    ['a rate of 48000 Hz', (b: Uint8Array) => ((b[SI + 10] = 48000 >> 12), (b[SI + 11] = (48000 >> 4) & 0xff), (b[SI + 12] = (b[SI + 12] & 0x0f) | ((48000 & 15) << 4))), 'STREAMINFO header says 48000 Hz, 1 channel, 16-bit'],
    ['2 channels', (b: Uint8Array) => (b[SI + 12] = (b[SI + 12] & 0xf1) | (1 << 1)), 'STREAMINFO header says 24000 Hz, 2 channels, 16-bit'],
    ['24-bit samples', (b: Uint8Array) => ((b[SI + 12] = (b[SI + 12] & 0xfe) | (23 >> 4)), (b[SI + 13] = (b[SI + 13] & 0x0f) | ((23 & 15) << 4))), 'STREAMINFO header says 24000 Hz, 1 channel, 24-bit'],
  ])('saying %s: every frame is counted lost, and the decoder says why (libFLAC refuses such a stream too)', async (_, edit, says) => {
    const decoder = createDecoder('flac');
    const out = await decodeChunks(decoder, randomChunks(rewrite(edit), 3, 3000));
    expect(out.channels[0].length).toBe(0);
    expect(decoder.stats.skippedSamples).toBe(readWavFixture('speech-24k.wav').channels[0].length);
    expect(decoder.silenceReason?.()).toBe(`its frames are 24000 Hz, 1 channel, 16-bit, and its ${says}`);
  });

  it('bytes after the header that make no frame at all count as a lost frame, not as a stream without audio', async () => {
    const decoder = createDecoder('flac');
    // "fLaC" and STREAMINFO alone, marked the last metadata block; then a web page.
    const header = readFixture('speech.flac').slice(0, 8 + 34);
    header[4] |= 0x80;
    const out = await decodeChunks(decoder, [concatBytes(header, NOT_AUDIO.html)]);
    expect(out.channels[0].length).toBe(0);
    expect(decoder.stats.skippedFrames).toBe(1);
  });
});

describe('noise that holds a frame header of another rate', () => {
  it('mp3: is not decoded, and the speech around it keeps its rate and length', async () => {
    const mp3 = readFixture('speech.mp3');
    // An MPEG-1 layer III header at 32 kHz, 128 kbit/s, mono (a 576-byte frame), with noise
    // for a body, spliced between two frames of the 24 kHz stream.
    let at = Math.floor(mp3.length / 2);
    while (!(mp3[at] === 0xff && (mp3[at + 1] & 0xe0) === 0xe0)) at++;
    const chance = damage(new Uint8Array(576), 0, 576);
    chance.set([0xff, 0xfb, 0x98, 0xc4]);
    const spliced = new Uint8Array(mp3.length + chance.length);
    spliced.set(mp3.subarray(0, at));
    spliced.set(chance, at);
    spliced.set(mp3.subarray(at), at + chance.length);
    const decoder = createDecoder('mp3');
    const rates = new Set<number>();
    let samples = 0;
    for (const chunk of randomChunks(spliced, 7, 4096)) {
      const out = await decoder.push(chunk);
      if (out.samplesDecoded) rates.add(out.sampleRate);
      samples += out.samplesDecoded;
    }
    samples += (await decoder.flush()).samplesDecoded;
    decoder.free();
    expect([...rates]).toEqual([24000]);
    expect(samples).toBe(readWavFixture('speech.mp3.ref.wav').channels[0].length);
  });
});
