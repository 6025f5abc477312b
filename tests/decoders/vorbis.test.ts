// Ogg Vorbis, as `ffmpeg -f ogg` writes it unless told which codec: a server that pipes its
// audio through ffmpeg sends it when asked for opus. Decoded by libvorbis (WASM) from the
// same Ogg reader as Opus, packet by packet as pages arrive, against ffmpeg's own Vorbis
// decoder, a separate implementation.
import { describe, expect, it } from 'vitest';
import { createDecoder, probeFormat } from '../../shared/decoders';
import { unplayableAudio } from '../../shared/decoders/detect';
import { crc32 } from '../../shared/decoders/crc';
import { OggPacketReader } from '../../shared/decoders/ogg-packets';
import { resumeHeader } from '../../shared/decoders/resume';
import { parseVorbisHead } from '../../shared/decoders/vorbis-head';
import { VorbisPacketLengths, vorbisModes, vorbisPacketBlocks } from '../../shared/decoders/vorbis-packet';
import { bestLag, snrDb } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { damage, decodeChunks, fixedChunks, pageStarts, randomChunks } from './helpers';

/** speech-24k.wav's length: ffmpeg and libvorbisfile trim the last page to it. */
const SPEECH = readWavFixture('speech-24k.wav').channels[0].length;

/** A page's granule position (where its last packet ends, in samples). */
const granuleAt = (bytes: Uint8Array, page: number): number => new DataView(bytes.buffer, bytes.byteOffset).getUint32(page + 6, true);

