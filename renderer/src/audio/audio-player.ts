import { RingBuffer } from 'ringbuf.js';
import type { PublicSettings } from '../../../shared/renderer-api';
import { createStats, STAT, unwrapFrame } from '../../../shared/playback/stats';
import { FADE_MS, MIN_PREROLL_MS } from '../../../shared/playback/player-core';
import type { PlayMode } from '../../../shared/playback/feeder-types';
import type { AudioSource } from './consumer-link';
import { OutputStalls } from './output-stalls';
import workletUrl from './player.worklet.ts?worker&url';
import { PLAYER_PROCESSOR, type WorkerNotice, type WorkerRequest, type WorkletOptions } from './worker-protocol';

/** The ring carries stereo (spec X2): a stereo stream plays as it is, mono on both sides. */
const RING_CHANNELS = 2;

/** What the player view shows, read from shared memory on each animation frame (spec M1-M5). */
export interface LiveMetrics {
  state: 'idle' | 'buffering' | 'playing' | 'paused';
  bufferedMs: number;
  minBufferedMs: number;
  averageBufferedMs: number;
  underruns: number;
  silenceMs: number;
  playedMs: number;
  prerollMs: number;
  bytesIn: number;
  throughputKbps: number;
  decodeMsPerChunk: number;
  decodeMsMax: number;
  gapMsTotal: number;
  gapMsMax: number;
  /** Damaged audio skipped in this utterance (spec E2). */
  skippedFrames: number;
  skippedMs: number;
  /** Opening silence left out before the first sound (of the utterance, and of each sentence sought). */
  openingDroppedMs: number;
  /** From the worklet to the ears: the context's base plus output latency. */
  outputLatencyMs: number;
  /**
   * Silence the output itself played in this utterance, holding the audio up (the system was
   * too busy to run the audio thread in time): the larger of Chromium's own count and what
   * the output clock shows (OutputStalls). Not the ring running dry, which is `underruns`.
   * Null where the browser tells neither.
   */
  outputDropouts: number | null;
  outputDropoutMs: number | null;
}

/** Chromium's own count of the output's dropouts (AudioContext.playbackStats, not in the DOM typings yet). */
interface PlaybackStats {
  underrunEvents: number;
  underrunDuration: number;
}

/** What an audio path is built with: the ring's sizes, and where `utter web`'s audio comes from. */
export type PlayerSettings = Pick<PublicSettings, 'streamBufferMs' | 'streamMaxBuffer'> & { audioSocket?: string };

const STATES = ['idle', 'buffering', 'playing', 'paused'] as const;

/** What the page hears from the audio path: the worker's notices but its start and decode requests, which the player answers itself. */
export type PlayerNotice = Exclude<WorkerNotice, { type: 'decode-request' } | { type: 'ready' }>;

/**
 * How long a new decoder worker may take to load its script and take its ring. Its script
 * comes from the page's server: one that went away meanwhile (utter web restarted) fails it.
 */
const WORKER_START_MS = 15_000;

/**
 * The page's handle on the audio path: the AudioContext, the AudioWorklet (ring consumer),
 * the decoder worker (ring producer) and the shared stats block. It never sees audio bytes:
 * each utterance's source goes straight to the worker.
 */
export class AudioPlayer {
  private listeners: ((notice: PlayerNotice) => void)[] = [];
  /** The output's dropout counts when the current utterance began: its own are counted from there. */
  private dropoutsBefore: PlaybackStats | null = null;
  private readonly stalls = new OutputStalls();
  /** Settles once the worker has taken its ring, or failed to load. */
  private readonly loaded: Promise<void>;
  private failure: string | null = null;

