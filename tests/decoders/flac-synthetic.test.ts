// Streams written to reach what the real encoders seldom write (escaped partitions,
// variable block sizes, Rice2, wasted bits, LPC with any coefficients, 33-bit side
// channels, odd bit depths and every rate code, every metadata block), each checked first
// by `flac -d` (it must give back the samples written) and then by the decoder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWavIntegers } from '../support/wav-file';
import { decodeFlacIntegers, firstDifference } from './flac-helpers';
import { decorrelate, writeFrame, writeStreamHeader, written, type FramePlan, type SubframePlan } from './flac-writer';
import { prng, randomChunks } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'utter-flac-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** [rate, header code]: the table, a rate in kHz, in Hz, in tens of Hz, and STREAMINFO's only. */
const RATES = [[88200, 1], [8000, 4], [16000, 5], [22050, 6], [24000, 7], [44100, 9], [48000, 10], [96000, 11], [12000, 12], [7350, 13], [37800, 14], [44100, 0], [50000, 0]];
/** [bits, header code]: 13 and 4 only STREAMINFO can say. */
const DEPTHS = [[8, 1], [12, 2], [16, 4], [20, 5], [24, 6], [32, 7], [16, 0], [13, 0], [4, 0]];

interface Stream {
  bytes: Uint8Array;
  samples: number[][];
  sampleRate: number;
  bits: number;
}

/** A stream of about a dozen frames from `seed`: its bytes and the samples they hold. */
function makeStream(seed: number): Stream {
  const random = prng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  // Every rate and depth code in turn; the rest at random.
  const [sampleRate, rateCode] = RATES[seed % RATES.length];
  const [bits, bitsCode] = DEPTHS[seed % DEPTHS.length];
  const channels = pick([1, 1, 2, 2, 2, 3, 6, 8]);
  const variable = seed % 3 === 0;
  const fixedSize = [192, 576, 1152, 4096, 256, 100, 1000, 4608][seed % 8];
  const sizes = Array.from({ length: 12 }, (_, i) => (variable ? 16 + Math.floor(random() * 5000) : i === 11 ? 1 + Math.floor(random() * fixedSize) : fixedSize));
  const frames: Uint8Array[] = [];
  const samples: number[][] = Array.from({ length: channels }, () => []);
  let number = 0;
  for (const blockSize of sizes) {
    for (;;) {
      const signal = frameSignal(random, channels, bits, blockSize);
      const assignment = channels === 2 ? pick([1, 8, 9, 10]) : channels - 1;
      const plan: FramePlan = { number, variable, rateCode, sampleRate, bitsCode, bits, assignment, samples: signal, subframes: [] };
      const sub = decorrelate(assignment, signal);
      plan.subframes = sub.map((x) => subframePlan(random, x, blockSize, bits));
      const frame = writeFrame(plan);
      if (!frame) continue; // a residual past 32 bits: another plan
      frames.push(frame);
      signal.forEach((s, c) => samples[c].push(...s));
      break;
    }
    number += variable ? blockSize : 1;
  }
  const total = samples[0].length;
  const header = writeStreamHeader({ sampleRate, channels, bits, minBlock: Math.min(...sizes), maxBlock: Math.max(...sizes), total });
  const bytes = new Uint8Array(header.length + frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const part of [header, ...frames]) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, samples, sampleRate, bits };
}

/** One frame's channels: smooth, noisy, constant, silent, or with low bits that are always zero. */
function frameSignal(random: () => number, channels: number, bits: number, blockSize: number): number[][] {
  const top = 2 ** (bits - 1);
  const kind = Math.floor(random() * 5);
  const wasted = Math.min(bits - 2, 1 + Math.floor(random() * 4));
  const constant = Math.floor((random() * 2 - 1) * top);
  return Array.from({ length: channels }, (_, c) => {
    const f = 0.001 + random() * 0.05;
    return Array.from({ length: blockSize }, (_, i) => {
      if (kind === 0) return constant;
      if (kind === 1) return 0;
      if (kind === 2) return Math.floor(random() * 2 * top) - top;
      const smooth = Math.floor(0.7 * top * Math.sin(f * i + c) + (random() - 0.5) * top * 0.01);
      const value = Math.max(-top, Math.min(top - 1, smooth));
      return kind === 3 ? value : Math.floor(value / 2 ** wasted) * 2 ** wasted;
    });
  });
}

