import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { pulseAvailable, startPulse, type PulseAudio } from '../support/pulse';
import { alignAndCompare, findHoles, findOnset } from '../support/recording';

/**
 * Proves the recording harness itself: a known signal played by WebAudio in Debian's
 * Chromium comes back through a private PulseAudio at the time the page predicted, with
 * the same shape and without holes. Every later test of what Utter really plays rests on it.
 */
const SIGNAL_RATE = 24000; // TTS rate: the browser resamples to 48 kHz, as it will for speech
const available = pulseAvailable();
if (!available) console.warn('pulse-harness: skipped, `pulseaudio`, `parec` or `pactl` is not installed (apt-get install pulseaudio pulseaudio-utils)');

/** 1 s of 440 Hz, then 0.5 s sweeping 300 Hz → 3 kHz: the tone is easy to hear, the sweep impossible to misalign. */
function testSignal(): Float32Array {
  const tone = SIGNAL_RATE;
  const sweep = SIGNAL_RATE / 2;
  const out = new Float32Array(tone + sweep);
  for (let i = 0; i < tone; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / SIGNAL_RATE);
  for (let i = 0; i < sweep; i++) {
    const t = i / SIGNAL_RATE;
    const phase = 2 * Math.PI * (300 * t + ((3000 - 300) / 0.5 / 2) * t * t);
    out[tone + i] = 0.4 * Math.sin(phase);
  }
  return out;
}

let pulse: PulseAudio | undefined;
let browser: BrowserContext | undefined;
let server: Server | undefined;
let url = '';
const signal = testSignal();

beforeAll(async () => {
  if (!available) return;
  pulse = await startPulse();
  const page = new TextEncoder().encode('<!doctype html><title>pulse harness</title>');
  server = createServer((req, res) => {
    const body = req.url === '/signal.f32' ? new Uint8Array(signal.buffer) : page;
    res.writeHead(200, { 'content-type': req.url === '/signal.f32' ? 'application/octet-stream' : 'text/html' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium({ env: pulse.env });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await pulse?.stop();
}, 60_000);

/** What the page reports about the sound it scheduled. */
interface Played {
  /** Wall-clock ms (performance.timeOrigin scale) the first sample should be heard. */
  predictedMs: number;
  /** Range of the same prediction made again during playback, relative to the first. */
  drift: { min: number; max: number };
  sampleRate: number;
  outputLatency: number;
  baseLatency: number;
  /** How long the context said 'running' while its time stood still. */
  stalledMs: number;
}

// A string, not a function: vitest rewrites what it transforms. The context is created
// first and given time to start moving (a fresh PulseAudio context can stall for up to 2 s).
const PLAY = `(async () => {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  const waitFrom = performance.now();
  const firstTime = ctx.currentTime;
  while (ctx.currentTime === firstTime) {
    if (performance.now() - waitFrom > 10000) throw new Error('AudioContext time stood still for 10 s, state ' + ctx.state);
    await new Promise((r) => setTimeout(r, 10));
  }
  const stalledMs = performance.now() - waitFrom;
  // Right after the start the output timestamp is still settling (seen 5-15 ms off).
  const settleUntil = ctx.currentTime + 0.5;
  while (ctx.currentTime < settleUntil) await new Promise((r) => setTimeout(r, 20));
  const signal = new Float32Array(await (await fetch('/signal.f32')).arrayBuffer());
  const buffer = new AudioBuffer({ length: signal.length, sampleRate: ${SIGNAL_RATE}, numberOfChannels: 1 });
  buffer.copyToChannel(signal, 0);
  const source = new AudioBufferSourceNode(ctx, { buffer });
  source.connect(ctx.destination);
  const ended = new Promise((r) => (source.onended = r));
  const startTime = ctx.currentTime + 0.3;
  source.start(startTime);
  const predict = () => {
    const ts = ctx.getOutputTimestamp();
    return performance.timeOrigin + ts.performanceTime + (startTime - ts.contextTime) * 1000;
  };
  const predictedMs = predict();
  // The same prediction made again while it plays: how much it wanders.
  const later = [];
  const sampler = setInterval(() => later.push(predict() - predictedMs), 50);
  await ended;
  clearInterval(sampler);
  const drift = { min: Math.min(...later), max: Math.max(...later) };
  return { predictedMs, drift, sampleRate: ctx.sampleRate, outputLatency: ctx.outputLatency, baseLatency: ctx.baseLatency, stalledMs };
})()`;

describe('recording what Chromium plays through a private PulseAudio', () => {
  it.skipIf(!available)('hears a WebAudio signal when the page predicted, whole and unchanged', async () => {
    const tab = await browser!.newPage();
    await tab.goto(url);
    const recording = pulse!.record();
    await recording.ready;
    const played = (await tab.evaluate(PLAY)) as Played;
    await new Promise((r) => setTimeout(r, 400)); // 'ended' fires before the output latency has passed
    const audio = await recording.stop();

    const onset = findOnset(audio.samples, audio.sampleRate);
    expect(onset).toBeGreaterThan(0);
    const onsetErrorMs = audio.startedAtMs + (onset * 1000) / audio.sampleRate - played.predictedMs;
    const { lag, correlation } = alignAndCompare(audio.samples, signal, audio.sampleRate, SIGNAL_RATE);
    const playedLength = Math.round((signal.length * audio.sampleRate) / SIGNAL_RATE);
    const holes = findHoles(audio.samples, audio.sampleRate, { from: lag, to: lag + playedLength, minMs: 20 });
    console.log(
      `pulse-harness: onset error ${onsetErrorMs.toFixed(1)} ms, correlation ${correlation.toFixed(5)}, ` +
        `lag − onset ${lag - onset} samples, first read ${(audio.startedAtMs - audio.earliestStartMs).toFixed(1)} ms late, ` +
        `context ${played.sampleRate} Hz, base/output latency ${(played.baseLatency * 1000).toFixed(1)}/${(played.outputLatency * 1000).toFixed(1)} ms, ` +
        `stalled ${played.stalledMs.toFixed(0)} ms, later predictions ${played.drift.min.toFixed(1)}..${played.drift.max.toFixed(1)} ms, ` +
        `holes ${JSON.stringify(holes)}`,
    );

    expect(Math.abs(onsetErrorMs)).toBeLessThan(20);
    expect(correlation).toBeGreaterThan(0.95);
    expect(Math.abs(lag - onset)).toBeLessThan(audio.sampleRate / 1000); // the shape starts where the sound does
    expect(holes).toEqual([]);
    await tab.close();
  });
});
