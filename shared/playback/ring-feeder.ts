import type { RingBuffer } from 'ringbuf.js';
import type { ErrorInfo } from '../speech-events';
import type { DecodedAudio } from '../decoders/types';
import type { ConsumerLink, LinkEvent } from './link-protocol';
import { STAT } from './stats';
import { DAMAGE_NOTICE_MS } from './damage';
import { DecodeFailure, UtteranceDecoder, type AudioBlock } from './utterance-decoder';

/** Buffering limits, in ms (spec B1, B2, B4; settings C2, C4). */
export interface FeederOptions {
  sampleRate: number;
  /** The ring's channels, interleaved (spec X2): 2 plays stereo as stereo and mono on both sides; 1 mixes down. */
  channels?: 1 | 2;
  prerollMs: number;
  /** The least pre-roll a fast stream may start with (30 ms is clean, spec W3). */
  minPrerollMs: number;
  maxBufferMs: number;
}

/** What the feeder tells the page: a few messages per segment, never audio. */
export type FeederNotice =
  | { type: 'event'; id: number; event: Exclude<LinkEvent, { type: 'chunk' }> }
  | { type: 'first-byte'; id: number; at: number }
  | { type: 'first-decoded'; id: number; at: number }
  /** A segment could not stream and is played once downloaded (spec F4, E4). */
  | { type: 'fallback'; id: number; segmentIndex: number }
  /** More than DAMAGE_NOTICE_MS of this utterance was damaged and skipped (spec E2); said once. */
  | { type: 'damaged'; id: number; skippedMs: number }
  /** The segment whose audio is being played changed (for highlighting the text). */
  | { type: 'segment-playing'; id: number; index: number; startMs: number }
  /** The last frame has been rendered (heard one output latency later). */
  | { type: 'drained'; id: number }
  | { type: 'error'; id: number; error: ErrorInfo };

/** How one utterance is played. */
export interface PlayMode {
  streaming: boolean;
  pcmSampleRate?: number;
  /** The pre-roll to start with (spec B2: learned from the link); the options' prerollMs without one. */
  prerollMs?: number;
  /**
   * True when prerollMs was learned from the link: then a stream that starts fast does not
   * lower it (a burst says nothing of the gaps the link has shown).
   */
  prerollLearned?: boolean;
}

/** Opens the link for one utterance, given where its events go. */
export type LinkOpener = (onEvent: (event: LinkEvent) => void, onLost: (message: string) => void) => ConsumerLink;

/** A stream is "fast" when it brings this many times real time (spec B2). */
const FAST_STREAM = 2;
/** Rates measured over less than this are not trusted (one burst is not a rate). */
const MIN_RATE_WINDOW_MS = 25;
const TICK_MS = 10;

interface Current {
  id: number;
  link: ConsumerLink;
  decoder: UtteranceDecoder;
  /** Events are decoded strictly in order. */
  queue: Promise<void>;
  /** Decoded audio waiting for room in the ring, interleaved like the ring. */
  pending: Float32Array[];
  pendingFrames: number;
  /** Where the next decoded frame will be in the played stream (frames pushed plus pending). */
  framesQueued: number;
  /**
   * True from a flush request until the worklet has emptied the ring: meanwhile framesQueued
   * counts from 0, and so do the boundaries marked `relative`; then both move to where the
   * worklet's play count stood.
   */
  rebase: boolean;
  decodedAny: boolean;
  streamEnded: boolean;
  lastSegment: number;
  /** Where each segment's audio starts in the played stream, for skip and the gap metric. */
  boundaries: { segment: number; frame: number; silenceBefore: number; resolved: boolean; relative: boolean }[];
  lastCredit: { consumedBytes: number; bufferedMs: number; decodedMs: number };
  startLowered: boolean;
  playingNotified: number;
  damageNoticed: boolean;
}

/**
 * The decoder worker's logic, free of worker plumbing so it runs in Node tests too: the
 * ring's only producer. Decodes each utterance's link events, keeps what does not fit in
 * the ring until it does (never blocking: a timer, no Atomics.wait), reports credit back to
 * the engine, and drives the AudioWorklet through its single-writer slots.
 */
export class RingFeeder {
  private current: Current | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly maxBufferFrames: number;
  private readonly channels: number;

  constructor(
    private readonly ring: RingBuffer,
    private readonly stats: Int32Array,
    private readonly options: FeederOptions,
    private readonly notify: (notice: FeederNotice) => void,
    /** The browser's whole-file decoder, for streams the streaming decoders refuse. */
    private readonly decodeWhole?: (bytes: Uint8Array) => Promise<DecodedAudio>,
  ) {
    this.maxBufferFrames = this.frames(options.maxBufferMs);
    this.channels = options.channels ?? 1;
  }