/** Any valid way to write these samples, with no eye to size. */
function subframePlan(random: () => number, x: number[], blockSize: number, bits: number): SubframePlan {
  let zeros = 0;
  while (zeros < bits - 1 && x.every((v) => v % 2 ** (zeros + 1) === 0)) zeros++;
  const wasted = x.every((v) => v === 0) ? 0 : Math.floor(random() * (zeros + 1));
  if (x.every((v) => v === x[0]) && random() < 0.7) return { type: 'constant', wasted };
  const kind = random();
  if (kind < 0.1) return { type: 'verbatim', wasted };
  const order = kind < 0.45 ? Math.floor(random() * 5) : 1 + Math.floor(random() * 32);
  if (order > blockSize) return { type: 'verbatim', wasted };
  let maxPartitionOrder = 0;
  while (maxPartitionOrder < 15 && blockSize % 2 ** (maxPartitionOrder + 1) === 0 && blockSize >> (maxPartitionOrder + 1) >= order) maxPartitionOrder++;
  const escapeShare = random() < 0.5 ? 0 : random();
  const partitionOrder = random() < 0.3 ? maxPartitionOrder : Math.floor(random() * (maxPartitionOrder + 1));
  const residual = { rice2: random() < 0.5, partitionOrder, escaped: () => random() < escapeShare };
  if (kind < 0.45) return { type: 'fixed', order, wasted, residual };
  // Either a predictor that works (the order-2 fixed one, scaled) or any coefficients at all.
  const precision = 1 + Math.floor(random() * 15);
  const shift = Math.floor(random() * Math.min(16, precision));
  const limit = 2 ** (precision - 1);
  const coefs = Array.from({ length: order }, (_, j) => {
    const good = j === 0 ? 2 * 2 ** shift : j === 1 ? -(2 ** shift) : 0;
    const value = random() < 0.5 ? good : Math.floor((random() * 2 - 1) * limit);
    return Math.max(-limit, Math.min(limit - 1, value));
  });
  return { type: 'lpc', coefs, precision, shift, wasted, residual };
}

describe.each(Array.from({ length: 24 }, (_, i) => i + 1))('written stream %i', (seed) => {
  it('flac -d gives back the samples written, and so does the decoder, in random pieces', () => {
    const stream = makeStream(seed);
    const file = join(dir, `${seed}.flac`);
    writeFileSync(file, stream.bytes);
    // (stderr kept: flac warns that STREAMINFO has no MD5 to check)
    execFileSync('flac', ['-d', '--silent', '--force', '-o', `${file}.wav`, file], { stdio: 'pipe' });
    const reference = parseWavIntegers(new Uint8Array(readFileSync(`${file}.wav`)));
    stream.samples.forEach((written, c) => {
      expect(firstDifference(reference.channels[c], Int32Array.from(written)), `flac -d, channel ${c}`).toBe(-1);
    });
    const out = decodeFlacIntegers(randomChunks(stream.bytes, seed, 2000));
    expect(out.sampleRate).toBe(stream.sampleRate);
    expect(out.bits).toBe(stream.bits);
    expect(out.losses).toEqual({ skippedFrames: 0, skippedSamples: 0 });
    stream.samples.forEach((written, c) => {
      expect(firstDifference(out.channels[c], Int32Array.from(written)), `decoder, channel ${c}`).toBe(-1);
    });
  });
});

it('the written streams reach every part of the format', () => {
  for (let seed = 1; seed <= 24; seed++) makeStream(seed);
  const parts = ['constant', 'verbatim', 'fixed order 0', 'fixed order 4', 'lpc', 'lpc order > 24', 'lpc precision 15', 'wasted bits', 'rice', 'rice2',
    'escaped partition', 'escaped partition of zeros', 'partition order > 8', 'variable block size', '33-bit subframe', '4-bit subframe', '13-bit subframe',
    'assignment 7', 'assignment 8', 'assignment 9', 'assignment 10', 'block code 1', 'block code 6', 'block code 7',
    'rate code 0', 'rate code 12', 'rate code 13', 'rate code 14', 'bits code 0', 'bits code 7'];
  expect(parts.filter((part) => !written.has(part))).toEqual([]);
});
