import type { RingBuffer } from 'ringbuf.js';
import type { ErrorInfo } from '../speech-events';
import type { DecodedAudio } from '../decoders/types';
import type { ConsumerLink, LinkEvent } from './link-protocol';
import type { FeederNotice, FeederOptions, LinkOpener, PlayMode } from './feeder-types';
import { interleave } from './interleave';
import { measureGaps, storeDecodeMetrics, type Boundary } from './feeder-stats';
import { PlayState, STAT } from './stats';
import { DAMAGE_NOTICE_MS } from './damage';
import { FADE_MS } from './player-core';
import { DecodeFailure, UtteranceDecoder } from './utterance-decoder';
import { StretchQueue, type PlayedBlock } from './stretch-queue';
import { RingContents } from './ring-contents';
import { TimeStretcher, type SonicModule } from '../audio/time-stretch';
import { rateProblem } from '../playback-rate';
import { slowStartRate } from './slow-start';

/** A stream is "fast" when it brings this many times real time (spec B2). */
const FAST_STREAM = 2;
/** Rates measured over less than this are not trusted (one burst is not a rate). */
const MIN_RATE_WINDOW_MS = 25;
/**
 * Audio read this soon after the first byte came with it (the pieces of one read): a
 * server's first burst, which says nothing of how fast the rest comes. Judged on it, a
 * server at 1.2× real time whose first read held 85 ms started at the floor and underran.
 * Timed by the engine's network reads (a chunk's readMs), not by when this side decoded:
 * a first decode that is slow (cold) made the first read's audio pass for the link's pace.
 */
const FIRST_BURST_MS = 10;
/** A first burst this long is a start in itself: it outlasts the gaps of any server faster than speech. */
const BURST_ENOUGH_MS = 500;
const TICK_MS = 10;
/**
 * The ring fills to max-buffer at any rate, as robust as ever; a rate change cuts it this far
 * ahead of the play position and stretches the source audio from there anew.
 */
export const RATE_CUT_MS = 15;
/** The ring is filled this much at a time. */
const PIECE_MS = 40;
/** Under this (−50 dBFS) a voice's opening is silence: the slow start leaves it as it is. */
const QUIET_LEVEL = 0.003;
/** Shorter quiet (a fade-in, a zero crossing) is slowed with the rest. */
const MIN_QUIET_MS = 5;
/**
 * An utterance's opening silence is dropped but for this much before its first sound: servers
 * open each answer with 0.1–0.7 s of it (Kokoro about 300 ms, Qwen3-TTS 125–460, Orpheus up
 * to 700), which the listener would wait through. What is kept lets a soft onset in whole.
 */
export const KEEP_BEFORE_SOUND_MS = 50;
/** An opening quiet for longer than this is not a voice's lead-in: the rest plays as it is. */
export const MOST_OPENING_DROPPED_MS = 1500;
/**
 * Sonic's flush gives a slowed opening back 3–12 ms short of its length ÷ rate (about a pitch
 * period, measured on speech at 0.78–0.84×): the slow start aims this far past the pre-roll.
 */
const SONIC_SHORT_MS = 10;
/** Source audio is kept this long after it is heard: the stretcher's idea of where its output came from is good to about a pitch period. */
const REWIND_SLACK_MS = 30;

