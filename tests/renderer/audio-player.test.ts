import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioPlayer } from '../../renderer/src/audio/audio-player';
import type { WorkerRequest } from '../../renderer/src/audio/worker-protocol';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { STAT } from '../../shared/playback/stats';

/**
 * The page's handle on the audio path, in Node: the browser's AudioContext, worklet node and
 * Worker are fakes that record what the player asks of them. What is under test is the
 * player's own part: sizing the ring and pre-roll from the settings, handing sources to the
 * worker (a port in the transfer list), reading the shared counters, and turning the
 * worklet's frame numbers into the wall-clock time they are heard.
 */
class FakeWorker {
  static last: FakeWorker;
  posted: { request: WorkerRequest; transfer: unknown[] }[] = [];
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  terminated = false;
  /** How the next worker's start goes: it says it is ready, fails to load, or says nothing. */
  static start: 'ready' | 'fails' | 'silent' = 'ready';
  constructor() {
    FakeWorker.last = this;
  }
  postMessage(request: WorkerRequest, transfer: unknown[] = []) {
    this.posted.push({ request, transfer });
    if (request.type !== 'init') return;
    // As a browser's worker answers: in a later task, once its script has loaded (or not).
    if (FakeWorker.start === 'ready') setTimeout(() => this.onmessage?.({ data: { type: 'ready' } }));
    if (FakeWorker.start === 'fails') setTimeout(() => this.onerror?.({ message: '' }));
  }
  terminate() {
    this.terminated = true;
  }
}

class FakeContext {
  static last: FakeContext;
  sampleRate = 48_000;
  baseLatency = 0.01;
  outputLatency = 0.03;
  state = 'suspended';
  currentTime = 10;
  destination = {};
  audioWorklet = { addModule: async () => {} };
  /** What getOutputTimestamp reports: the context time heard at a performance.now(). */
  stamp = { contextTime: 10, performanceTime: 5_000 };
  private changed: (() => void)[] = [];
  constructor() {
    FakeContext.last = this;
  }
  addEventListener(type: string, listener: () => void) {
    if (type === 'statechange') this.changed.push(listener);
  }
  async resume() {
    this.state = 'running';
    this.changed.forEach((listener) => listener());
  }
  async suspend() {
    this.state = 'suspended';
    this.changed.forEach((listener) => listener());
  }
  getOutputTimestamp() {
    return this.stamp;
  }
  async decodeAudioData(bytes: ArrayBuffer) {
    if (bytes.byteLength === 0) throw new Error('no audio');
    return { numberOfChannels: 1, sampleRate: 44_100, getChannelData: () => new Float32Array([0.5, -0.5]) };
  }
  async close() {}
}

class FakeNode {
  static options: { processorOptions: { ring: SharedArrayBuffer; stats: SharedArrayBuffer; channels: number; preroll: Record<string, number> } };
  constructor(_context: unknown, _name: string, options: typeof FakeNode.options) {
    FakeNode.options = options;
  }
  connect() {}
}

const saved = { ...globalThis };
beforeEach(() => {
  Object.assign(globalThis, { AudioContext: FakeContext, AudioWorkletNode: FakeNode, Worker: FakeWorker, crossOriginIsolated: true });
  FakeWorker.start = 'ready';
});
afterEach(() => {
  vi.useRealTimers();
  for (const key of ['AudioContext', 'AudioWorkletNode', 'Worker', 'crossOriginIsolated'] as const) (globalThis as Record<string, unknown>)[key] = (saved as Record<string, unknown>)[key];
});

const settings = { ...DEFAULT_SETTINGS, streamBufferMs: 200, streamMaxBuffer: 2 };

/** The counters the player shares with its worker, as the worker's init message carries them. */
function sharedStats(): Int32Array {
  const init = FakeWorker.last.posted[0].request;
  if (init.type !== 'init') throw new Error('the worker was not started with init');
  return new Int32Array(init.stats);
}

