// The FLAC decoder hands a frame's samples out while the frame is still arriving, and
// damaged or hostile bytes never make it throw, hang or lose its place (spec E2).
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../shared/decoders';
import { crc8 } from '../../shared/decoders/crc';
import { differingSamples } from '../support/snr';
import { readFixture } from '../support/wav-file';
import { frameAt, frameTable } from './flac-helpers';
import { decodeChunks, fixedChunks, prng, randomChunks } from './helpers';

describe('a frame comes out as its bytes arrive', () => {
  it.each([
    // Mono: each Rice code is a sample.
    ['flac/nopad.flac', 0.5, 0.35],
    // Stereo: the samples come as the second channel decodes (mid/side undone per sample).
    ['flac/midside.flac', 0.75, 0.25],
  ])('%s: %d of the first frame in 512-byte pushes gives its first samples', async (file, part, least) => {
    const bytes = readFixture(file);
    const frames = frameTable(bytes);
    const [start, next] = frames.starts;
    const blockSize = frames.firstSamples[1];
    const until = start + Math.ceil((next - start) * part);
    const decoder = createDecoder('flac');
    let samples = 0;
    let pushed = 0;
    for (const chunk of fixedChunks(bytes, 512)) {
      samples += (await decoder.push(chunk)).samplesDecoded;
      pushed += chunk.length;
      if (pushed >= until) break;
    }
    decoder.free();
    expect(pushed).toBeLessThan(next);
    expect(samples).toBeGreaterThan(blockSize * least);
    expect(samples).toBeLessThan(blockSize);
  });
});

describe('damaged and cut-off streams (seeded fuzz)', () => {
  const SOURCES = ['sentence.flac', 'flac/midside.flac', 'flac/ffmpeg-frame1000.flac'].map((file) => {
    const bytes = readFixture(file);
    return { file, bytes, frames: frameTable(bytes) };
  });

  it('500 cases: no throw, no hang, the length within a frame, exact before and after the damage', async () => {
    const wholes = await Promise.all(SOURCES.map(async (s) => (await decodeChunks(createDecoder('flac'), [s.bytes])).channels));
    const random = prng(2024);
    let slowest = 0;
    for (let n = 0; n < 500; n++) {
      const { bytes, frames } = SOURCES[n % SOURCES.length];
      const whole = wholes[n % SOURCES.length];
      const blockSize = frames.firstSamples[1];
      const audioStart = frames.starts[0];
      const at = audioStart + Math.floor(random() * (bytes.length - audioStart - 64));
      const cut = random() < 0.3;
      const count = cut ? 0 : 1 + Math.floor(random() ** 2 * 64);
      let damaged = bytes.subarray(0, cut ? at : bytes.length);
      if (!cut) {
        damaged = bytes.slice();
        for (let k = 0; k < count; k++) damaged[at + k] ^= 1 + Math.floor(random() * 255);
      }
      const started = performance.now();
      const decoder = createDecoder('flac');
      const decoded = (await decodeChunks(decoder, randomChunks(damaged, n, 6000))).channels;
      // No audio at all comes back as one empty channel.
      const out = whole.map((_, c) => decoded[c] ?? new Float32Array(0));
      slowest = Math.max(slowest, performance.now() - started);
      const length = out[0].length;
      const first = frameAt(frames, at);
      const context = `case ${n}: ${cut ? 'cut' : `${count} bytes changed`} at ${at} (frame ${first})`;
      // Before the damaged frame: exact.
      const head = frames.firstSamples[first];
      for (let c = 0; c < whole.length; c++) expect(differingSamples(out[c].subarray(0, head), whole[c].subarray(0, head)), context).toBe(0);
      if (cut) {
        // A prefix: the complete frames, and at most the part of the cut one that arrived.
        expect(length, context).toBeGreaterThanOrEqual(head);
        expect(length, context).toBeLessThanOrEqual(Math.min(head + blockSize, whole[0].length));
        for (let c = 0; c < whole.length; c++) expect(differingSamples(out[c], whole[c].subarray(0, length)), context).toBe(0);
        expect(decoder.stats.skippedFrames, context).toBeLessThanOrEqual(1);
        // Mono: the cut frame's samples came out as far as its bytes had arrived.
        const into = (at - frames.starts[first]) / ((frames.starts[first + 1] ?? bytes.length) - frames.starts[first]);
        if (whole.length === 1 && into > 0.2) expect(length, context).toBeGreaterThan(head);
        continue;
      }
      // A damaged frame whose header is intact keeps its place: only a lost header shortens
      // (or damage in the last frame, which may look like a stream cut off inside it).
      const headerHit = frames.starts.some((start) => at < start + 16 && at + count > start);
      if (headerHit || first === frames.starts.length - 1) expect(Math.abs(length - whole[0].length), context).toBeLessThanOrEqual(blockSize);
      else expect(length, context).toBe(whole[0].length);
      expect(decoder.stats.skippedFrames, context).toBeGreaterThanOrEqual(1);
      expect(decoder.stats.skippedFrames, context).toBeLessThanOrEqual(2);
      // Two frames past the last damaged byte, everything is exact and in its place.
      const after = frameAt(frames, at + count - 1) + 2;
      if (after >= frames.starts.length) continue;
      const tail = whole[0].length - frames.firstSamples[after];
      for (let c = 0; c < whole.length; c++) {
        expect(differingSamples(out[c].subarray(length - tail), whole[c].subarray(whole[c].length - tail)), context).toBe(0);
      }
    }
    expect(slowest).toBeLessThan(1000);
  }, 120_000);
});