interface Current {
  id: number;
  link: ConsumerLink;
  decoder: UtteranceDecoder;
  /** Events are decoded strictly in order. */
  queue: Promise<void>;
  /** Decoded audio waiting for room in the ring, stretched on its way there. */
  waiting: StretchQueue;
  stretcher: TimeStretcher | null;
  /** Where the next frame pushed into the ring will be in the played stream. */
  framesPushed: number;
  /**
   * True from a flush request until the worklet has emptied the ring: then framesPushed moves
   * to where the worklet's play count stood. Nothing is pushed meanwhile.
   */
  rebase: boolean;
  /** True at the start and after a flush: the next boundary follows no gap. */
  fresh: boolean;
  /** The last anchor sent (segment and rate), so a new one goes only when either changes. */
  anchor: { segment: number; rate: number };
  /** Where what is in the ring came from: a rate change cuts it and stretches from there anew. */
  contents: RingContents;
  /** A cut for a rate change is under way: once the ring is emptied, the source from the cut on is stretched again. */
  rewind: boolean;
  /** Frames still to fade in after a cut: what follows it starts mid-waveform (a click otherwise). */
  fadeInLeft: number;
  decodedAny: boolean;
  /** What the server's audio was last said to be ("Ogg Vorbis, 24 kHz, mono"). */
  received: string | null;
  streamEnded: boolean;
  lastSegment: number;
  /** Where each segment's audio starts in the played stream, for skip and the gap metric. */
  boundaries: Boundary[];
  lastCredit: { consumedBytes: number; bufferedMs: number; decodedMs: number };
  startLowered: boolean;
  /** Source ms that came in the first burst (FIRST_BURST_MS). */
  burstMs: number;
  /** When the first chunk and the latest one were read (their readMs, or when they got here). */
  reads: { first: number; latest: number };
  /**
   * A learned pre-roll holds the audio back until play can start: when what is in hand falls
   * a little short of it, the opening is stretched to last instead (slow-start.ts).
   */
  holdForStart: boolean;
  /** Bytes the engine sent right after the last chunk decoded: here already, not yet decoded. */
  followingBytes: number;
  playingNotified: number;
  damageNoticed: boolean;
  /** Until its first sound is in hand, the utterance's opening silence is dropped (dropOpeningSilence). */
  trimOpening: boolean;
  /** Source frames of opening silence dropped so far. */
  openingDropped: number;
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
  private readonly pieceFrames: number;
  private readonly fadeFrames: number;
  private readonly channels: number;
  /** The playback rate, kept from one utterance to the next. */
  private rate = 1;
  private sonic: SonicModule | null = null;

  constructor(
    private readonly ring: RingBuffer,
    private readonly stats: Int32Array,
    private readonly options: FeederOptions,
    private readonly notify: (notice: FeederNotice) => void,
    /** The browser's whole-file decoder, for streams the streaming decoders refuse. */
    private readonly decodeWhole?: (bytes: Uint8Array) => Promise<DecodedAudio>,
  ) {
    this.maxBufferFrames = this.frames(options.maxBufferMs);
    this.pieceFrames = this.frames(PIECE_MS);
    this.fadeFrames = Math.max(1, this.frames(FADE_MS));
    this.channels = options.channels ?? 1;
  }

  /** Sonic has loaded: rates other than 1 can play from now on. */
  useSonic(sonic: SonicModule): void {
    this.sonic = sonic;
    if (this.current) this.applyRate(this.current);
  }

  /**
   * Plays at `rate` (0.5–3) from now on, this utterance and the next: the ring is cut just
   * ahead of what is heard and refilled at the new rate, so it is heard at once.
   */
  setRate(rate: number): void {
    const problem = rateProblem(rate);
    if (problem) throw new RangeError(problem);
    this.rate = rate;
    if (this.current) {
      this.applyRate(this.current);
      this.pump();
      this.sendCredit(this.current);
    }
  }

  /** The queue takes the rate once the stretcher can (at once for 1, or once Sonic has loaded). */
  private applyRate(current: Current): void {
    if (current.waiting.rate === this.rate) return;
    if (this.rate !== 1 && !this.stretcherOf(current)) return;
    current.waiting.setRate(this.rate);
    this.cutForRate(current);
  }

  /**
   * The ring may hold up to max-buffer at the old rate. It is cut just ahead of the play
   * position (the worklet fades out there), and once emptied the source from the cut on is
   * stretched at the new rate.
   */
  private cutForRate(current: Current): void {
    if (current.rebase || current.contents.empty) return;
    const played = Atomics.load(this.stats, STAT.framesPlayed);
    // Nothing is being heard (the pre-roll, a pause): the worklet empties the ring at once.
    const ahead = Atomics.load(this.stats, STAT.state) === PlayState.playing ? this.frames(RATE_CUT_MS) : 0;
    const at = played + ahead;
    if (at >= current.framesPushed) return;
    // The emptied ring is not the end: the worklet waits for the refill (set again once it is all in).
    Atomics.store(this.stats, STAT.ended, 0);
    Atomics.store(this.stats, STAT.flushAtFrame, at);
    Atomics.add(this.stats, STAT.flushRequest, 1);
    current.rebase = true;
    current.rewind = true;
    this.pollSoon();
  }

