import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, readWav, snrDb } from '../support/audio-files';
import { launchChromium } from '../support/browser';

/**
 * The AAC decoder needs WebCodecs, which only the browser has: run the same shared/
 * code in Debian's Chromium, fed the ADTS fixture in small chunks, and compare with
 * ffmpeg's decode of the same file.
 */
let server: Server;
let url: string;
let browser: BrowserContext;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'shared', 'decoders', 'aac.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    platform: 'browser',
  });
  const script = bundle.outputFiles[0].contents;
  const aac = fixture('speech.aac');
  server = createServer((req, res) => {
    const body = req.url === '/aac.js' ? script : req.url === '/speech.aac' ? aac : new TextEncoder().encode('<!doctype html><title>aac</title>');
    const type = req.url === '/aac.js' ? 'text/javascript' : req.url === '/speech.aac' ? 'audio/aac' : 'text/html';
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

describe('AAC through WebCodecs in Chromium', () => {
  it('decodes ADTS fed in small chunks to the same speech as ffmpeg', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    // A string, not a function: vitest rewrites import() inside functions it transforms.
    const result = (await page.evaluate(`(async () => {
      const { AacDecoder } = await import('/aac.js');
      const bytes = new Uint8Array(await (await fetch('/speech.aac')).arrayBuffer());
      const decoder = new AacDecoder();
      const parts = [];
      let rate = 0;
      let firstAt = -1;
      for (let pos = 0, i = 0; pos < bytes.length; i++) {
        const size = 1 + ((i * 7919) % 3000);
        const out = await decoder.push(bytes.subarray(pos, pos + size));
        pos += size;
        // Network chunks arrive as separate tasks; WebCodecs delivers its output between them.
        await new Promise((r) => setTimeout(r, 2));
        if (out.samplesDecoded) {
          if (firstAt < 0) firstAt = pos;
          parts.push(out.channelData[0]);
          rate = out.sampleRate;
        }
      }
      const tail = await decoder.flush();
      if (tail.samplesDecoded) {
        parts.push(tail.channelData[0]);
        rate = tail.sampleRate;
      }
      const samples = [];
      for (const p of parts) for (const v of p) samples.push(v);
      return { samples, rate, firstAt, bytes: bytes.length, skipped: decoder.stats.skippedFrames };
    })()`)) as { samples: number[]; rate: number; firstAt: number; bytes: number; skipped: number };
    const ref = readWav(fixture('speech.aac.ref.wav'));
    expect(result.rate).toBe(24000);
    expect(result.skipped).toBe(0);
    // It streams: audio came out long before the end of the input.
    expect(result.firstAt).toBeGreaterThan(0);
    expect(result.firstAt).toBeLessThan(result.bytes / 4);
    const samples = Float32Array.from(result.samples);
    // Chromium's AAC decoder is FFmpeg's, given the same AudioSpecificConfig: same samples, same alignment.
    const { snr, lag } = snrDb(samples, ref.channels[0], 2112);
    expect(lag).toBe(0);
    expect(samples.length).toBe(ref.channels[0].length);
    expect(snr).toBeGreaterThan(120);
  }, 60_000);
});
