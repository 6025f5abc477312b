import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speakOverLink, type EngineLink } from '../../electron/engine/link';
import type { AudioFormat } from '../../shared/audio-format';
import { SincResampler } from '../../shared/audio/sinc-resampler';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { ConsumerLink, LinkEvent } from '../../shared/playback/link-protocol';
import type { ErrorInfo } from '../../shared/speech-events';
import { PlayerCore } from '../../shared/playback/player-core';
import { damageNotice } from '../../shared/playback/damage';
import type { FeederNotice, PlayMode } from '../../shared/playback/feeder-types';
import { RingFeeder } from '../../shared/playback/ring-feeder';
import { warmAudioPath } from '../../shared/playback/warm-up';
import { damage } from '../decoders/helpers';
import { createStats, STAT } from '../../shared/playback/stats';
import { fixture, readWav, snrDb } from '../support/audio-files';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * The decoder worker's logic with the real engine on the other end of a real MessagePort
 * and a real HTTP server behind it: what reaches the ring is the reference decode,
 * resampled to the output rate, once and in order.
 */
const RATE = 48000;
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer();
  // As the decoder worker does when it starts: the start decisions below are timed, and a
  // cold first decode (15 ms to build the first resampler alone, in Node) would pose as a slow link.
  await warmAudioPath(RATE);
});
afterAll(() => server.close());

function engineLink(port: MessagePort): EngineLink {
  return {
    send: (event) => port.postMessage(event),
    onMessage: (handler) => port.on('message', handler),
    onClose: (handler) => port.on('close', handler),
    close: () => port.close(),
  };
}

function consumerLink(port: MessagePort, onEvent: (event: LinkEvent) => void): ConsumerLink {
  port.on('message', onEvent);
  return { send: (command) => port.postMessage(command), close: () => port.close() };
}

/** Plays one request through engine → port → feeder → ring → PlayerCore; returns every rendered frame. */
async function play(format: AudioFormat, settings: Partial<Settings> = {}, control?: (feeder: RingFeeder, notices: FeederNotice[]) => void, channels: 1 | 2 = 1, mode: Partial<PlayMode> = {}) {
  const ring = new RingBuffer(RingBuffer.getStorageForCapacity(RATE * 4 * channels, Float32Array), Float32Array);
  const stats = createStats();
  const core = new PlayerCore(ring, stats, channels, { initialFrames: 7200, minFrames: 1440, maxFrames: 96000, growth: 1.5 });
  const notices: FeederNotice[] = [];
  const feeder = new RingFeeder(ring, stats, { sampleRate: RATE, channels, prerollMs: 150, minPrerollMs: 30, maxBufferMs: 2000 }, (n) => notices.push(n));
  const { port1, port2 } = new MessageChannel();
  const full: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format, ...settings };
  const spoken = speakOverLink({ text: 'Hello from Utter.' }, engineLink(port1), { settings: full });
  feeder.play(1, (onEvent) => consumerLink(port2, onEvent), { streaming: full.streamingEnabled, ...mode });
  const out = new Float32Array(128);
  const outRight = new Float32Array(128);
  const rendered: number[] = [];
  const renderedRight: number[] = [];
  let maxBuffered = 0;
  const deadline = Date.now() + 20_000;
  while (!notices.some((n) => n.type === 'drained') && Date.now() < deadline) {
    control?.(feeder, notices);
    // A consumer that never underruns: once playing, it renders only when a quantum is there
    // or the stream ended (the real worklet renders at real time; the browser tests cover that).
    if (ring.availableRead() >= 128 || Atomics.load(stats, STAT.ended) === 1 || Atomics.load(stats, STAT.framesPlayed) === 0) {
      const drainedBefore = Atomics.load(stats, STAT.drained) === 1;
      core.render([out, outRight], 128);
      if (Atomics.load(stats, STAT.framesPlayed) > 0 && !drainedBefore) {
        rendered.push(...out);
        renderedRight.push(...outRight);
      }
    }
    maxBuffered = Math.max(maxBuffered, ring.availableRead() / channels + Atomics.load(stats, STAT.pendingFrames));
    await new Promise((r) => setTimeout(r, 0));
  }
  await spoken;
  // maxBuffered in frames, as the ring holds them.
  return { rendered: Float32Array.from(rendered), right: Float32Array.from(renderedRight), stats, notices, maxBuffered: maxBuffered };
}