describe('Ogg Vorbis', () => {
  it.each([
    ['speech-vorbis.ogg', 24000, 1],
    ['speech-stereo-vorbis.ogg', 44100, 2],
    ['tones-51-vorbis.ogg', 48000, 6],
  ])('%s plays whole in any chunking down to 1 byte, each channel in WAV order, to the sample', async (file, rate, channels) => {
    const bytes = readFixture(file);
    const reference = readWavFixture(`${file}.ref.wav`);
    for (const seed of [1, 2]) {
      const decoder = createDecoder('opus');
      const out = await decodeChunks(decoder, randomChunks(bytes, seed, 4000));
      decoder.free();
      expect(out.sampleRate).toBe(rate);
      expect(out.channels).toHaveLength(channels);
      expect(decoder.stats.skippedFrames).toBe(0);
      reference.channels.forEach((channel, c) => {
        // The end trim of the last page is exact: ffmpeg's length.
        expect(out.channels[c].length).toBe(channel.length);
        expect(bestLag(out.channels[c], channel, 2000)).toBe(0);
        // Two implementations of one codec: measured 136 dB. A channel out of place (5.1 has a tone per channel) is far below.
        expect(snrDb(out.channels[c], channel).snr).toBeGreaterThan(100);
      });
    }
  });

  it('is found from its first page, with the rate and channels its header gives', () => {
    expect(probeFormat(readFixture('speech-vorbis.ogg').subarray(0, 80))).toEqual({ format: 'opus', sampleRate: 24000, channels: 1 });
    expect(probeFormat(readFixture('tones-51-vorbis.ogg').subarray(0, 4096))).toEqual({ format: 'opus', sampleRate: 48000, channels: 6 });
    expect(probeFormat(readFixture('speech-vorbis.ogg').subarray(0, 40))).toBe('need-more');
    expect(unplayableAudio(readFixture('speech-vorbis.ogg'))).toBeNull();
    // FLAC in Ogg goes to the FLAC decoder, not taken for Vorbis.
    expect(probeFormat(readFixture('speech-flac.oga').subarray(0, 4096))).toMatchObject({ format: 'flac' });
  });

  it('streams joined one after another (a server that sends a file per sentence) play in turn, each trimmed as its own', async () => {
    const one = readFixture('speech-vorbis.ogg');
    const joined = Uint8Array.from([...one, ...readFixture('speech-stereo-vorbis.ogg'), ...one]);
    const out = await decodeChunks(createDecoder('opus'), randomChunks(joined, 3, 4000));
    // A change of layout mid-body comes out as the next run of audio (the page down-mixes or resamples it).
    expect(out.channels[0].length).toBeGreaterThan(0);
    const decoder = createDecoder('opus');
    const twice = await decodeChunks(decoder, fixedChunks(Uint8Array.from([...one, ...one]), 1000));
    expect(twice.channels[0].length).toBe(2 * SPEECH);
    const reference = readWavFixture('speech-vorbis.ogg.ref.wav').channels[0];
    expect(snrDb(twice.channels[0].subarray(SPEECH), reference).snr).toBeGreaterThan(100);
    expect(decoder.stats.skippedFrames).toBe(0);
  });

  it.each([
    ['arriving in small reads (its packets before the damage played early)', 500],
    ['arriving whole', 100_000],
  ])('a damaged page %s: what did not play is counted, to the sample, and the rest plays to the end', async (_, reads) => {
    const bytes = readFixture('speech-vorbis.ogg');
    const pages = pageStarts(bytes);
    const hit = Math.floor(pages.length / 2);
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, randomChunks(damage(bytes, pages[hit] + 200, 50), 9, reads))).channels[0];
    const reference = readWavFixture('speech-vorbis.ogg.ref.wav').channels[0];
    expect(decoder.stats.skippedFrames).toBe(1);
    // Measured from the granule positions: what played and what was lost make the whole.
    expect(out.length + decoder.stats.skippedSamples).toBe(reference.length);
    const held = granuleAt(bytes, pages[hit]) - granuleAt(bytes, pages[hit - 1]);
    // Whole, about the page is lost (within a block: libvorbis overlaps the packet after the gap); in small reads, its packets before the damage were heard.
    if (reads > 50_000) expect(Math.abs(decoder.stats.skippedSamples - held)).toBeLessThan(1024);
    else expect(decoder.stats.skippedSamples).toBeLessThan(held / 4);
    // After the damage the stream is back in step: its end is the reference's end.
    const tail = 24000;
    expect(snrDb(out.subarray(out.length - tail), reference.subarray(reference.length - tail)).snr).toBeGreaterThan(100);
  });

  it('a body cut inside a page counts that page lost at the end, less the packets of it that played', async () => {
    const bytes = readFixture('speech-vorbis.ogg');
    const pages = pageStarts(bytes);
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, fixedChunks(bytes.subarray(0, pages.at(-1)! + 3000), 777))).channels[0];
    expect(out.length).toBeGreaterThan(granuleAt(bytes, pages.at(-2)!));
    expect(decoder.stats.skippedFrames).toBe(1);
    expect(out.length + decoder.stats.skippedSamples).toBe(SPEECH);
  });

  it('a body cut just after a page\'s header, before any of its packets could play, counts that page from its granule', async () => {
    const bytes = readFixture('speech-vorbis.ogg');
    const pages = pageStarts(bytes);
    const cutPage = pages[Math.floor(pages.length / 2)];
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, fixedChunks(bytes.subarray(0, cutPage + 27 + bytes[cutPage + 26] + 3), 500))).channels[0];
    expect(decoder.stats.skippedFrames).toBe(1);
    expect(out.length).toBe(granuleAt(bytes, pages[Math.floor(pages.length / 2) - 1]));
    expect(out.length + decoder.stats.skippedSamples).toBe(granuleAt(bytes, cutPage));
  });

  it('a second-long page (ffmpeg\'s) plays its packets as they arrive, not once it is whole', async () => {
    const bytes = readFixture('speech-vorbis.ogg');
    const [, , firstAudio, secondAudio] = pageStarts(bytes);
    const decoder = createDecoder('opus');
    await decoder.ready;
    await decoder.push(bytes.subarray(0, firstAudio));
    // Half the page: about half its second of audio, before its CRC can be checked.
    const half = await decoder.push(bytes.subarray(firstAudio, (firstAudio + secondAudio) >> 1));
    expect(half.samplesDecoded).toBeGreaterThan(granuleAt(bytes, firstAudio) / 4);
    // Its last byte: the rest of it, and every sample of the page once.
    const rest = await decoder.push(bytes.subarray((firstAudio + secondAudio) >> 1, secondAudio));
    expect(half.samplesDecoded + rest.samplesDecoded).toBe(granuleAt(bytes, firstAudio));
  });

  it('plays the packets that came in the same read as its setup header: the first 4 KB give audio, not only the next read', async () => {
    const bytes = readFixture('speech-vorbis.ogg');
    const [, , firstAudio, secondAudio] = pageStarts(bytes);
    for (const cut of [(firstAudio + secondAudio) >> 1, 4096]) {
      const decoder = createDecoder('opus');
      await decoder.ready;
      // The headers and part of the first audio page, in one read.
      const head = await decoder.push(bytes.subarray(0, cut));
      expect(head.samplesDecoded).toBeGreaterThan(0.03 * 24000);
      // The rest of that page: every sample of it once.
      const rest = await decoder.push(bytes.subarray(cut, secondAudio));
      expect(head.samplesDecoded + rest.samplesDecoded).toBe(granuleAt(bytes, firstAudio));
      decoder.free();
    }
  });

  it('reads each mode\'s block size from the end of the setup header, and a packet\'s length from its first byte', async () => {
    const bytes = readFixture('speech-vorbis.ogg');
    const packets = new OggPacketReader().walk(bytes).packets;
    const head = parseVorbisHead(packets[0].data);
    const modes = vorbisModes(packets[2].data);
    // libvorbis writes two modes: a short block and a long one.
    expect(modes).toEqual([false, true]);
    const blocks = (typeof head !== 'string' && head.blocks) as [number, number];
    expect(blocks[0]).toBeLessThan(blocks[1]);
    // Each audio packet's length, summed as libvorbis gives them (the first only primes), is the stream's last granule less the end trim.
    let previous = 0;
    let total = 0;
    for (const packet of packets.slice(3)) {
      const block = vorbisPacketBlocks(packet.data, modes!, blocks)!;
      if (previous) total += ((block.previous ?? previous) + block.current) / 4;
      if (block.previous !== null) expect(block.previous).toBe(previous || block.previous);
      previous = block.current;
    }
    expect(total).toBeGreaterThanOrEqual(SPEECH);
    expect(total - SPEECH).toBeLessThan(blocks[1]);
    // A header, or a mode the setup does not have, is no audio packet.
    expect(vorbisPacketBlocks(packets[2].data, modes!, blocks)).toBeNull();
    expect(vorbisModes(new Uint8Array(200))).toBeNull();
  });

  it('a resumed decoder takes it up from the header pages', async () => {
    const bytes = readFixture('speech-vorbis.ogg');
    const pages = pageStarts(bytes);
    const header = resumeHeader('opus', bytes.subarray(0, 8192));
    expect(header?.length).toBe(pages[2]);
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, [header!, bytes.subarray(pages[4])])).channels[0];
    expect(Math.abs(out.length - (SPEECH - granuleAt(bytes, pages[3])))).toBeLessThanOrEqual(2048);
  });

  it('a damaged setup header (its CRC mended) spoils every packet: all of the audio is counted lost, and said why', async () => {
    const bytes = readFixture('speech-vorbis.ogg').slice();
    const [, setup, audio] = pageStarts(bytes);
    for (let i = 0; i < 16; i++) bytes[setup + 1000 + i] ^= 0x5a;
    new DataView(bytes.buffer).setUint32(setup + 22, crc32(bytes, setup, audio, setup + 22), true);
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, fixedChunks(bytes, 4096));
    expect(out.channels[0]?.length ?? 0).toBe(0);
    // Known from the pages' granules, not guessed from a packet length.
    expect(decoder.stats.skippedSamples).toBe(SPEECH);
    expect(decoder.silenceReason?.()).toMatch(/none of its \d+ Vorbis packets decoded/);
    expect(decoder.codecName?.()).toBe('Ogg Vorbis');
  });

  it.each([
    ['no channels', 11, 0, /declares no channels/],
    ['version 1', 7, 1, /Vorbis version 1/],
    ['a block size past 8192', 28, 0xe8, /block sizes/],
  ] as const)('refuses an identification header with %s by name', async (_, offset, value, message) => {
    const bytes = readFixture('speech-vorbis.ogg').slice();
    const body = 27 + bytes[26];
    bytes[body + offset] = value;
    new DataView(bytes.buffer).setUint32(22, crc32(bytes, 0, pageStarts(bytes)[1], 22), true);
    await expect(decodeChunks(createDecoder('opus'), fixedChunks(bytes, 4096))).rejects.toThrow(message);
  });
});

