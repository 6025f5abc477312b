// Ogg Opus as servers send it beyond opusenc's 20 ms pages: ffmpeg's second-long pages
// decoded packet by packet, streams chained one after another, an OpusHead output gain,
// and damage inside a page whose packets went out before its CRC could be checked.
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../shared/decoders';
import { crc32 } from '../../shared/decoders/crc';
import { opusPacketSamples } from '../../shared/decoders/opus-packet';
import { snrDb } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { damage, decodeChunks, fixedChunks, pageStarts, randomChunks } from './helpers';

describe('Ogg Opus, packet by packet', () => {
  it('a second-long page gives its packets as they arrive: ffmpeg\'s pages heard from their first 20 ms, not a page late', async () => {
    const bytes = readFixture('speech-bigpages.opus');
    const [, , firstAudioPage, secondAudioPage] = pageStarts(bytes);
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, fixedChunks(bytes, 100));
    decoder.free();
    // Out with the first packet of the first audio page: its header, its table and ~80 bytes.
    expect(out.firstAudioAtByte).toBeLessThan(firstAudioPage + 400);
    expect(secondAudioPage - firstAudioPage).toBeGreaterThan(3000);
    const reference = readWavFixture('speech-bigpages.opus.ref.wav').channels[0];
    expect(out.channels[0].length).toBe(reference.length);
    expect(snrDb(out.channels[0], reference).snr).toBeGreaterThan(60);
    expect(out.flushed).toBe(0);
  });

  it('streams chained one after another (a server that sends a stream per sentence) play in order, each trimmed as its own', async () => {
    const first = readFixture('sentence.opus');
    const second = readFixture('speech-bigpages.opus');
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, randomChunks(new Uint8Array([...first, ...second]), 5, 700));
    decoder.free();
    const a = readWavFixture('sentence.opus.ref.wav').channels[0];
    const b = readWavFixture('speech-bigpages.opus.ref.wav').channels[0];
    expect(decoder.stats.skippedFrames).toBe(0);
    expect(out.channels[0].length).toBe(a.length + b.length);
    expect(snrDb(out.channels[0].subarray(0, a.length), a).snr).toBeGreaterThan(60);
    expect(snrDb(out.channels[0].subarray(a.length), b).snr).toBeGreaterThan(60);
  });

  it('two streams multiplexed in one Ogg: the first plays (the one the probe named), whole, and the other is passed over', async () => {
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, randomChunks(readFixture('tones-two-streams.opus'), 3, 900))).channels[0];
    decoder.free();
    expect(decoder.stats.skippedFrames).toBe(0);
    expect(out.length / 48000).toBeCloseTo(3, 1);
    // The first is 440 Hz, the second 1000 Hz: count rising zero crossings over the middle second.
    const middle = out.subarray(48000, 96000);
    let rises = 0;
    for (let i = 1; i < middle.length; i++) if (middle[i - 1] < 0 && middle[i] >= 0) rises++;
    expect(rises).toBeGreaterThan(430);
    expect(rises).toBeLessThan(450);
  });

  it('applies the OpusHead output gain, as opusdec does', async () => {
    const bytes = readFixture('speech.opus').slice();
    // -6 dB in Q7.8 at OpusHead byte 16, then the first page's CRC signed again.
    const head = 27 + bytes[26];
    new DataView(bytes.buffer).setInt16(head + 16, -6 * 256, true);
    const firstPageEnd = pageStarts(bytes)[1];
    new DataView(bytes.buffer).setUint32(22, crc32(bytes, 0, firstPageEnd, 22), true);
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, fixedChunks(bytes, 4096))).channels[0];
    decoder.free();
    const reference = readWavFixture('speech.opus.ref.wav').channels[0];
    const gain = 10 ** (-6 / 20);
    expect(snrDb(out, reference.map((s) => s * gain)).snr).toBeGreaterThan(60);
  });

  it('damage inside a second-long page arriving in small reads: counted, and the stream plays on to its end', async () => {
    const bytes = readFixture('speech-bigpages.opus');
    const pages = pageStarts(bytes);
    // Noise in the body of the fourth audio page, a third of the way in.
    const at = pages[5] + Math.floor((pages[6] - pages[5]) / 3);
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, randomChunks(damage(bytes, at, 200), 7, 300))).channels[0];
    decoder.free();
    const reference = readWavFixture('speech-bigpages.opus.ref.wav').channels[0];
    expect(decoder.stats.skippedFrames).toBeGreaterThanOrEqual(1);
    // The damaged page's packets before the noise were heard; at most the rest of it is lost.
    expect(out.length).toBeGreaterThan(reference.length - 48000);
    expect(out.length).toBeLessThanOrEqual(reference.length);
    // The end, after the damage, is the reference's end.
    const tail = 48000;
    expect(snrDb(out.subarray(out.length - tail), reference.subarray(reference.length - tail)).snr).toBeGreaterThan(40);
  });

  it.each([
    ['opusenc\'s 20 ms pages', 'speech.opus'],
    ['ffmpeg\'s second-long pages', 'speech-bigpages.opus'],
  ])('a body cut just after its last page\'s header (%s) counts what that page held, from its granule: played and lost make the whole', async (_, file) => {
    const bytes = readFixture(file);
    // The last page is shorter than the others (the end trim): an average page would overcount it.
    const cutPage = pageStarts(bytes).at(-1)!;
    // The header and its segment table, and a few bytes of the first packet: nothing of the page can play.
    const cut = cutPage + 27 + bytes[cutPage + 26] + 3;
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, fixedChunks(bytes.subarray(0, cut), 500))).channels[0];
    const preSkip = new DataView(bytes.buffer, bytes.byteOffset).getUint16(28 + 10, true);
    const granule = new DataView(bytes.buffer, bytes.byteOffset).getUint32(cutPage + 6, true);
    expect(decoder.stats.skippedFrames).toBe(1);
    expect(out.length + decoder.stats.skippedSamples).toBe(granule - preSkip);
    expect(granule - preSkip).toBe(readWavFixture(`${file}.ref.wav`).channels[0].length);
  });

  it('5.1 (mapping family 1): every packet plays, each channel in WAV order as opusdec writes it', async () => {
    const out = await decodeChunks(createDecoder('opus'), randomChunks(readFixture('tones-51.opus'), 5, 3000));
    const reference = readWavFixture('tones-51.opus.ref.wav').channels;
    expect(out.channels).toHaveLength(6);
    reference.forEach((channel, c) => {
      expect(out.channels[c].length).toBe(channel.length);
      expect(snrDb(out.channels[c], channel).snr).toBeGreaterThan(80);
    });
  });

  it.each([
    ['no streams', 19, 0, /no Opus streams/],
    ['more coupled streams than streams', 20, 9, /9 coupled streams of 4/],
    ['a channel mapped past the decoded ones', 21, 200, /stream channel 200 of 6/],
    ['6 channels in mapping family 0', 18, 0, /at most 2/],
  ] as const)('refuses an OpusHead with %s by name, instead of playing silence', async (_, offset, value, message) => {
    const bytes = readFixture('tones-51.opus').slice();
    const head = 27 + bytes[26];
    bytes[head + offset] = value;
    new DataView(bytes.buffer).setUint32(22, crc32(bytes, 0, pageStarts(bytes)[1], 22), true);
    await expect(decodeChunks(createDecoder('opus'), fixedChunks(bytes, 4096))).rejects.toThrow(message);
  });

  it('reads how long a packet lasts from its TOC byte, and refuses malformed ones', () => {
    // Config 1 (SILK 20 ms), code 0: one frame.
    expect(opusPacketSamples(Uint8Array.of(1 << 3, 0, 0))).toBe(960);
    // Config 31 (CELT 20 ms), code 1: two frames of equal size (an odd length).
    expect(opusPacketSamples(Uint8Array.of((31 << 3) | 1, 0, 0))).toBe(1920);
    expect(opusPacketSamples(Uint8Array.of((31 << 3) | 1, 0))).toBe(0);
    // Code 3 with 3 frames of 40 ms (config 2): 120 ms, the most a packet may hold.
    expect(opusPacketSamples(Uint8Array.of((2 << 3) | 3, 3))).toBe(5760);
    expect(opusPacketSamples(Uint8Array.of((2 << 3) | 3, 4))).toBe(0);
    expect(opusPacketSamples(new Uint8Array(0))).toBe(0);
    // A surround packet holds one packet per stream, all but the last self-delimited: two
    // 20 ms frames (code 1) of a first stream whose length is not odd, over 1,277 bytes in all.
    const surround = new Uint8Array(1500);
    surround[0] = (31 << 3) | 1;
    expect(opusPacketSamples(surround, 4)).toBe(1920);
    expect(opusPacketSamples(surround)).toBe(0);
  });
});
