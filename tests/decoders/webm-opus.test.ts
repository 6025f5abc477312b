// Opus in WebM (Matroska), as ffmpeg writes a file and a live stream, and as a live writer
// such as MediaRecorder lays it out (clusters of unknown size, laced blocks): remuxed to Ogg
// as the bytes arrive, and decoded by the same Opus decoder, to the sample.
import { describe, expect, it } from 'vitest';
import { createDecoder, probeFormat } from '../../shared/decoders';
import { unplayableAudio } from '../../shared/decoders/detect';
import { ebmlDocName } from '../../shared/decoders/webm';
import { OggPacketReader } from '../../shared/decoders/ogg-packets';
import { resumeHeader } from '../../shared/decoders/resume';
import { differingSamples, snrDb } from '../support/snr';
import { readFixture, readWavFixture } from '../support/wav-file';
import { damage, decodeChunks, randomChunks } from './helpers';

/** The original's length at 48 kHz: the WebM end trim (DiscardPadding) takes the decode exactly to it. */
const SPEECH_48K = readWavFixture('speech-24k.wav').channels[0].length * 2;
const STEREO_48K = Math.round((readWavFixture('speech-stereo-44k.wav').channels[0].length * 48000) / 44100);

/** An EBML element: its ID's bytes, its size (8 bytes of ones when unknown), its payload. */
function element(id: number[], payload: Uint8Array | number[] = [], unknownSize = false): Uint8Array {
  const body = Uint8Array.from(payload);
  const n = body.length;
  // A 4-byte size: the marker 0x10, then 28 bits.
  const size = unknownSize ? [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : [0x10 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return Uint8Array.from([...id, ...size, ...body]);
}

const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));
const text = (value: string): number[] => [...value].map((c) => c.charCodeAt(0));

/** The packets of an Ogg Opus file: OpusHead first, OpusTags, then the audio. */
function oggPackets(bytes: Uint8Array): Uint8Array[] {
  const reader = new OggPacketReader(() => false);
  return reader.walk(bytes).packets.map((packet) => packet.data.slice());
}

/** A SimpleBlock of track 1 holding `frames` with the lacing given (1 Xiph, 3 EBML). */
function lacedBlock(frames: Uint8Array[], lacing: 1 | 3): Uint8Array {
  const sizes: number[] = [];
  if (lacing === 1) {
    for (const frame of frames.slice(0, -1)) {
      for (let left = frame.length; ; left -= 255) {
        sizes.push(Math.min(255, left));
        if (left < 255) break;
      }
    }
  } else {
    // The first size as a 2-byte number, then signed differences biased by 2^13 - 1.
    sizes.push(0x40 | (frames[0].length >> 8), frames[0].length & 0xff);
    for (let i = 1; i < frames.length - 1; i++) {
      const biased = frames[i].length - frames[i - 1].length + 0x1fff;
      sizes.push(0x40 | (biased >> 8), biased & 0xff);
    }
  }
  const header = [0x81, 0, 0, 0x80 | (lacing << 1), frames.length - 1, ...sizes];
  return element([0xa3], join(Uint8Array.from(header), ...frames));
}

/** A WebM stream as MediaRecorder writes one: Segment and Cluster of unknown size, laced SimpleBlocks, no CodecDelay. */
function liveWebm(packets: Uint8Array[]): Uint8Array {
  const [head, , ...audio] = packets;
  const ebmlHeader = element([0x1a, 0x45, 0xdf, 0xa3], element([0x42, 0x82], text('webm')));
  const track = element([0xae], join(element([0xd7], [1]), element([0x86], text('A_OPUS')), element([0x63, 0xa2], head), element([0x83], [2])));
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < audio.length; i += 3) blocks.push(lacedBlock(audio.slice(i, i + 3), i % 2 ? 3 : 1));
  const cluster = join(Uint8Array.from([0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), element([0xe7], [0]), ...blocks);
  return join(ebmlHeader, Uint8Array.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), element([0x16, 0x54, 0xae, 0x6b], track), cluster);
}