  /** Starts an utterance, ending the one before without a sound from it. */
  play(id: number, open: LinkOpener, mode: PlayMode): void {
    this.stop();
    const stats = this.stats;
    for (const slot of [STAT.ended, STAT.paused, STAT.pendingFrames, STAT.bytesIn, STAT.decodeMicros, STAT.decodeChunks, STAT.decodeMicrosMax, STAT.throughput, STAT.gapFrames, STAT.gapFramesMax, STAT.skippedFrames, STAT.skippedMs]) {
      Atomics.store(stats, slot, 0);
    }
    // The worklet starts from this pre-roll, and shrinks back to it after growing (spec B2).
    const preroll = this.frames(Math.max(this.options.minPrerollMs, Math.min(mode.prerollMs ?? this.options.prerollMs, this.options.maxBufferMs)));
    Atomics.store(stats, STAT.startFrames, preroll);
    Atomics.store(stats, STAT.basePrerollFrames, preroll);
    // The worklet empties the ring and resets its counters before it takes this utterance's audio.
    Atomics.add(stats, STAT.generation, 1);
    const decoder = new UtteranceDecoder({
      outputRate: this.options.sampleRate,
      channels: this.channels === 2 ? 'stereo' : 'mono',
      streaming: mode.streaming,
      pcmSampleRate: mode.pcmSampleRate,
      decodeWhole: this.decodeWhole,
      onReplay: (segment) => this.replay(current, segment),
    });
    const current: Current = {
      id,
      link: { send: () => {}, close: () => {} },
      decoder,
      queue: Promise.resolve(),
      pending: [],
      pendingFrames: 0,
      framesQueued: 0,
      rebase: false,
      decodedAny: false,
      streamEnded: false,
      lastSegment: 0,
      boundaries: [],
      lastCredit: { consumedBytes: -1, bufferedMs: -1, decodedMs: -1 },
      // A learned pre-roll stays what it is: as if the start were already decided.
      startLowered: mode.prerollLearned === true,
      playingNotified: -1,
      damageNoticed: false,
    };
    this.current = current;
    current.link = open(
      (event) => {
        current.queue = current.queue.then(() => this.handle(current, event));
      },
      (message) => this.fail(current, { kind: 'network', message }),
    );
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  /** Silences at once (the worklet empties the ring on its next quantum) and ends the engine's work. */
  stop(): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    current.link.send({ type: 'stop' });
    current.link.close();
    current.decoder.close();
    Atomics.store(this.stats, STAT.ended, 1);
    Atomics.store(this.stats, STAT.paused, 0);
    Atomics.store(this.stats, STAT.flushAtFrame, 0);
    Atomics.add(this.stats, STAT.flushRequest, 1);
    Atomics.store(this.stats, STAT.pendingFrames, 0);
  }

  /** Keeps what is buffered; the engine stops reading. */
  pause(): void {
    if (!this.current) return;
    Atomics.store(this.stats, STAT.paused, 1);
    this.current.link.send({ type: 'pause' });
  }

  resume(): void {
    if (!this.current) return;
    Atomics.store(this.stats, STAT.paused, 0);
    this.current.link.send({ type: 'resume' });
  }

  /** Moves to the segment after (or before) the one playing now. */
  seek(direction: 'skip' | 'previous'): void {
    const current = this.current;
    if (!current) return;
    const playing = this.playingSegment(current);
    const target = direction === 'skip' ? playing + 1 : Math.max(0, playing - 1);
    current.link.send({ type: direction, from: playing });
    current.decoder.discardUntil(target);
    current.boundaries = [];
    current.streamEnded = false;
    Atomics.store(this.stats, STAT.ended, 0);
    this.flush(current, 0);
  }

  /**
   * A restarted segment came back as another rendering (issue 11 #10): what was queued of
   * its first rendering goes, faded out if it is being heard, and it plays again from its start.
   */
  private replay(current: Current, segment: number): void {
    // A boundary counted since a flush still pending is all still here (nothing goes into the ring meanwhile).
    const at = current.boundaries.findIndex((b) => b.segment === segment);
    if (at < 0) return;
    const start = current.boundaries[at].frame;
    current.boundaries.splice(at);
    const pushed = current.framesQueued - current.pendingFrames;
    if (start >= pushed) {
      // All of it is still waiting here: drop it, nothing was heard.
      keepFirstFrames(current, start - pushed, this.channels);
      current.framesQueued = start;
      return;
    }
    // Part of it is in the ring: the worklet plays up to its start, then fades out and empties.
    this.flush(current, start);
  }

  /** Drops what waits here and asks the worklet to empty the ring once play reaches `atFrame`. */
  private flush(current: Current, atFrame: number): void {
    current.pending = [];
    current.pendingFrames = 0;
    current.framesQueued = 0;
    current.rebase = true;
    Atomics.store(this.stats, STAT.pendingFrames, 0);
    Atomics.store(this.stats, STAT.flushAtFrame, atFrame);
    Atomics.add(this.stats, STAT.flushRequest, 1);
  }