  /** While the worklet empties the ring for a cut, look every 2 ms rather than every tick: the ring must refill before play reaches the cut. */
  private pollSoon(): void {
    // Bounded: a worklet that is not rendering (a suspended output) is left to the tick.
    const until = performance.now() + 250;
    const poll = (): void => {
      const current = this.current;
      if (!current?.rebase) return;
      this.pump();
      if (current.rebase && performance.now() < until) setTimeout(poll, 2);
    };
    setTimeout(poll, 2);
  }

  private stretcherOf(current: Current): TimeStretcher | null {
    if (!current.stretcher && this.sonic) current.stretcher = new TimeStretcher(this.sonic, this.options.sampleRate, this.channels);
    return current.stretcher;
  }

  /** Starts an utterance, ending the one before without a sound from it. */
  play(id: number, open: LinkOpener, mode: PlayMode): void {
    this.stop();
    const stats = this.stats;
    for (const slot of [STAT.ended, STAT.paused, STAT.pendingFrames, STAT.bytesIn, STAT.decodeMicros, STAT.decodeChunks, STAT.decodeMicrosMax, STAT.throughput, STAT.gapFrames, STAT.gapFramesMax, STAT.skippedFrames, STAT.skippedMs, STAT.openingDroppedFrames]) {
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
      waiting: null as unknown as StretchQueue,
      stretcher: null,
      framesPushed: 0,
      rebase: false,
      fresh: true,
      anchor: { segment: -1, rate: 0 },
      contents: new RingContents(this.options.sampleRate),
      rewind: false,
      fadeInLeft: 0,
      decodedAny: false,
      received: null,
      streamEnded: false,
      lastSegment: 0,
      boundaries: [],
      lastCredit: { consumedBytes: -1, bufferedMs: -1, decodedMs: -1 },
      // A learned pre-roll stays what it is: as if the start were already decided.
      startLowered: mode.prerollLearned === true,
      burstMs: 0,
      reads: { first: -1, latest: -1 },
      holdForStart: mode.prerollLearned === true,
      followingBytes: 0,
      playingNotified: -1,
      damageNoticed: false,
      trimOpening: true,
      openingDropped: 0,
    };
    current.waiting = new StretchQueue(this.options.sampleRate, this.channels, () => this.stretcherOf(current));
    this.applyRate(current);
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
    // Silence first: closing the decoder makes the next one's spare.
    Atomics.store(this.stats, STAT.ended, 1);
    Atomics.store(this.stats, STAT.paused, 0);
    Atomics.store(this.stats, STAT.flushAtFrame, 0);
    Atomics.add(this.stats, STAT.flushRequest, 1);
    Atomics.store(this.stats, STAT.pendingFrames, 0);
    current.link.send({ type: 'stop' });
    current.link.close();
    current.decoder.close();
    current.stretcher?.free();
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
    current.waiting.clear();
    current.boundaries = [];
    current.streamEnded = false;
    // The sentence sought starts anew: its opening silence is no more wanted than the first one's.
    current.trimOpening = true;
    current.openingDropped = 0;
    Atomics.store(this.stats, STAT.ended, 0);
    this.flush(current, 0);
  }

  /**
   * A restarted segment came back as another rendering (issue 11 #10): what was queued of
   * its first rendering goes, faded out if it is being heard, and it plays again from its start.
   */
  private replay(current: Current, segment: number): void {
    // What waits of it here goes; a boundary exists only once some of it went into the ring.
    current.waiting.dropSegment(segment);
    const at = current.boundaries.findIndex((b) => b.segment === segment);
    if (at < 0) return;
    const start = current.boundaries[at].frame;
    current.boundaries.splice(at);
    // Part of it is in the ring: the worklet plays up to its start, then fades out and empties.
    if (start < current.framesPushed) this.flush(current, start);
  }

  /** Drops what waits here and asks the worklet to empty the ring once play reaches `atFrame`. */
  private flush(current: Current, atFrame: number): void {
    current.waiting.clear();
    current.contents.clear();
    current.rewind = false;
    current.framesPushed = 0;
    current.rebase = true;
    current.fresh = true;
    Atomics.store(this.stats, STAT.pendingFrames, 0);
    Atomics.store(this.stats, STAT.flushAtFrame, atFrame);
    Atomics.add(this.stats, STAT.flushRequest, 1);
  }