describe('a lost first frame', () => {
  it('is counted from the frame number of the first one found', async () => {
    const bytes = readFixture('speech.flac');
    const frames = frameTable(bytes);
    const damaged = bytes.slice();
    damaged[frames.starts[0] + 1] ^= 0x40; // the sync code of frame 0
    const decoder = createDecoder('flac');
    const out = (await decodeChunks(decoder, fixedChunks(damaged, 4096))).channels[0];
    expect(decoder.stats).toMatchObject({ skippedFrames: 1, skippedSamples: 4096 });
    expect(out.length).toBe(frames.total - 4096);
  });
});

describe('hostile bytes', () => {
  /** fLaC and a STREAMINFO: 8 channels, 32 bits, 24 kHz, blocks up to 65535. */
  function streamHeader(): Uint8Array {
    const info = new Uint8Array(4 + 4 + 34);
    info.set([0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34, 0x00, 0x10, 0xff, 0xff]);
    // rate 24000 (20 bits), channels - 1 = 7 (3 bits), bits - 1 = 31 (5 bits).
    info.set([(24000 >> 12) & 0xff, (24000 >> 4) & 0xff, ((24000 & 0xf) << 4) | (7 << 1) | 1, 0xf0], 8 + 10);
    return info;
  }

  async function decodeTimed(bytes: Uint8Array): Promise<{ ms: number; samples: number }> {
    const started = performance.now();
    const out = await decodeChunks(createDecoder('flac'), fixedChunks(bytes, 4096));
    return { ms: performance.now() - started, samples: out.channels[0].length };
  }

  it('noise after a valid header: no audio, no throw, quickly', async () => {
    const random = prng(9);
    const noise = Uint8Array.from({ length: 300_000 }, () => Math.floor(random() * 256));
    const bytes = new Uint8Array([...streamHeader(), ...noise]);
    const { ms, samples } = await decodeTimed(bytes);
    expect(samples).toBe(0);
    expect(ms).toBeLessThan(2000);
  });

  it('a valid frame header every 64 bytes, each promising 8 × 65536 32-bit samples: linear time', async () => {
    // Each false frame would read up to its 3 MB limit; searched again from the next byte,
    // 16000 of them would read for minutes. Failed frames may read the input again only
    // 8 times over (the REREAD budget), then the search goes on past what they read.
    const random = prng(5);
    const frames = new Uint8Array(1 << 20);
    for (let at = 0; at < frames.length; at += 64) {
      const header = [0xff, 0xf8, 0x70, 0x7e, 0x40 + Math.floor(random() * 60), 0xff, 0xff];
      frames.set([...header, crc8(Uint8Array.from(header), 0, header.length), 0x02], at);
      for (let k = 9; k < 64; k++) frames[at + k] = Math.floor(random() * 256);
    }
    const { ms } = await decodeTimed(new Uint8Array([...streamHeader(), ...frames]));
    expect(ms).toBeLessThan(5000);
  });

  it('a megabyte of 0xFF (a sync byte everywhere): no throw, quickly', async () => {
    const bytes = new Uint8Array([...streamHeader(), ...new Uint8Array(1 << 20).fill(0xff)]);
    const { ms, samples } = await decodeTimed(bytes);
    expect(samples).toBe(0);
    expect(ms).toBeLessThan(2000);
  });
});