// Vorbis in WebM: what `ffmpeg -f webm` writes where it has no Opus encoder. Remuxed to Ogg
// pages as it arrives, each packet's granule counted from its block sizes as libvorbis counts
// them. WebM keeps no end trim, so ffmpeg's decode plays every packet whole, and so does Utter.
describe('Vorbis in WebM and Matroska', () => {
  it.each([
    ['speech-vorbis.webm', 24000, 1],
    ['speech-stereo-vorbis.webm', 44100, 2],
    ['speech-vorbis.mka', 24000, 1],
  ])('%s plays whole in any chunking down to 1 byte, to ffmpeg\'s decode to the sample', async (file, rate, channels) => {
    const bytes = readFixture(file);
    const reference = readWavFixture(`${file}.ref.wav`);
    expect(probeFormat(bytes.subarray(0, 8192))).toEqual({ format: 'opus', sampleRate: rate, channels });
    expect(unplayableAudio(bytes.subarray(0, 8192))).toBeNull();
    for (const seed of [1, 2]) {
      const decoder = createDecoder('opus');
      const out = await decodeChunks(decoder, randomChunks(bytes, seed, 3000));
      decoder.free();
      expect(out.sampleRate).toBe(rate);
      expect(decoder.stats.skippedFrames).toBe(0);
      expect(decoder.stats.skippedSamples).toBe(0);
      reference.channels.forEach((channel, c) => {
        expect(out.channels[c].length).toBe(channel.length);
        expect(snrDb(out.channels[c], channel).snr).toBeGreaterThan(100);
      });
    }
  });

  it('counts each packet as libvorbis does: the first gives nothing, then a quarter of each block and of the one before', () => {
    // ffmpeg's Ogg of the same encode: its pages' granules are libvorbis's counts.
    const ogg = readFixture('speech-vorbis.ogg');
    const packets = new OggPacketReader(() => false).walk(ogg).packets;
    const modes = vorbisModes(packets[2].data)!;
    const head = parseVorbisHead(packets[0].data);
    if (typeof head === 'string') throw new Error(head);
    const lengths = new VorbisPacketLengths(modes, head.blocks);
    let position = 0;
    const ends: number[] = [];
    for (const packet of packets.slice(3)) {
      position += lengths.next(packet.data)!;
      if (packet.endsPage) ends.push(position);
    }
    const granules = packets.slice(3).filter((p) => p.endsPage).map((p) => p.granule);
    // Every page but the last, whose granule trims the stream's end, ends where the packets say.
    expect(ends.slice(0, -1)).toEqual(granules.slice(0, -1));
    expect(ends.at(-1)! - granules.at(-1)!).toBeGreaterThan(0);
    expect(lengths.next(Uint8Array.of(1))).toBeNull();
  });

  it('a damaged block is skipped and counted from the blocks\' times; the rest plays, in step, to the end', async () => {
    const bytes = readFixture('speech-vorbis.webm');
    const reference = readWavFixture('speech-vorbis.webm.ref.wav').channels[0];
    const decoder = createDecoder('opus');
    const out = (await decodeChunks(decoder, randomChunks(damage(bytes, Math.floor(bytes.length / 2), 300), 9, 2000))).channels[0];
    decoder.free();
    expect(decoder.stats.skippedFrames).toBeGreaterThan(0);
    const missing = reference.length - out.length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(reference.length * 0.05);
    // Times are whole milliseconds (24 samples), and libvorbis overlaps across the gap: within a long block.
    expect(Math.abs(decoder.stats.skippedSamples - missing)).toBeLessThanOrEqual(1024);
    const tail = 24000;
    expect(snrDb(out.subarray(out.length - tail), reference.subarray(reference.length - tail)).snr).toBeGreaterThan(100);
  });

  it('files joined in one body play one after the other', async () => {
    const one = readFixture('speech-vorbis.webm');
    const reference = readWavFixture('speech-vorbis.webm.ref.wav').channels[0];
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, randomChunks(Uint8Array.from([...one, ...one]), 4, 3000));
    expect(out.channels[0].length).toBe(2 * reference.length);
    expect(snrDb(out.channels[0].subarray(reference.length), reference).snr).toBeGreaterThan(100);
    expect(decoder.stats.skippedFrames).toBe(0);
  });

  it('a CodecPrivate without the three headers is refused by name, as WebM', async () => {
    const bytes = readFixture('speech-vorbis.webm').slice();
    // CodecPrivate (63 A2) holds the laced headers: its first byte says three.
    const at = bytes.findIndex((b, i) => b === 0x63 && bytes[i + 1] === 0xa2);
    const size = bytes[at + 2] & 0x80 ? 1 : bytes[at + 2] & 0x40 ? 2 : 3;
    bytes[at + 2 + size] = 1;
    const decoder = createDecoder('opus');
    await expect(decodeChunks(decoder, fixedChunks(bytes, 4096))).rejects.toThrow(/WebM Vorbis stream cannot be played: its CodecPrivate does not hold the three Vorbis headers/);
  });
});