function reference(file: string, channel = 0): Float32Array {
  const ref = readWav(fixture(file));
  const resampler = new SincResampler(ref.sampleRate, RATE);
  const head = resampler.process(ref.channels[channel]);
  const tail = resampler.flush();
  const all = new Float32Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  return all;
}

const FORMATS: [Exclude<AudioFormat, 'aac'>, string, number, string][] = [
  ['pcm', 'speech-24k.wav', 120, 'PCM, 24 kHz, mono'],
  ['wav', 'speech-24k.wav', 120, 'WAV, 24 kHz, mono'],
  ['flac', 'speech.flac.ref.wav', 120, 'FLAC, 24 kHz, mono'],
  ['mp3', 'speech.mp3.ref.wav', 90, 'MP3, 24 kHz, mono'],
  ['opus', 'speech.opus.ref.wav', 60, 'Opus, 48 kHz, mono'],
];

describe.each(FORMATS)('%s: engine → port → decoder → ring → worklet core', (format, refFile, minSnr, received) => {
  it('renders the reference decode at the output rate, once and in order, on both sides of a stereo ring', async () => {
    const { rendered, right, stats, notices, maxBuffered } = await play(format, {}, undefined, 2);
    expect(right).toEqual(rendered);
    const ref = reference(refFile);
    // Spec B4: max-buffer (2 s), plus up to two 4 KB chunks in flight while a credit report
    // travels back, plus what one decode step can release at once (an Ogg page from opusenc
    // holds up to 1 s; the FLAC decoder holds one frame back until the next sync code).
    const uncompressed = format === 'pcm' || format === 'wav';
    const chunkSeconds = 4096 / (uncompressed ? 48000 : fixture(`speech.${format}`).length / (ref.length / RATE));
    expect(maxBuffered / RATE).toBeLessThan(2 + 2 * chunkSeconds + (format === 'opus' ? 1 : format === 'flac' ? 0.35 : 0.1));
    // The trailing quantum is padded with silence after the last frame.
    expect(rendered.length).toBeGreaterThanOrEqual(ref.length);
    expect(rendered.length - ref.length).toBeLessThan(128);
    expect(snrDb(rendered.subarray(0, ref.length), ref).snr).toBeGreaterThan(minSnr);
    expect(Atomics.load(stats, STAT.framesPlayed)).toBe(ref.length);
    expect(Atomics.load(stats, STAT.underruns)).toBe(0);
    expect(notices.filter((n) => n.type === 'error')).toEqual([]);
    expect(notices.some((n) => n.type === 'first-decoded')).toBe(true);
    // Said once, at the first sound: every segment is the same.
    expect(notices.filter((n) => n.type === 'received')).toEqual([{ type: 'received', id: 1, description: received }]);
  });
});

describe('what the server sent, as the player names it', () => {
  it.each([
    ['speech-vorbis.ogg', 'audio/ogg', 'Ogg Vorbis, 24 kHz, mono'],
    ['speech-stereo-vorbis.webm', 'audio/webm', 'WebM Vorbis, 44.1 kHz, stereo'],
    ['speech-opus.webm', 'audio/webm', 'WebM Opus, 48 kHz, mono'],
  ])('asked for opus and sent %s (%s), it says what came', async (file, contentType, received) => {
    server.set({ audio: { opus: { bytes: fixture(file), seconds: 7.9, contentType } } });
    try {
      const { notices } = await play('opus');
      expect(notices.filter((n) => n.type === 'error')).toEqual([]);
      expect(notices.filter((n) => n.type === 'received')).toEqual([{ type: 'received', id: 1, description: received }]);
    } finally {
      server.set({ audio: undefined });
    }
  });
});

