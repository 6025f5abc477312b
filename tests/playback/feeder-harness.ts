import { RingBuffer } from 'ringbuf.js';
import { loadSonic, type SonicModule } from '../../shared/audio/time-stretch';
import type { LinkCommand, LinkEvent } from '../../shared/playback/link-protocol';
import { PlayerCore } from '../../shared/playback/player-core';
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

export function segmentStart(index: number): LinkEvent {
  return {
    type: 'segment-start',
    segment: { index, start: index * 10, end: index * 10 + 9, text: `segment ${index}` },
    format: 'pcm',
    sampleRate: RATE,
    channels: 1,
    endpoint: 'test',
    attempt: 0,
    restart: false,
    requestedAt: 0,
  } as LinkEvent;
}

export const segmentEnd = (segmentIndex: number): LinkEvent => ({ type: 'segment-end', segmentIndex, metrics: { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'test' }, skipped: false }) as LinkEvent;
export const end = (): LinkEvent => ({ type: 'end', metrics: { segments: 2, bytes: 0, ttfbMs: 0, totalMs: 0, retries: 0, failovers: 0 } }) as LinkEvent;

export function setup(rate: number, maxBufferMs = 2000, mode: Partial<PlayMode> = {}) {
  const ring = new RingBuffer(RingBuffer.getStorageForCapacity(RATE * 3 * CHANNELS, Float32Array), Float32Array);
  const stats = createStats();
  const core = new PlayerCore(ring, stats, CHANNELS, { initialFrames: 2400, minFrames: 720, maxFrames: 48000, growth: 1.5 });
  const notices: FeederNotice[] = [];
  const feeder = new RingFeeder(ring, stats, { sampleRate: RATE, channels: CHANNELS, prerollMs: 100, minPrerollMs: 30, maxBufferMs }, (n) => notices.push(n));
  if (!sonic) throw new Error('loadHarness() first');
  feeder.useSonic(sonic);
  feeder.setRate(rate);
  let deliver: (event: LinkEvent) => void = () => {};
  const commands: LinkCommand[] = [];
  feeder.play(1, (onEvent) => {
    deliver = onEvent;
    return { send: (command) => commands.push(command), close: () => {} };
  }, { streaming: true, ...mode });
  const played: number[] = [];
  const out = new Float32Array(Q);
  const right = new Float32Array(Q);
  let rendered = 0;
  const send = async (...events: LinkEvent[]): Promise<void> => {
    for (const event of events) deliver(event);
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  };
  const render = async (quanta: number): Promise<void> => {
    for (let q = 0; q < quanta; q++) {
      core.render([out, right], Q);
      if (Atomics.load(stats, STAT.framesPlayed) > 0 && Atomics.load(stats, STAT.drained) === 0) played.push(...out);
      // The feeder's 10 ms timer tops up the ring: let it run every 4 quanta (21 ms of audio).
      if (++rendered % 4 === 0) await new Promise((r) => setTimeout(r, 11));
    }
  };
  /** Renders `quanta` with no chance for the feeder to run between them. */
  const renderNow = (quanta: number): void => {
    for (let q = 0; q < quanta; q++) {
      core.render([out, right], Q);
      if (Atomics.load(stats, STAT.framesPlayed) > 0 && Atomics.load(stats, STAT.drained) === 0) played.push(...out);
    }
  };
  const playOut = async (): Promise<void> => {
    for (let i = 0; i < 2000 && !notices.some((n) => n.type === 'drained'); i++) await render(4);
  };
  return { feeder, stats, notices, commands, played, send, render, renderNow, playOut };
}