  /** The segment whose audio is at the play position. */
  private playingSegment(current: Current): number {
    const played = Atomics.load(this.stats, STAT.framesPlayed);
    let segment = current.boundaries[0]?.segment ?? current.lastSegment;
    for (const boundary of current.boundaries) if (boundary.frame <= played) segment = boundary.segment;
    return segment;
  }

  private async handle(current: Current, event: LinkEvent): Promise<void> {
    if (current !== this.current) return;
    if (event.type !== 'chunk') this.notify({ type: 'event', id: current.id, event });
    if (event.type === 'chunk' && current.decoder.metrics.firstByteAt < 0) this.notify({ type: 'first-byte', id: current.id, at: epochNow() });
    if (event.type === 'segment-start') current.lastSegment = event.segment.index;
    if (event.type === 'chunk') this.noteRead(current, event.readMs !== undefined && Number.isFinite(event.readMs) ? event.readMs : performance.now());
    if (event.type === 'end' || event.type === 'error') {
      current.streamEnded = true;
      return this.pump();
    }
    try {
      const fallbacks = current.decoder.metrics.fallbacks;
      const blocks = await current.decoder.accept(event);
      if (current !== this.current) return;
      if (current.decoder.metrics.fallbacks > fallbacks) this.notify({ type: 'fallback', id: current.id, segmentIndex: current.lastSegment });
      const received = current.decoder.received;
      if (received && received !== current.received) {
        current.received = received;
        this.notify({ type: 'received', id: current.id, description: received });
      }
      for (const block of blocks) this.enqueue(current, interleave(block, this.channels));
      if (event.type === 'chunk') current.followingBytes = event.following ?? 0;
      // The stretcher gives back what it holds of a segment at its end, not with the next one.
      if (event.type === 'segment-end') current.waiting.endSegment(event.segmentIndex);
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
    if (!current.decodedAny) {
      current.decodedAny = true;
      this.notify({ type: 'first-decoded', id: current.id, at: epochNow() });
    }
    current.waiting.push(current.lastSegment, block);
    // Spec B2: a stream far faster than real time starts with the least pre-roll.
    if (!current.startLowered && Atomics.load(this.stats, STAT.framesPlayed) === 0) {
      // In source time: how fast the stream comes, whatever the rate.
      const decodedMs = (metrics.decodedFrames / this.options.sampleRate) * 1000;
      const sinceFirstByte = current.reads.latest - current.reads.first;
      if (sinceFirstByte <= FIRST_BURST_MS) current.burstMs = decodedMs;
      // The pace is what came after the first burst, over the time it took.
      const fast = current.burstMs >= BURST_ENOUGH_MS || (decodedMs - current.burstMs) / Math.max(MIN_RATE_WINDOW_MS, sinceFirstByte) >= FAST_STREAM;
      if (decodedMs >= this.options.minPrerollMs && fast) {
        current.startLowered = true;
        Atomics.store(this.stats, STAT.startFrames, this.frames(this.options.minPrerollMs));
      }
    }
  }

  private noteRead(current: Current, readMs: number): void {
    if (current.reads.first < 0) current.reads.first = readMs;
    current.reads.latest = Math.max(current.reads.latest, readMs);
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
      // The ring is empty: what comes now plays from where the worklet stopped.
      current.framesPushed = Atomics.load(stats, STAT.flushedAtFrame);
      current.rebase = false;
      if (current.rewind) this.rewindToCut(current);
    }
    this.forgetPlayed(current);
    this.applyRate(current);
    const opened = !current.trimOpening || this.dropOpeningSilence(current);
    if (opened && (!current.holdForStart || this.decideStart(current))) this.fill(current);
    Atomics.store(stats, STAT.pendingFrames, current.waiting.frames);
    if (current.streamEnded && current.waiting.empty) Atomics.store(stats, STAT.ended, 1);
  }