describe('the pre-roll an utterance starts with (spec B2)', () => {
  it('a learned one is kept when the stream starts fast', async () => {
    // This server sends at once: far faster than real time.
    const learned = await play('pcm', {}, undefined, 1, { prerollMs: 200, prerollLearned: true });
    expect(Atomics.load(learned.stats, STAT.startFrames)).toBe(0.2 * RATE);
    expect(Atomics.load(learned.stats, STAT.prerollFrames)).toBe(0.2 * RATE);
  });

  it('a first read alone does not make a stream fast: at 1.2× real time the setting holds, at 4× it is lowered', async () => {
    // 4 KB reads of 24 kHz pcm: 85 ms of audio, every 71 ms at 1.2× and every 21 ms at 4×.
    for (const [pace, startMs] of [[1.2, 200], [4, 30]] as const) {
      server.set({ realtimeFactor: pace });
      try {
        const { stats } = await play('pcm', {}, undefined, 1, { prerollMs: 200 });
        expect(Atomics.load(stats, STAT.startFrames), `${pace}× real time`).toBe((startMs / 1000) * RATE);
      } finally {
        server.set({ realtimeFactor: undefined });
      }
    }
  }, 30_000);
});

describe('stereo streams (spec X2)', () => {
  // A 440 Hz tone on the left and 1000 Hz on the right: mixing down or swapping fails.
  it.each([
    ['flac', 80],
    ['opus', 60],
    ['mp3', 60],
  ] as const)('%s: each channel of a stereo stream reaches its own side', async (format, minSnr) => {
    const [file, ref] = [`tones-stereo.${format}`, `tones-stereo.${format}.ref.wav`];
    server.set({ audio: { [format]: { bytes: fixture(file), seconds: 3 } } });
    try {
      const { rendered, right, stats } = await play(format, {}, undefined, 2);
      const [refLeft, refRight] = [reference(ref, 0), reference(ref, 1)];
      expect(Atomics.load(stats, STAT.framesPlayed)).toBe(refLeft.length);
      expect(snrDb(rendered.subarray(0, refLeft.length), refLeft).snr).toBeGreaterThan(minSnr);
      expect(snrDb(right.subarray(0, refRight.length), refRight).snr).toBeGreaterThan(minSnr);
    } finally {
      server.set({ audio: undefined });
    }
  });

  it('a mono ring mixes a stereo stream down', async () => {
    server.set({ audio: { flac: { bytes: fixture('tones-stereo.flac'), seconds: 3 } } });
    try {
      const { rendered } = await play('flac');
      const [left, right] = [reference('tones-stereo.flac.ref.wav', 0), reference('tones-stereo.flac.ref.wav', 1)];
      const mixed = left.map((v, i) => (v + right[i]) / 2);
      expect(snrDb(rendered.subarray(0, mixed.length), mixed).snr).toBeGreaterThan(80);
    } finally {
      server.set({ audio: undefined });
    }
  });
});

describe('buffered mode (streaming off, spec C1)', () => {
  it('plays the same audio, decoded whole', async () => {
    const { rendered } = await play('mp3', { streamingEnabled: false });
    const ref = reference('speech.mp3.ref.wav');
    expect(snrDb(rendered.subarray(0, ref.length), ref).snr).toBeGreaterThan(90);
  });
});

/** Every failure the page hears of, from the engine or from the decoder. */
function errorsOf(notices: FeederNotice[]): ErrorInfo[] {
  const all = notices.flatMap((n) => (n.type === 'error' ? [n.error] : n.type === 'event' && n.event.type === 'error' ? [n.event.error] : []));
  // 'cancelled' is the engine confirming a stop the feeder asked for, not a failure.
  return all.filter((e) => e.kind !== 'cancelled');
}

