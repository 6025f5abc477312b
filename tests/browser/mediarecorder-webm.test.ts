import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../../shared/decoders';
import { concatBytes } from '../../shared/decoders/audio';
import { readWav } from '../support/audio-files';
import { launchChromium } from '../support/browser';
import { goertzel } from '../support/sentence-tones';
import { decodeChunks } from '../decoders/helpers';

/**
 * Opus in WebM from another encoder than ffmpeg: Chromium's MediaRecorder, as a server that
 * relays a browser's recording sends it (Segment and Clusters of unknown size, a first
 * chunk of one byte). Its chunks, as they came, go through Utter's Opus decoder, and come
 * out as long as ffmpeg decodes the recording, at the tone that was recorded.
 */
let browser: BrowserContext;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

/** Records `seconds` of a `hz` tone with MediaRecorder; its chunks as they came. */
async function record(hz: number, seconds: number): Promise<Uint8Array[]> {
  const page = await browser.newPage();
  await page.goto('data:text/html,<title>record</title>');
  const chunks = (await page.evaluate(`(async () => {
    const context = new AudioContext({ sampleRate: 48000 });
    await context.resume();
    const tone = new OscillatorNode(context, { frequency: ${hz} });
    const destination = context.createMediaStreamDestination();
    tone.connect(destination);
    tone.start();
    const recorder = new MediaRecorder(destination.stream, { mimeType: 'audio/webm;codecs=opus' });
    const blobs = [];
    recorder.ondataavailable = (event) => blobs.push(event.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.start(100);
    await new Promise((resolve) => setTimeout(resolve, ${seconds * 1000}));
    recorder.stop();
    await stopped;
    return Promise.all(blobs.map(async (blob) => Array.from(new Uint8Array(await blob.arrayBuffer()))));
  })()`)) as number[][];
  await page.close();
  return chunks.map((chunk) => Uint8Array.from(chunk));
}

describe('Opus in WebM as MediaRecorder writes it', () => {
  it('decodes chunk by chunk to ffmpeg\'s length, at the recorded tone, with nothing skipped', async () => {
    const chunks = await record(440, 1.5);
    const whole = concatBytes(...chunks);
    // The live layout: a Cluster of unknown size.
    expect(Buffer.from(whole).includes(Buffer.from([0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'utter-mediarecorder-'));
    writeFileSync(join(dir, 'recording.webm'), whole);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', join(dir, 'recording.webm'), '-c:a', 'pcm_f32le', join(dir, 'ffmpeg.wav')]);
    const reference = readWav(new Uint8Array(readFileSync(join(dir, 'ffmpeg.wav'))));

    const decoder = createDecoder('opus');
    const out = await decodeChunks(decoder, chunks);
    decoder.free();
    expect(decoder.stats.skippedFrames).toBe(0);
    expect(out.channels).toHaveLength(reference.channels.length);
    expect(out.channels[0].length).toBe(reference.channels[0].length);
    expect(out.channels[0].length / 48000).toBeGreaterThan(1);
    // Heard before the recording's end: from its first chunks.
    expect(out.firstAudioAtByte).toBeLessThan(whole.length / 2);
    const middle = Math.floor(out.channels[0].length / 2);
    const at440 = goertzel(out.channels[0], middle, 4800, 440 / 48000);
    const at1000 = goertzel(out.channels[0], middle, 4800, 1000 / 48000);
    expect(at440).toBeGreaterThan(1000 * at1000);
  }, 60_000);
});