  /** The segment whose audio is at the play position. */
  private playingSegment(current: Current): number {
    const played = Atomics.load(this.stats, STAT.framesPlayed);
    let segment = current.boundaries[0]?.segment ?? current.lastSegment;
    for (const boundary of current.boundaries) if (!boundary.relative && boundary.frame <= played) segment = boundary.segment;
    return segment;
  }

  private async handle(current: Current, event: LinkEvent): Promise<void> {
    if (current !== this.current) return;
    if (event.type !== 'chunk') this.notify({ type: 'event', id: current.id, event });
    if (event.type === 'chunk' && current.decoder.metrics.firstByteAt < 0) this.notify({ type: 'first-byte', id: current.id, at: Date.now() });
    if (event.type === 'segment-start') current.lastSegment = event.segment.index;
    if (event.type === 'end' || event.type === 'error') {
      current.streamEnded = true;
      return this.pump();
    }
    try {
      const fallbacks = current.decoder.metrics.fallbacks;
      const blocks = await current.decoder.accept(event);
      if (current !== this.current) return;
      if (current.decoder.metrics.fallbacks > fallbacks) this.notify({ type: 'fallback', id: current.id, segmentIndex: current.lastSegment });
      for (const block of blocks) this.enqueue(current, interleave(block, this.channels));
    } catch (error) {
      if (!(error instanceof DecodeFailure)) throw error;
      return this.fail(current, error.info);
    }
    this.publishDecodeMetrics(current);
    this.pump();
    if (event.type === 'chunk') this.sendCredit(current);
  }

  /** A failure ends the stream: what is buffered still plays, the engine stops, the page hears why. */
  private fail(current: Current, error: ErrorInfo): void {
    if (current !== this.current || current.streamEnded) return;
    current.streamEnded = true;
    current.link.send({ type: 'stop' });
    this.notify({ type: 'error', id: current.id, error });
    this.pump();
  }

  private enqueue(current: Current, block: Float32Array): void {
    const metrics = current.decoder.metrics;
    const frames = block.length / this.channels;
    if (!current.decodedAny) {
      current.decodedAny = true;
      this.notify({ type: 'first-decoded', id: current.id, at: Date.now() });
    }
    if (current.boundaries.at(-1)?.segment !== current.lastSegment) {
      const silence = Atomics.load(this.stats, STAT.silenceFrames);
      // Right after a flush (or at the start) the wait is not a gap between segments.
      const first = current.framesQueued === 0;
      current.boundaries.push({ segment: current.lastSegment, frame: current.framesQueued, silenceBefore: silence, resolved: first, relative: current.rebase });
    }
    current.pending.push(block);
    current.pendingFrames += frames;
    current.framesQueued += frames;
    // Spec B2: a stream far faster than real time starts with the least pre-roll.
    if (!current.startLowered && Atomics.load(this.stats, STAT.framesPlayed) === 0) {
      const decodedMs = (current.framesQueued / this.options.sampleRate) * 1000;
      const elapsed = Math.max(MIN_RATE_WINDOW_MS, performance.now() - metrics.firstByteAt);
      if (decodedMs >= this.options.minPrerollMs && decodedMs / elapsed >= FAST_STREAM) {
        current.startLowered = true;
        Atomics.store(this.stats, STAT.startFrames, this.frames(this.options.minPrerollMs));
      }
    }
  }

  /** Moves pending frames into the ring, up to max-buffer; never waits. */
  private pump(): void {
    const current = this.current;
    if (!current) return;
    const stats = this.stats;
    // The worklet must have emptied the ring for this utterance (or skip) first.
    if (Atomics.load(stats, STAT.seenGeneration) !== Atomics.load(stats, STAT.generation)) return;
    if (Atomics.load(stats, STAT.flushSeen) !== Atomics.load(stats, STAT.flushRequest)) return;
    if (current.rebase) {
      // The ring is empty: what is queued now plays from where the worklet stopped.
      const base = Atomics.load(stats, STAT.flushedAtFrame);
      current.framesQueued += base;
      for (const boundary of current.boundaries) {
        if (!boundary.relative) continue;
        boundary.frame += base;
        boundary.relative = false;
      }
      current.rebase = false;
    }
    const channels = this.channels;
    while (current.pending.length) {
      const room = Math.min((this.ring.availableWrite() / channels) | 0, this.maxBufferFrames - this.ringFrames());
      if (room <= 0) break;
      const block = current.pending[0];
      const written = (this.ring.push(block, Math.min(room * channels, block.length)) / channels) | 0;
      current.pendingFrames -= written;
      if (written * channels === block.length) current.pending.shift();
      else current.pending[0] = block.subarray(written * channels);
    }
    Atomics.store(stats, STAT.pendingFrames, current.pendingFrames);
    if (current.streamEnded && !current.pending.length) Atomics.store(stats, STAT.ended, 1);
  }