describe('damaged audio (spec E2)', () => {
  it.each([
    [100, false],
    [2000, true],
  ])('%i noise bytes in mp3: skipped, its length in the stats, and a notice only past 200 ms', async (count, noticed) => {
    const mp3 = fixture('speech.mp3');
    server.set({ audio: { mp3: { bytes: damage(mp3, Math.floor(mp3.length / 2), count), seconds: 7.9 } } });
    try {
      const { rendered, stats, notices } = await play('mp3');
      const ref = reference('speech.mp3.ref.wav');
      const missingMs = ((ref.length - Atomics.load(stats, STAT.framesPlayed)) / RATE) * 1000;
      expect(missingMs).toBeGreaterThan(count === 100 ? 10 : 250);
      // Counted to a frame of this stream (24 ms), and the rest played.
      expect(Math.abs(Atomics.load(stats, STAT.skippedMs) - missingMs)).toBeLessThanOrEqual(24);
      expect(Atomics.load(stats, STAT.skippedFrames)).toBeGreaterThanOrEqual(1);
      expect(rendered.length).toBeGreaterThan(ref.length * 0.9);
      expect(errorsOf(notices)).toEqual([]);
      const damaged = notices.filter((n) => n.type === 'damaged');
      expect(damaged).toHaveLength(noticed ? 1 : 0);
      if (noticed) expect(damageNotice((damaged[0] as { skippedMs: number }).skippedMs)).toMatch(/^The server sent damaged audio; 0\.3 s skipped\.$/);
    } finally {
      server.set({ audio: undefined });
    }
  });
});

describe('failures reach the page', () => {
  it('damaged audio past the header neither hangs nor fails silently: it plays out, or fails as bad-audio', async () => {
    // Valid Ogg pages at first (the probe passes), then garbage where Opus packets should be.
    const opus = fixture('speech.opus');
    const broken = Uint8Array.from(opus);
    for (let i = 200; i < broken.length; i++) broken[i] = (i * 7919) & 0xff;
    server.set({ audio: { opus: { bytes: broken, seconds: 1 } } });
    try {
      const { notices } = await play('opus');
      expect(notices.some((n) => n.type === 'drained')).toBe(true);
      for (const error of errorsOf(notices)) expect(error.kind).toBe('bad-audio');
    } finally {
      server.set({ audio: undefined });
    }
  });

  it('a server error arrives as an error event and the stream ends', async () => {
    server.enqueue({ status: 400, message: 'Unknown voice' });
    const { notices, stats } = await play('pcm');
    expect(errorsOf(notices).map((e) => e.kind)).toEqual(['request']);
    expect(Atomics.load(stats, STAT.ended)).toBe(1);
  });

  it('bytes that are not audio end in a bad-audio error, not a hang', async () => {
    server.set({ audio: { mp3: { bytes: new TextEncoder().encode('<html>'.repeat(4000)), seconds: 1 } } });
    try {
      const { notices } = await play('mp3');
      // The engine's probe refuses it before the decoder sees it.
      expect(errorsOf(notices).map((e) => e.kind)).toEqual(['bad-audio']);
    } finally {
      server.set({ audio: undefined });
    }
  });
});

describe('streams that cannot stream (spec F4, E4)', () => {
  it('an MP4 with no whole-file decoder at hand is a clear unsupported error, not a hang', async () => {
    server.set({ audio: { aac: { bytes: fixture('speech.m4a'), seconds: 7.94, contentType: 'audio/mp4' } } });
    try {
      const { notices } = await play('aac');
      expect(notices.some((n) => n.type === 'drained')).toBe(true);
      expect(errorsOf(notices)).toEqual([expect.objectContaining({ kind: 'unsupported', message: expect.stringMatching(/cannot be played as it streams/) })]);
    } finally {
      server.set({ audio: undefined });
    }
  });
});
