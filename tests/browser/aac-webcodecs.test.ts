import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../shared/decoders/audio';
import { fixture, HE_AAC_FIXTURES, readWav, snrDb, testHeAac } from '../support/audio-files';
import { launchChromium } from '../support/browser';

/**
 * The AAC decoder needs WebCodecs, which only the browser has: run the same shared/
 * code in Debian's Chromium, fed the ADTS fixture in small chunks, and compare with
 * ffmpeg's decode of the same file.
 */
let server: Server;
let url: string;
let browser: BrowserContext;

if (!testHeAac) console.warn('aac-webcodecs: the HE-AAC tests skipped, aac-enc is not installed (.ci/run installs it from Debian non-free)');

/** Frames whose payload is noise (their ADTS headers intact): Chromium's decoder fails on them. */
const DAMAGED_FRAMES = { from: 100, count: 8 };

beforeAll(async () => {
  const bundle = async (...path: string[]): Promise<Uint8Array> =>
    (await build({ entryPoints: [join(import.meta.dirname, '..', '..', ...path)], bundle: true, format: 'esm', write: false, platform: 'browser' })).outputFiles[0].contents;
  const aac = fixture('speech.aac');
  const files: Record<string, [Uint8Array, string]> = {
    '/aac.js': [await bundle('shared', 'decoders', 'aac.ts'), 'text/javascript'],
    '/audio.js': [await bundle('shared', 'decoders', 'audio.ts'), 'text/javascript'],
    '/utterance-decoder.js': [await bundle('shared', 'playback', 'utterance-decoder.ts'), 'text/javascript'],
    '/speech.aac': [aac, 'audio/aac'],
    '/damaged.aac': [damagePayloads(aac, DAMAGED_FRAMES.from, DAMAGED_FRAMES.count), 'audio/aac'],
    // Files joined in one body, as servers that send a file per sentence make them: 24 kHz mono, 44.1 kHz stereo, then 24 kHz mono behind an ID3v2 tag.
    '/joined.aac': [concatBytes(aac, fixture('speech-stereo.aac'), fixture('speech-id3.aac')), 'audio/aac'],
  };
  if (testHeAac) {
    for (const name of HE_AAC_FIXTURES) files[`/${name}`] = [fixture(name), 'audio/aac'];
    files['/damaged-he.aac'] = [damagePayloads(fixture('speech-he.aac'), DAMAGED_FRAMES.from / 2, DAMAGED_FRAMES.count / 2), 'audio/aac'];
    // AAC-LC, HE-AAC, AAC-LC: each named for what it is as it plays.
    files['/joined-he.aac'] = [concatBytes(aac, fixture('speech-he.aac'), aac), 'audio/aac'];
  }
  server = createServer((req, res) => {
    const [body, type] = files[req.url ?? ''] ?? [new TextEncoder().encode('<!doctype html><title>aac</title>'), 'text/html'];
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

// ADTS cannot signal SBR: an HE-AAC header says AAC-LC at half the rate, and only the
// decoder's output shows twice the rate (and, from a mono header, two channels).
describe('AAC through WebCodecs in Chromium', () => {
  const streams: [file: string, rate: number, codec: string, minSnrDb: number][] = [['speech.aac', 24000, 'AAC', 120]];
  if (testHeAac) streams.push(['speech-he.aac', 24000, 'HE-AAC', 100], ['speech-stereo-hev2.aac', 44100, 'HE-AAC', 100]);
  it.each(streams)('%s fed in small chunks streams to ffmpeg\'s samples at %i Hz, named %s', async (name, rate, codec, minSnrDb) => {
    const page = await browser.newPage();
    await page.goto(url);
    // A string, not a function: vitest rewrites import() inside functions it transforms.
    const result = (await page.evaluate(`(async () => {
      const { AacDecoder } = await import('/aac.js');
      const bytes = new Uint8Array(await (await fetch('/${name}')).arrayBuffer());
      const decoder = new AacDecoder();
      const channels = [];
      let rate = 0;
      let firstAt = -1;
      const take = (out, at) => {
        if (!out.samplesDecoded) return;
        if (firstAt < 0) firstAt = at;
        rate = out.sampleRate;
        out.channelData.forEach((c, i) => (channels[i] ??= []).push(...c.subarray(0, out.samplesDecoded)));
      };
      for (let pos = 0, i = 0; pos < bytes.length; i++) {
        const size = 1 + ((i * 7919) % 3000);
        take(await decoder.push(bytes.subarray(pos, pos + size)), pos + size);
        pos += size;
        // Network chunks arrive as separate tasks; WebCodecs delivers its output between them.
        await new Promise((r) => setTimeout(r, 2));
      }
      take(await decoder.flush(), bytes.length);
      return { channels, rate, firstAt, bytes: bytes.length, skipped: decoder.stats.skippedFrames, name: decoder.codecName() };
    })()`)) as { channels: number[][]; rate: number; firstAt: number; bytes: number; skipped: number; name: string };
    const ref = readWav(fixture(`${name}.ref.wav`));
    expect(result.rate).toBe(rate);
    expect(result.name).toBe(codec);
    expect(result.skipped).toBe(0);
    // It streams: audio came out long before the end of the input.
    expect(result.firstAt).toBeGreaterThan(0);
    expect(result.firstAt).toBeLessThan(result.bytes / 4);
    expect(result.channels.length).toBe(ref.channels.length);
    ref.channels.forEach((channel, c) => {
      const decoded = Float32Array.from(result.channels[c]);
      // Chromium's AAC decoder is FFmpeg's, given the same AudioSpecificConfig: same samples, same alignment.
      const { snr, lag } = snrDb(decoded, channel, 2112);
      expect(lag).toBe(0);
      expect(decoded.length).toBe(channel.length);
      expect(snr).toBeGreaterThan(minSnrDb);
    });
  }, 60_000);
});

describe('AAC files joined in one body', () => {
  // Servers that send a file per sentence join them. Each file plays in its own rate and
  // channels, named for what it is while it plays, as ffmpeg decodes it alone.
  it.each([
    // 24 kHz mono, 44.1 kHz stereo, then 24 kHz mono behind an ID3v2 tag, in uneven chunks.
    ['/joined.aac', 0, [['24000/1 AAC', 'speech.aac.ref.wav'], ['44100/2 AAC', 'speech-stereo.aac.ref.wav'], ['24000/1 AAC', 'speech.aac.ref.wav']]],
    // AAC-LC, HE-AAC, AAC-LC. 97-byte chunks, under each file's first frame (417 and 341
    // bytes): no push completes frames of two files, so the name read after a push is its audio's.
    ...(testHeAac ? [['/joined-he.aac', 97, [['24000/1 AAC', 'speech.aac.ref.wav'], ['24000/2 HE-AAC', 'speech-he.aac.ref.wav'], ['24000/1 AAC', 'speech.aac.ref.wav']]] as const] : []),
  ] as const)('%s plays each file as it decodes alone, with nothing skipped', async (file, chunk, expected) => {
    const page = await browser.newPage();
    await page.goto(url);
    const result = (await page.evaluate(`(async () => {
      const { AacDecoder } = await import('/aac.js');
      const { audioRuns } = await import('/audio.js');
      const bytes = new Uint8Array(await (await fetch('${file}')).arrayBuffer());
      const decoder = new AacDecoder();
      const runs = [];
      const take = (out) => {
        for (const run of audioRuns(out)) {
          if (!run.samplesDecoded) continue;
          const channels = run.channelData.map((c) => Array.from(c.subarray(0, run.samplesDecoded)));
          const kind = run.sampleRate + '/' + channels.length + ' ' + decoder.codecName();
          const last = runs.at(-1);
          if (last && last.kind === kind) last.channels.forEach((c, i) => c.push(...channels[i]));
          else runs.push({ kind, channels });
        }
      };
      for (let pos = 0, i = 0; pos < bytes.length; i++) {
        const size = ${chunk} || 1 + ((i * 7919) % 3000);
        take(await decoder.push(bytes.subarray(pos, pos + size)));
        pos += size;
        await new Promise((r) => setTimeout(r, 2));
      }
      take(await decoder.flush());
      return { runs, skipped: decoder.stats.skippedFrames };
    })()`)) as { runs: { kind: string; channels: number[][] }[]; skipped: number };
    expect(result.skipped).toBe(0);
    expect(result.runs.map((r) => r.kind)).toEqual(expected.map(([kind]) => kind));
    expected.forEach(([, reference], i) => {
      readWav(fixture(reference)).channels.forEach((channel, c) => {
        const decoded = Float32Array.from(result.runs[i].channels[c]);
        expect(decoded.length).toBe(channel.length);
        // Each file starts afresh (its own priming frame), so it decodes as it does alone.
        expect(snrDb(decoded, channel).snr).toBeGreaterThan(100);
      });
    });
  }, 60_000);
});

/** A copy with the payloads of `count` ADTS frames from frame `from` overwritten with noise. */
function damagePayloads(bytes: Uint8Array, from: number, count: number): Uint8Array {
  const out = bytes.slice();
  for (let p = 0, frame = 0; p + 7 <= out.length; frame++) {
    const length = ((out[p + 3] & 3) << 11) | (out[p + 4] << 3) | (out[p + 5] >> 5);
    if (frame >= from && frame < from + count) for (let i = p + 7; i < p + length; i++) out[i] = (i * 7919 + 17) & 0xff;
    p += length;
  }
  return out;
}

describe('damaged AAC in the utterance decoder (spec E2)', () => {
  // HE-AAC's frames last twice as many output samples: half as many are damaged, for as long.
  it.each([
    ['AAC-LC', '/damaged.aac', 'speech.aac.ref.wav'],
    ...(testHeAac ? [['HE-AAC', '/damaged-he.aac', 'speech-he.aac.ref.wav']] : []),
  ])('%s: a decoder that gives up on damaged frames costs a chunk, not the utterance, and says how long it was', async (_kind, file, reference) => {
    const page = await browser.newPage();
    await page.goto(url);
    const result = (await page.evaluate(`(async () => {
      const { UtteranceDecoder } = await import('/utterance-decoder.js');
      const bytes = new Uint8Array(await (await fetch('${file}')).arrayBuffer());
      const decoder = new UtteranceDecoder({ channels: 'stream', streaming: true });
      const segment = { index: 0, start: 0, end: 5, text: 'x' };
      let frames = 0;
      const take = (blocks) => { for (const block of blocks) frames += block[0].length; };
      take(await decoder.accept({ type: 'segment-start', segment, format: 'aac', endpoint: 't', attempt: 0, restart: false, requestedAt: 0 }));
      for (let pos = 0; pos < bytes.length; pos += 1500) {
        take(await decoder.accept({ type: 'chunk', segmentIndex: 0, bytes: bytes.subarray(pos, pos + 1500) }));
        await new Promise((r) => setTimeout(r, 2));
      }
      take(await decoder.accept({ type: 'segment-end', segmentIndex: 0, metrics: {}, skipped: false }));
      return { frames, skippedMs: decoder.metrics.skippedMs, skippedFrames: decoder.metrics.skippedFrames };
    })()`)) as { frames: number; skippedMs: number; skippedFrames: number };
    const ref = readWav(fixture(reference)).channels[0];
    const missingMs = ((ref.length - result.frames) / 24000) * 1000;
    // 8 frames of 1024 samples (AAC-LC) or 4 of 2048 (HE-AAC) at 24 kHz (341 ms) hidden by the damage, and what the decoder
    // in flight held when it gave up: the rest of the speech played.
    expect(missingMs).toBeGreaterThan(300);
    expect(missingMs).toBeLessThan(1500);
    // Counted about as long as it was: the loss of a chunk is estimated from its bytes.
    expect(result.skippedMs / missingMs).toBeGreaterThan(0.75);
    expect(result.skippedMs / missingMs).toBeLessThan(1.25);
  }, 60_000);
});