describe('Opus in WebM', () => {
  it.each([
    ['speech-opus.webm', 'ffmpeg, a file'],
    ['speech-live-opus.webm', 'ffmpeg -live 1'],
  ])('%s (%s) plays from its first blocks, trimmed to the original length, as libopus decodes its packets', async (file) => {
    const bytes = readFixture(file);
    const reference = readWavFixture('speech-opus.webm.ref.wav').channels[0];
    for (const seed of [1, 2, 3]) {
      const decoder = createDecoder('opus');
      const out = await decodeChunks(decoder, randomChunks(bytes, seed, 1500));
      decoder.free();
      expect(decoder.stats.skippedFrames).toBe(0);
      expect(out.channels).toHaveLength(1);
      expect(out.channels[0].length).toBe(SPEECH_48K);
      expect(snrDb(out.channels[0], reference).snr).toBeGreaterThan(90);
      // Heard from the first blocks, not at the end of the body.
      expect(out.firstAudioAtByte).toBeLessThan(2500);
    }
  });

  it('stereo at 44.1 kHz comes out in both channels', async () => {
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, randomChunks(readFixture('speech-stereo-opus.webm'), 4, 4000));
    decoder.free();
    const reference = readWavFixture('speech-stereo-opus.webm.ref.wav').channels;
    expect(out.channels).toHaveLength(2);
    expect(Math.abs(out.channels[0].length - STEREO_48K)).toBeLessThanOrEqual(1);
    for (const c of [0, 1]) expect(snrDb(out.channels[c], reference[c]).snr).toBeGreaterThan(80);
  });

  it('a live writer\'s layout (clusters of unknown size, Xiph- and EBML-laced blocks) decodes to the same samples as the packets in Ogg', async () => {
    const ogg = readFixture('speech-opus.webm.ogg');
    const webm = liveWebm(oggPackets(ogg));
    const fromOgg = await decodeChunks(createDecoder('opus'), [ogg]);
    const decoder = createDecoder('opus');
    const fromWebm = await decodeChunks(decoder, randomChunks(webm, 7, 900));
    decoder.free();
    expect(decoder.stats.skippedFrames).toBe(0);
    expect(fromWebm.channels[0].length).toBe(fromOgg.channels[0].length);
    expect(differingSamples(fromWebm.channels[0], fromOgg.channels[0])).toBe(0);
  });

  it('files joined in one body play one after the other, each trimmed as its own', async () => {
    const one = readFixture('speech-opus.webm');
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, randomChunks(join(one, readFixture('speech-live-opus.webm')), 8, 3000));
    decoder.free();
    expect(decoder.stats.skippedFrames).toBe(0);
    expect(out.channels[0].length).toBe(2 * SPEECH_48K);
  });

  it('damage is skipped and counted, and the rest plays; a body cut off counts its last block', async () => {
    const bytes = readFixture('speech-opus.webm');
    const decoder = createDecoder('opus');
    // 300 bytes of noise over a few blocks' headers (WebM has no checksum: noise inside a packet is Opus's to conceal).
    const out = await decodeChunks(decoder, randomChunks(damage(bytes, Math.floor(bytes.length / 2), 300), 9, 2000));
    decoder.free();
    expect(decoder.stats.skippedFrames).toBeGreaterThan(0);
    // Read on from the next whole block, not the next cluster: what is missing is what was counted, to a packet.
    const missing = SPEECH_48K - out.channels[0].length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(SPEECH_48K * 0.05);
    expect(Math.abs(decoder.stats.skippedSamples - missing)).toBeLessThanOrEqual(960);

    const cut = createDecoder('opus');
    const short = await decodeChunks(cut, [bytes.subarray(0, bytes.length - 50)]);
    cut.free();
    expect(cut.stats.skippedFrames).toBe(1);
    expect(short.channels[0].length).toBeLessThan(SPEECH_48K);
  });

  it('a fresh decoder given the header before the first Cluster takes the stream up mid-way, at its next block', async () => {
    const bytes = readFixture('speech-opus.webm');
    const header = resumeHeader('opus', bytes.subarray(0, 8192))!;
    expect(header.length).toBeGreaterThan(100);
    expect(resumeHeader('opus', header.subarray(0, header.length - 1))).toBeNull();
    const decoder = createDecoder('opus');
    await decoder.ready;
    await decoder.push(header);
    const half = Math.floor(bytes.length / 2);
    const out = await decodeChunks(decoder, randomChunks(bytes.subarray(half), 10, 1000));
    decoder.free();
    // The second half of the speech, less the block cut in two.
    expect(out.channels[0].length).toBeGreaterThan(SPEECH_48K * 0.4);
    expect(out.channels[0].length).toBeLessThan(SPEECH_48K * 0.6);
    expect(decoder.stats.skippedFrames).toBe(1);
  });

  it('a header whose damaged size hides every cluster counts as lost, and says so: not a stream without audio', async () => {
    const bytes = readFixture('speech-live-opus.webm').slice();
    // ffmpeg's Void element before the tracks (8-byte size): made to claim 256 MB.
    const voidAt = Buffer.from(bytes).indexOf(Buffer.from([0xec, 0x01, 0, 0, 0, 0, 0, 0]));
    expect(voidAt).toBeGreaterThan(0);
    bytes.set([0x01, 0, 0, 0, 0x10, 0, 0, 0], voidAt + 1);
    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, randomChunks(bytes, 11, 2000));
    decoder.free();
    expect(out.channels[0]?.length ?? 0).toBe(0);
    expect(decoder.stats.skippedFrames).toBe(1);
    expect(decoder.silenceReason?.()).toMatch(/ended before its first Cluster of audio/);
  });

  it('is probed as Opus; WebM with another codec is named, not played as noise', async () => {
    expect(probeFormat(readFixture('speech-opus.webm').subarray(0, 400))).toEqual({ format: 'opus', sampleRate: 48000, channels: 1 });
    expect(probeFormat(readFixture('speech-stereo-opus.webm').subarray(0, 400))).toMatchObject({ format: 'opus', channels: 2 });
    expect(probeFormat(readFixture('speech-opus.webm').subarray(0, 40))).toBe('need-more');
    // AAC in Matroska (ffmpeg -f matroska): Utter plays Opus and Vorbis from it, not AAC.
    const aac = readFixture('speech-aac.mka');
    expect(probeFormat(aac.subarray(0, 4096))).toBeNull();
    // Named as its DocType says: an .mka is Matroska.
    expect(unplayableAudio(aac.subarray(0, 4096))).toBe('Matroska (AAC)');
    expect(ebmlDocName(readFixture('speech-opus.webm'))).toBe('WebM');
    expect(ebmlDocName(readFixture('speech-vorbis.mka'))).toBe('Matroska');
    expect(unplayableAudio(readFixture('speech-opus.webm').subarray(0, 4096))).toBeNull();
    const decoder = createDecoder('opus');
    await expect(decodeChunks(decoder, [aac])).rejects.toThrow(/carries AAC audio, which Utter cannot play \(only Opus and Vorbis in WebM\)/);
    decoder.free();
  });
});