describe('AudioPlayer', () => {
  it('refuses to start where memory cannot be shared with the audio thread', async () => {
    Object.assign(globalThis, { crossOriginIsolated: false });
    await expect(AudioPlayer.create(settings)).rejects.toThrow(/not cross-origin isolated/);
  });

  it('is ready only once its worker has loaded: one whose script failed (its server went away) is said, and closed', async () => {
    FakeWorker.start = 'fails';
    const closed = vi.spyOn(FakeContext.prototype, 'close');
    await expect(AudioPlayer.create(settings)).rejects.toThrow('The audio decoder could not start: the decoder worker did not load.');
    expect(FakeWorker.last.terminated).toBe(true);
    expect(closed).toHaveBeenCalledOnce();
  });

  it('gives up on a worker that never says it is ready, after 15 s', async () => {
    vi.useFakeTimers();
    FakeWorker.start = 'silent';
    const creating = expect(AudioPlayer.create(settings)).rejects.toThrow('did not start within 15 s');
    await vi.advanceTimersByTimeAsync(15_000);
    await creating;
    expect(FakeWorker.last.terminated).toBe(true);
  });

  it('says it is broken once its worker dies, and why: the page builds another for the next utterance', async () => {
    const player = await AudioPlayer.create(settings);
    const notices: unknown[] = [];
    player.onNotice((notice) => notices.push(notice));
    // A crash the worker reports itself (a decoder that threw) leaves it running.
    FakeWorker.last.onmessage?.({ data: { type: 'crash', message: 'A decoder could not load: no WASM' } });
    expect(player.broken).toBeNull();
    FakeWorker.last.onerror?.({ message: 'Uncaught RangeError: out of memory' });
    expect(player.broken).toBe('Uncaught RangeError: out of memory');
    expect(notices).toEqual([
      { type: 'crash', message: 'A decoder could not load: no WASM' },
      { type: 'crash', message: 'Uncaught RangeError: out of memory' },
    ]);
  });

  it('sizes the ring and the pre-roll from the settings, and starts the worker with them', async () => {
    await AudioPlayer.create(settings);
    const { preroll, ring } = FakeNode.options.processorOptions;
    expect(preroll).toEqual({ initialFrames: 9600, minFrames: 1440, maxFrames: 96_000, growth: 1.5, fadeFrames: 480, shrinkAfterFrames: 144_000 });
    // Room for max-buffer plus half a second, in stereo float32 frames (plus the ring's own header).
    expect(FakeNode.options.processorOptions.channels).toBe(2);
    expect(ring.byteLength).toBeGreaterThanOrEqual(120_000 * 2 * 4);
    expect(FakeWorker.last.posted[0].request).toMatchObject({ type: 'init', options: { sampleRate: 48_000, channels: 2, prerollMs: 200, minPrerollMs: 30, maxBufferMs: 2000 } });
  });

  it('hands a port to the worker in the transfer list, and resumes a suspended context first', async () => {
    const player = await AudioPlayer.create(settings);
    const { port1 } = new MessageChannel();
    await player.play(3, { kind: 'port', port: port1 as unknown as MessagePort }, { streaming: true, pcmSampleRate: 24_000 });
    expect(FakeContext.last.state).toBe('running');
    const play = FakeWorker.last.posted.at(-1)!;
    expect(play.request).toMatchObject({ type: 'play', id: 3, streaming: true, pcmSampleRate: 24_000 });
    expect(play.transfer).toEqual([port1]);
    port1.close();
    player.pause();
    player.skip();
    expect(FakeWorker.last.posted.slice(-2).map((p) => p.request.type)).toEqual(['pause', 'skip']);
  });

  it('lets the output rest, and a resume after a long pause wakes it before the worker plays on', async () => {
    const player = await AudioPlayer.create(settings);
    await player.play(3, { kind: 'socket', url: 'ws://x/audio', id: 3 }, { streaming: true, pcmSampleRate: 24_000 });
    player.pause();
    player.rest();
    expect(FakeContext.last.state).toBe('suspended');
    player.resume();
    expect(FakeContext.last.state).toBe('running');
    expect(FakeWorker.last.posted.at(-1)!.request.type).toBe('resume');
  });

  it('reads the shared counters as milliseconds', async () => {
    const player = await AudioPlayer.create(settings);
    const stats = sharedStats();
    stats[STAT.state] = 2;
    stats[STAT.bufferedFrames] = 4800;
    stats[STAT.pendingFrames] = 2400;
    stats[STAT.underruns] = 2;
    stats[STAT.framesPlayed] = 96_000;
    expect(player.metrics()).toMatchObject({ state: 'playing', bufferedMs: 150, underruns: 2, playedMs: 2000, outputLatencyMs: 40 });
  });

  it('counts the output\'s own dropouts for this utterance, where the browser reports them', async () => {
    const player = await AudioPlayer.create(settings);
    const context = FakeContext.last as FakeContext & { playbackStats?: { underrunEvents: number; underrunDuration: number } };
    // A browser whose output clock and counters say nothing: no figure, not a zero.
    const stamp = context.stamp;
    context.stamp = {} as typeof stamp;
    expect(player.metrics()).toMatchObject({ outputDropouts: null, outputDropoutMs: null });
    context.stamp = stamp;
    // Two dropouts before this utterance: they are not its own.
    context.playbackStats = { underrunEvents: 2, underrunDuration: 0.03 };
    const { port1 } = new MessageChannel();
    await player.play(4, { kind: 'port', port: port1 as unknown as MessagePort }, { streaming: true, pcmSampleRate: 24_000 });
    port1.close();
    context.playbackStats = { underrunEvents: 3, underrunDuration: 0.05 };
    const metrics = player.metrics();
    expect(metrics.outputDropouts).toBe(1);
    expect(metrics.outputDropoutMs).toBeCloseTo(20, 6);
  });

  it('counts the time the output clock fell behind in this utterance as dropped, but not a suspended context\'s', async () => {
    const player = await AudioPlayer.create(settings);
    const context = FakeContext.last;
    const { port1 } = new MessageChannel();
    await player.play(5, { kind: 'port', port: port1 as unknown as MessagePort }, { streaming: true, pcmSampleRate: 24_000 });
    port1.close();
    const heard = (contextTime: number, performanceTime: number) => {
      context.stamp = { contextTime, performanceTime };
      return player.metrics();
    };
    // Before the first sample the output may still be waking (its clock standing still): not counted.
    expect(heard(10.2, 5200)).toMatchObject({ outputDropoutMs: 0 });
    expect(heard(10.3, 6300)).toMatchObject({ outputDropoutMs: 0 });
    const stats = sharedStats();
    stats[STAT.framesPlayed] = 100;
    stats[STAT.generation] = stats[STAT.seenGeneration] = 1;
    // Context time 10.5 s heard at 6500 ms, then 11 s at 7083 ms: the output held it up 83 ms.
    expect(heard(10.5, 6500)).toMatchObject({ outputDropouts: 0, outputDropoutMs: 0 });
    expect(heard(10.6, 6600.4)).toMatchObject({ outputDropouts: 0 }); // jitter
    const held = heard(11, 7083);
    expect(held.outputDropouts).toBe(1);
    expect(held.outputDropoutMs).toBeCloseTo(82.8, 6); // from the median of the readings before it
    // Suspended for 10 s and resumed: the clock stood still, nothing was held up. The first
    // stamp after the resume still describes the moment of the suspension.
    context.currentTime = 11;
    player.rest();
    player.resume();
    expect(heard(11, 7083).outputDropoutMs).toBe(0);
    expect(heard(11.1, 17_183).outputDropoutMs).toBe(0);
    expect(heard(11.2, 17_283).outputDropoutMs).toBeCloseTo(0, 6);
  });

  it('turns the worklet\'s frame numbers into when they are heard, by the context\'s output clock', async () => {
    const player = await AudioPlayer.create(settings);
    const stats = sharedStats();
    expect(player.firstHeardAt()).toBeNull();
    // The first sample was rendered at context frame 10.5 s × 48 kHz; the output clock says
    // context time 10 s is heard at performance time 5000 ms: so it is heard 500 ms later.
    stats[STAT.firstRenderFrame] = 504_000;
    stats[STAT.framesPlayed] = 100;
    stats[STAT.generation] = stats[STAT.seenGeneration] = 1;
    expect(player.firstHeardAt()).toBeCloseTo(performance.timeOrigin + 5_500, 3);
    // Until the worklet has taken up a new utterance, its slots still describe the old one.
    stats[STAT.generation] = 2;
    expect(player.firstHeardAt()).toBeNull();
    stats[STAT.drainedFrame] = 480_000;
    expect(player.lastHeardAt()).toBeNull();
    stats[STAT.drained] = 1;
    expect(player.lastHeardAt()).toBeCloseTo(performance.timeOrigin + 5_000, 3);
  });

  it('passes a segment the worker could not decode to the browser\'s decoder, and its failure back', async () => {
    await AudioPlayer.create(settings);
    const worker = FakeWorker.last;
    worker.onmessage!({ data: { type: 'decode-request', requestId: 1, bytes: new ArrayBuffer(8) } });
    worker.onmessage!({ data: { type: 'decode-request', requestId: 2, bytes: new ArrayBuffer(0) } });
    await new Promise((r) => setTimeout(r, 0));
    const answers = worker.posted.filter((p) => p.request.type === 'decoded').map((p) => p.request);
    expect(answers).toEqual([
      { type: 'decoded', requestId: 1, channels: [new Float32Array([0.5, -0.5])], sampleRate: 44_100 },
      { type: 'decoded', requestId: 2, error: 'the browser could not decode it either (no audio)' },
    ]);
  });
});