  private constructor(
    readonly context: AudioContext,
    private readonly worker: Worker,
    private readonly stats: Int32Array,
  ) {
    let ready = (): void => {};
    let failed = (_error: Error): void => {};
    this.loaded = new Promise((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    worker.onmessage = (message: MessageEvent<WorkerNotice>) => {
      const notice = message.data;
      if (notice.type === 'ready') return ready();
      if (notice.type === 'decode-request') return void this.decodeWhole(notice.requestId, notice.bytes);
      this.listeners.forEach((listener) => listener(notice));
    };
    // A suspended context's clock stood still while the wall clock ran: not a stall.
    context.addEventListener('statechange', () => this.stalls.reset(context.currentTime));
    // A worker whose script did not load (or that died) says nothing more: without this, each
    // play would wait on it forever. A crash it reports itself leaves it running, and is only told.
    worker.onerror = (event) => {
      const message = event.message || 'the decoder worker did not load';
      this.failure ??= message;
      failed(new Error(message));
      this.listeners.forEach((listener) => listener({ type: 'crash', message }));
    };
  }

  /**
   * Why this audio path can no longer play (its worker did not load, or died), or null. The
   * page builds a new one for the next utterance: a new worker loads its script afresh.
   */
  get broken(): string | null {
    return this.failure;
  }

  static async create(settings: PlayerSettings): Promise<AudioPlayer> {
    if (!globalThis.crossOriginIsolated) throw new Error('This page is not cross-origin isolated, so it cannot share memory with the audio thread.');
    const context = new AudioContext({ latencyHint: 'interactive' });
    await context.audioWorklet.addModule(workletUrl);
    const rate = context.sampleRate;
    const maxBufferMs = settings.streamMaxBuffer * 1000;
    // Room for max-buffer plus a little: the worker never fills past max-buffer (spec B4).
    const ring = RingBuffer.getStorageForCapacity(Math.ceil((rate * (maxBufferMs + 500)) / 1000) * RING_CHANNELS, Float32Array);
    const stats = createStats();
    const frames = (ms: number): number => Math.round((ms / 1000) * rate);
    const preroll = {
      initialFrames: frames(settings.streamBufferMs),
      minFrames: frames(MIN_PREROLL_MS),
      maxFrames: frames(maxBufferMs),
      growth: 1.5,
      fadeFrames: frames(FADE_MS),
      // About a sentence of clean play before a grown pre-roll steps back down.
      shrinkAfterFrames: frames(3000),
    };
    const node = new AudioWorkletNode(context, PLAYER_PROCESSOR, {
      numberOfInputs: 0,
      outputChannelCount: [2],
      processorOptions: { ring, stats: stats.buffer as SharedArrayBuffer, channels: RING_CHANNELS, preroll } satisfies WorkletOptions,
    });
    node.connect(context.destination);
    const worker = new Worker(new URL('./decoder.worker.ts', import.meta.url), { type: 'module', name: 'utter-decoder' });
    const player = new AudioPlayer(context, worker, stats);
    player.post({
      type: 'init',
      ring,
      stats: stats.buffer as SharedArrayBuffer,
      options: { sampleRate: rate, channels: RING_CHANNELS, prerollMs: settings.streamBufferMs, minPrerollMs: MIN_PREROLL_MS, maxBufferMs },
      audioSocket: settings.audioSocket,
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the decoder worker did not start within ${WORKER_START_MS / 1000} s`)), WORKER_START_MS);
    });
    try {
      await Promise.race([player.loaded, late]);
    } catch (error) {
      await player.close().catch(() => {});
      throw new Error(`The audio decoder could not start: ${(error as Error).message}.`);
    } finally {
      clearTimeout(timer);
    }
    return player;
  }

  onNotice(listener: (notice: PlayerNotice) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  async play(id: number, source: AudioSource, mode: PlayMode): Promise<void> {
    // The context wakes while the request is on its way, not before it leaves.
    const waking = this.wake();
    this.dropoutsBefore = this.playbackStats();
    this.stalls.reset(this.context.currentTime);
    this.post({ type: 'play', id, source, ...mode }, source.kind === 'port' ? [source.port] : []);
    await waking;
  }

  /** Lets the audio device rest until the next play or resume (the worklet and the worker stay loaded). */
  rest(): void {
    if (this.context.state === 'running') void this.context.suspend();
  }

  private wake(): Promise<void> | null {
    return this.context.state === 'running' ? null : this.context.resume();
  }

  stop(): void {
    this.post({ type: 'stop' });
  }
  pause(): void {
    this.post({ type: 'pause' });
  }
  resume(): void {
    // A long pause may have let the output rest.
    void this.wake();
    this.post({ type: 'resume' });
  }
  skip(): void {
    this.post({ type: 'skip' });
  }
  previous(): void {
    this.post({ type: 'previous' });
  }
  /** Plays at `rate` from now on (the worker cuts the ring just ahead, so it is heard at once); kept for the next utterances. */
  setRate(rate: number): void {
    this.post({ type: 'rate', rate });
  }

  /** Reads the shared counters; cheap enough for every animation frame. */
  metrics(): LiveMetrics {
    const s = this.stats;
    const ms = (frames: number): number => (frames / this.context.sampleRate) * 1000;
    const quanta = Atomics.load(s, STAT.quanta);
    const chunks = Atomics.load(s, STAT.decodeChunks);
    const minBuffered = Atomics.load(s, STAT.minBufferedFrames);
    return {
      state: STATES[Atomics.load(s, STAT.state)] ?? 'idle',
      bufferedMs: ms(Atomics.load(s, STAT.bufferedFrames) + Atomics.load(s, STAT.pendingFrames)),
      minBufferedMs: minBuffered === 0x7fffffff ? 0 : ms(minBuffered),
      averageBufferedMs: quanta ? ms((Atomics.load(s, STAT.bufferedSum16) * 16) / quanta) : 0,
      underruns: Atomics.load(s, STAT.underruns),
      silenceMs: ms(Atomics.load(s, STAT.silenceFrames)),
      playedMs: ms(Atomics.load(s, STAT.framesPlayed)),
      prerollMs: ms(Atomics.load(s, STAT.prerollFrames)),
      bytesIn: Atomics.load(s, STAT.bytesIn),
      throughputKbps: (Atomics.load(s, STAT.throughput) * 8) / 1000,
      decodeMsPerChunk: chunks ? Atomics.load(s, STAT.decodeMicros) / chunks / 1000 : 0,
      decodeMsMax: Atomics.load(s, STAT.decodeMicrosMax) / 1000,
      gapMsTotal: ms(Atomics.load(s, STAT.gapFrames)),
      gapMsMax: ms(Atomics.load(s, STAT.gapFramesMax)),
      skippedFrames: Atomics.load(s, STAT.skippedFrames),
      skippedMs: Atomics.load(s, STAT.skippedMs),
      openingDroppedMs: ms(Atomics.load(s, STAT.openingDroppedFrames)),
      outputLatencyMs: (this.context.baseLatency + (this.context.outputLatency || 0)) * 1000,
      ...this.outputDropouts(),
    };
  }

  private outputDropouts(): Pick<LiveMetrics, 'outputDropouts' | 'outputDropoutMs'> {
    const { performanceTime, contextTime } = this.context.getOutputTimestamp();
    const clocked = performanceTime !== undefined && contextTime !== undefined;
    // From the utterance's first sample on: before it, the output waking (its clock may stand
    // still for up to 2 s, spec W4) is the time to first audio's, not a stall in playing.
    if (clocked && this.context.state === 'running' && this.started()) this.stalls.read(performanceTime, contextTime);
    const now = this.playbackStats();
    if (!now && !clocked) return { outputDropouts: null, outputDropoutMs: null };
    const before = this.dropoutsBefore ?? { underrunEvents: 0, underrunDuration: 0 };
    const counted = now ? { count: now.underrunEvents - before.underrunEvents, ms: (now.underrunDuration - before.underrunDuration) * 1000 } : { count: 0, ms: 0 };
    const { ms, count } = this.stalls.stalled;
    return { outputDropouts: Math.max(counted.count, count), outputDropoutMs: Math.max(counted.ms, ms) };
  }

  private playbackStats(): PlaybackStats | null {
    const stats = (this.context as AudioContext & { playbackStats?: PlaybackStats }).playbackStats;
    return stats ? { underrunEvents: stats.underrunEvents, underrunDuration: stats.underrunDuration } : null;
  }

  /**
   * Wall-clock ms when the utterance's first sample reaches the ears, from the context's
   * own output clock (getOutputTimestamp includes the output latency); null before it rendered.
   */
  firstHeardAt(): number | null {
    return this.heardAt(Atomics.load(this.stats, STAT.firstRenderFrame), this.started());
  }

  /** The worklet has rendered the current utterance's first sample. */
  private started(): boolean {
    // Until the worklet has taken up the new utterance, the slots still describe the last one.
    const settled = Atomics.load(this.stats, STAT.seenGeneration) === Atomics.load(this.stats, STAT.generation);
    return settled && Atomics.load(this.stats, STAT.framesPlayed) > 0;
  }

  /** Wall-clock ms when the last sample is heard; null until the worklet has drained. */
  lastHeardAt(): number | null {
    return this.heardAt(Atomics.load(this.stats, STAT.drainedFrame), Atomics.load(this.stats, STAT.drained) === 1);
  }

  private heardAt(stored: number, valid: boolean): number | null {
    if (!valid || stored < 0) return null;
    const rate = this.context.sampleRate;
    const stamp = this.context.getOutputTimestamp();
    const contextTime = stamp.contextTime ?? this.context.currentTime;
    const performanceTime = stamp.performanceTime ?? performance.now();
    const frame = unwrapFrame(stored, contextTime * rate);
    return performance.timeOrigin + performanceTime + (frame / rate - contextTime) * 1000;
  }

  async close(): Promise<void> {
    this.worker.terminate();
    await this.context.close();
  }

  /** The browser decodes a whole segment the worker's decoders refused; the page only passes it on. */
  private async decodeWhole(requestId: number, bytes: ArrayBuffer): Promise<void> {
    try {
      const audio = await this.context.decodeAudioData(bytes);
      const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c).slice());
      this.post({ type: 'decoded', requestId, channels, sampleRate: audio.sampleRate }, channels.map((c) => c.buffer));
    } catch (error) {
      this.post({ type: 'decoded', requestId, error: `the browser could not decode it either (${(error as Error).message})` });
    }
  }

  private post(request: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(request, transfer);
  }
}