  private tick(): void {
    const current = this.current;
    if (!current) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    this.pump();
    this.sendCredit(current);
    this.measureGaps(current);
    if (current.boundaries.length && Atomics.load(this.stats, STAT.framesPlayed) > 0) {
      const playing = this.playingSegment(current);
      if (playing !== current.playingNotified) {
        current.playingNotified = playing;
        // Where the segment starts in the played stream, so the page can follow its words.
        const frame = current.boundaries.find((b) => b.segment === playing)?.frame ?? 0;
        this.notify({ type: 'segment-playing', id: current.id, index: playing, startMs: (frame / this.options.sampleRate) * 1000 });
      }
    }
    const stats = this.stats;
    const settled = Atomics.load(stats, STAT.seenGeneration) === Atomics.load(stats, STAT.generation);
    // Played out: the page hears of it once, and the utterance is let go.
    if (settled && Atomics.load(stats, STAT.drained) === 1 && Atomics.load(stats, STAT.ended) === 1) {
      this.notify({ type: 'drained', id: current.id });
      current.link.close();
      current.decoder.close();
      this.current = null;
    }
  }

  /** Silence the worklet inserted while the play position waited at a segment boundary. */
  private measureGaps(current: Current): void {
    const played = Atomics.load(this.stats, STAT.framesPlayed);
    const silence = Atomics.load(this.stats, STAT.silenceFrames);
    for (const boundary of current.boundaries) {
      if (boundary.resolved || boundary.relative) continue;
      if (played < boundary.frame) {
        boundary.silenceBefore = silence;
        continue;
      }
      boundary.resolved = true;
      const gap = silence - boundary.silenceBefore;
      Atomics.add(this.stats, STAT.gapFrames, gap);
      if (gap > Atomics.load(this.stats, STAT.gapFramesMax)) Atomics.store(this.stats, STAT.gapFramesMax, gap);
    }
  }

  private sendCredit(current: Current): void {
    const bufferedFrames = this.ringFrames() + current.pendingFrames;
    const toMs = (frames: number): number => Math.round((frames / this.options.sampleRate) * 1000);
    const credit = {
      consumedBytes: current.decoder.consumedBytes,
      bufferedMs: toMs(bufferedFrames),
      decodedMs: toMs(current.decoder.metrics.decodedFrames),
    };
    const last = current.lastCredit;
    if (credit.consumedBytes === last.consumedBytes && Math.abs(credit.bufferedMs - last.bufferedMs) < 20) return;
    current.lastCredit = credit;
    current.link.send({ type: 'credit', ...credit });
  }

  private publishDecodeMetrics(current: Current): void {
    const metrics = current.decoder.metrics;
    Atomics.store(this.stats, STAT.bytesIn, metrics.bytesIn);
    Atomics.store(this.stats, STAT.decodeMicros, Math.min(metrics.decodeMicros, 0x7fffffff));
    Atomics.store(this.stats, STAT.decodeChunks, metrics.decodeChunks);
    Atomics.store(this.stats, STAT.decodeMicrosMax, metrics.decodeMicrosMax);
    Atomics.store(this.stats, STAT.throughput, metrics.throughput);
    Atomics.store(this.stats, STAT.skippedFrames, metrics.skippedFrames);
    Atomics.store(this.stats, STAT.skippedMs, Math.round(metrics.skippedMs));
    if (!current.damageNoticed && metrics.skippedMs > DAMAGE_NOTICE_MS) {
      current.damageNoticed = true;
      this.notify({ type: 'damaged', id: current.id, skippedMs: metrics.skippedMs });
    }
  }

  /** Frames in the ring now. */
  private ringFrames(): number {
    return (this.ring.availableRead() / this.channels) | 0;
  }

  private frames(ms: number): number {
    return Math.round((ms / 1000) * this.options.sampleRate);
  }
}

/** Keeps only the first `frames` of what waits to go into the ring. */
function keepFirstFrames(current: Current, frames: number, channels: number): void {
  const kept: Float32Array[] = [];
  let left = frames * channels;
  for (const block of current.pending) {
    if (left <= 0) break;
    kept.push(block.length <= left ? block : block.subarray(0, left));
    left -= block.length;
  }
  current.pending = kept;
  current.pendingFrames = kept.reduce((sum, block) => sum + block.length, 0) / channels;
}

/** One block as the ring holds it: the channel itself for a mono ring, frames of L, R for a stereo one. */
function interleave(block: AudioBlock, channels: number): Float32Array {
  if (channels === 1) return block[0];
  const [left, right = left] = block;
  const out = new Float32Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i];
    out[2 * i + 1] = right[i];
  }
  return out;
}