  /** Moves what waits into the ring, up to max-buffer (and up to `most` frames). */
  private fill(current: Current, most = Infinity): void {
    let room = Math.min((this.ring.availableWrite() / this.channels) | 0, this.maxBufferFrames - this.ringFrames(), most);
    // A piece at a time: after a cut the worklet may start on the first while the rest is stretched.
    while (room > 0) {
      const blocks = current.waiting.take(Math.min(room, this.pieceFrames), current.streamEnded);
      if (!blocks.length) break;
      for (const block of blocks) {
        this.push(current, block);
        room -= block.data.length / this.channels;
      }
    }
  }

  /**
   * Drops the opening silence in hand but the last KEEP_BEFORE_SOUND_MS of it; true once play
   * may start: the first sound is in hand, the first segment or the stream ended quiet, or
   * MOST_OPENING_DROPPED_MS went. Until then nothing starts: there is nothing to hear yet.
   */
  private dropOpeningSilence(current: Current): boolean {
    const opening = current.waiting.quietOpening(QUIET_LEVEL);
    const drop = Math.min(opening.frames - this.frames(KEEP_BEFORE_SOUND_MS), this.frames(MOST_OPENING_DROPPED_MS) - current.openingDropped);
    if (drop > 0) {
      current.waiting.dropHead(drop);
      current.openingDropped += drop;
      Atomics.add(this.stats, STAT.openingDroppedFrames, drop);
    }
    const done = opening.sounded || opening.ended || current.streamEnded || current.openingDropped >= this.frames(MOST_OPENING_DROPPED_MS);
    if (done) current.trimOpening = false;
    return done;
  }

  /**
   * Whether a held start can go ahead: the pre-roll is in hand, the stream has ended, or what
   * is in hand is near enough to be stretched to it (then it is, and play starts on it now,
   * not a whole gap later).
   */
  private decideStart(current: Current): boolean {
    const need = Atomics.load(this.stats, STAT.startFrames);
    const inHand = current.waiting.frames;
    if (current.streamEnded || inHand >= need || Atomics.load(this.stats, STAT.framesPlayed) > 0) {
      current.holdForStart = false;
      return true;
    }
    // The rest of a read that came whole is here already, so no network gap can hold it up:
    // once what is decoded covers the least pre-roll, it counts toward the rest (decoding it
    // takes a few ms, and the least pre-roll lasts 30). On the bench's steady link mp3 began
    // 4 ms sooner, no longer waiting for its second chunk's decode.
    if (inHand >= this.frames(this.options.minPrerollMs) && inHand + this.framesFollowing(current) >= need) {
      current.holdForStart = false;
      this.fill(current);
      Atomics.store(this.stats, STAT.startFrames, Math.min(need, this.ringFrames()));
      return true;
    }
    const slack = this.frames(SONIC_SHORT_MS);
    const wholeSlow = slowStartRate(inHand, need, this.rate, slack);
    // Too little in hand to stretch even all of it: keep waiting (and skip the scan below, run at every tick while holding).
    if (wholeSlow === null || !this.stretcherOf(current)) return false;
    // A voice's leading silence plays as it is, so its first sound is not put off: what follows is slowed instead.
    // (At 1× only: at other rates Sonic holds some of it back, and all of the opening is slowed.)
    const quiet = this.rate === 1 ? current.waiting.quietHead(QUIET_LEVEL) : 0;
    const voicedSlow = quiet >= this.frames(MIN_QUIET_MS) ? slowStartRate(inHand - quiet, need - quiet, this.rate, slack) : null;
    const slow = voicedSlow ?? wholeSlow;
    current.holdForStart = false;
    if (voicedSlow !== null) {
      current.waiting.splitAt(quiet);
      this.fill(current, quiet);
    }
    current.waiting.setRate(slow);
    this.fill(current);
    // Back to the listener's rate: Sonic gives back what it held of the opening first.
    current.waiting.setRate(this.rate);
    this.fill(current);
    // Sonic's flush may still leave the ring a little short of the pre-roll: start on it.
    Atomics.store(this.stats, STAT.startFrames, Math.min(need, this.ringFrames()));
    const slowed = inHand - (voicedSlow !== null ? quiet : 0);
    this.notify({ type: 'slow-start', id: current.id, rate: slow / this.rate, sourceMs: Math.round(((slowed * this.rate) / this.options.sampleRate) * 1000) });
    return true;
  }

