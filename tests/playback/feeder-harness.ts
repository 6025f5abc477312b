import { RingBuffer } from 'ringbuf.js';
import { loadSonic, type SonicModule } from '../../shared/audio/time-stretch';
import type { LinkCommand, LinkEvent } from '../../shared/playback/link-protocol';
import { PlayerCore, type PrerollOptions } from '../../shared/playback/player-core';
import type { FeederNotice, PlayMode } from '../../shared/playback/feeder-types';
import { RingFeeder } from '../../shared/playback/ring-feeder';
import { createStats, STAT } from '../../shared/playback/stats';
import { fixture, readWav } from '../support/audio-files';

/**
 * The decoder worker's logic driven by hand: PCM events of real speech (espeak-ng) in,
 * Sonic loaded, the worklet's logic rendering, quantum by quantum.
 */
export const RATE = 24000;
const Q = 128;
const CHANNELS = 2;
let sonic: SonicModule | null = null;

/** Loads Sonic and the speech fixture (call in beforeAll). */
export async function loadHarness(): Promise<Float32Array> {
  sonic ??= await loadSonic();
  return readWav(fixture('speech-24k.wav')).channels[0];
}

export function pcm(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), true);
  return bytes;
}

/** A segment's start, as the engine sends it: PCM, mono; a restart may come back as another rendering (a replay). */
export function segmentStart(index: number, options: { sampleRate?: number; restart?: boolean; replay?: boolean } = {}): LinkEvent {
  return {
    type: 'segment-start',
    segment: { index, start: index * 10, end: index * 10 + 9, text: `segment ${index}` },
    format: 'pcm',
    sampleRate: options.sampleRate ?? RATE,
    channels: 1,
    endpoint: 'test',
    attempt: options.restart ? 1 : 0,
    restart: options.restart ?? false,
    ...(options.replay ? { replay: true } : {}),
    requestedAt: 0,
  } as LinkEvent;
}

export const segmentEnd = (segmentIndex: number): LinkEvent => ({ type: 'segment-end', segmentIndex, metrics: { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'test' }, skipped: false }) as LinkEvent;
export const end = (): LinkEvent => ({ type: 'end', metrics: { segments: 2, bytes: 0, ttfbMs: 0, totalMs: 0, retries: 0, failovers: 0 } }) as LinkEvent;

/**
 * A stereo ring, the worklet's logic on it and a feeder filling it, playing one utterance
 * whose link events the test sends by hand (they are decoded asynchronously: `send` gives
 * the feeder's queue a few turns). `render` lets the feeder's 10 ms timer run every
 * `yieldEvery` quanta; `renderNow` gives it no chance.
 */
export function feederRig(options: {
  sampleRate: number;
  maxBufferMs: number;
  core: PrerollOptions;
  mode?: Partial<PlayMode>;
  before?: (feeder: RingFeeder) => void;
  yieldEvery?: number;
  /** Keep what is rendered after the last frame too (silence), and check both sides are equal. */
  whole?: boolean;
}) {
  const { sampleRate } = options;
  const ring = new RingBuffer(RingBuffer.getStorageForCapacity(sampleRate * 3 * CHANNELS, Float32Array), Float32Array);
  const stats = createStats();
  const core = new PlayerCore(ring, stats, CHANNELS, options.core);
  const notices: FeederNotice[] = [];
  const feeder = new RingFeeder(ring, stats, { sampleRate, channels: CHANNELS, prerollMs: 100, minPrerollMs: 30, maxBufferMs: options.maxBufferMs }, (n) => notices.push(n));
  options.before?.(feeder);
  let deliver: (event: LinkEvent) => void = () => {};
  const commands: LinkCommand[] = [];
  feeder.play(1, (onEvent) => {
    deliver = onEvent;
    return { send: (command) => commands.push(command), close: () => {} };
  }, { streaming: true, ...options.mode });
  const send = async (...events: LinkEvent[]): Promise<void> => {
    for (const event of events) deliver(event);
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  };
  const played: number[] = [];
  const out = new Float32Array(Q);
  const right = new Float32Array(Q);
  let rendered = 0;
  const renderNow = (quanta: number): void => {
    for (let q = 0; q < quanta; q++) {
      core.render([out, right], Q);
      if (Atomics.load(stats, STAT.framesPlayed) > 0 && (options.whole || Atomics.load(stats, STAT.drained) === 0)) played.push(...out);
      if (options.whole && right.some((v, i) => v !== out[i])) throw new Error(`the two sides differ at quantum ${rendered}`);
    }
  };
  const render = async (quanta: number): Promise<void> => {
    for (let q = 0; q < quanta; q++) {
      renderNow(1);
      if (++rendered % (options.yieldEvery ?? 4) === 0) await new Promise((r) => setTimeout(r, 11));
    }
  };
  const playOut = async (): Promise<void> => {
    for (let i = 0; i < 2000 && !notices.some((n) => n.type === 'drained'); i++) await render(4);
  };
  return { core, stats, notices, feeder, commands, send, played, render, renderNow, playOut };
}

/** Real speech at RATE with Sonic loaded, played at `rate`. */
export function setup(rate: number, maxBufferMs = 2000, mode: Partial<PlayMode> = {}) {
  if (!sonic) throw new Error('loadHarness() first');
  const loaded = sonic;
  return feederRig({
    sampleRate: RATE,
    maxBufferMs,
    mode,
    core: { initialFrames: 2400, minFrames: 720, maxFrames: 48000, growth: 1.5 },
    before: (feeder) => {
      feeder.useSonic(loaded);
      feeder.setRate(rate);
    },
  });
}