  /**
   * Played frames the bytes already here will bring, at the bytes-to-audio ratio decoded so
   * far (an underestimate at the start of mp3 or Opus, whose headers and priming give none).
   */
  private framesFollowing(current: Current): number {
    const { decodedFrames, bytesIn } = current.decoder.metrics;
    return bytesIn > 0 ? (current.followingBytes * decodedFrames) / bytesIn / this.rate : 0;
  }

  /** After a cut for a rate change: the source audio from where the worklet stopped is stretched again. */
  private rewindToCut(current: Current): void {
    const base = current.framesPushed;
    const place = current.contents.sourceAt(base);
    current.rewind = false;
    current.contents.clear();
    if (place) current.waiting.rewind(place.segment, place.frame);
    current.boundaries = current.boundaries.filter((boundary) => boundary.frame < base);
    current.anchor = { segment: -1, rate: 0 };
    current.fadeInLeft = this.fadeFrames;
  }

  /** Forgets what the worklet has played, here and (less some slack) in the stretcher's source. */
  private forgetPlayed(current: Current): void {
    const played = Atomics.load(this.stats, STAT.framesPlayed);
    current.contents.forgetBefore(played);
    const place = current.contents.sourceAt(played);
    if (place) current.waiting.forget(place.segment, place.frame - this.frames(REWIND_SLACK_MS));
  }

  /** Writes one played block into the ring (room was checked), marking where segments and rates begin. */
  private push(current: Current, block: PlayedBlock): void {
    if (current.boundaries.at(-1)?.segment !== block.segment) {
      // Right after a flush (or at the start) the wait is not a gap between segments.
      current.boundaries.push({ segment: block.segment, frame: current.framesPushed, silenceBefore: Atomics.load(this.stats, STAT.silenceFrames), resolved: current.fresh });
    }
    if (current.anchor.segment !== block.segment || current.anchor.rate !== block.rate) {
      current.anchor = { segment: block.segment, rate: block.rate };
      const playedMs = (current.framesPushed / this.options.sampleRate) * 1000;
      this.notify({ type: 'anchor', id: current.id, segment: block.segment, playedMs, sourceMs: block.sourceMs, rate: block.rate });
    }
    current.fresh = false;
    current.contents.add(current.framesPushed, block, this.channels);
    const data = current.fadeInLeft > 0 ? this.fadeIn(current, block.data) : block.data;
    current.framesPushed += (this.ring.push(data) / this.channels) | 0;
  }

  /** A copy of `data` whose first frames ramp up, continuing the cut's fade-in. */
  private fadeIn(current: Current, data: Float32Array): Float32Array {
    const copy = data.slice();
    const frames = Math.min(current.fadeInLeft, copy.length / this.channels);
    const done = this.fadeFrames - current.fadeInLeft;
    for (let f = 0; f < frames; f++) {
      const gain = (done + f) / this.fadeFrames;
      for (let c = 0; c < this.channels; c++) copy[f * this.channels + c] *= gain;
    }
    current.fadeInLeft -= frames;
    return copy;
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
    measureGaps(this.stats, current.boundaries);
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
      current.stretcher?.free();
      this.current = null;
    }
  }

  private sendCredit(current: Current): void {
    // Played time, at the rate in force: at 3× the engine must fetch three times as fast.
    const bufferedFrames = this.ringFrames() + current.waiting.frames;
    const toMs = (frames: number): number => Math.round((frames / this.options.sampleRate) * 1000);
    const credit = {
      consumedBytes: current.decoder.consumedBytes,
      bufferedMs: toMs(bufferedFrames),
      decodedMs: toMs(current.decoder.metrics.decodedFrames / current.waiting.rate),
    };
    const last = current.lastCredit;
    if (credit.consumedBytes === last.consumedBytes && Math.abs(credit.bufferedMs - last.bufferedMs) < 20) return;
    current.lastCredit = credit;
    current.link.send({ type: 'credit', ...credit });
  }

  private publishDecodeMetrics(current: Current): void {
    const metrics = current.decoder.metrics;
    storeDecodeMetrics(this.stats, metrics);
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

/**
 * Epoch ms to a fraction of one, as the page's first-heard time is: the timing record's steps
 * of a start are 1–2 ms apart, which Date.now() cannot tell, and the bench compares them with
 * the server's clock.
 */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
