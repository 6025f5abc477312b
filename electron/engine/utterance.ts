import type { AudioFormat } from '../../shared/audio-format';
import type { Settings } from '../../shared/config/schema';
import { ChunkCoalescer } from './coalesce';
import { ChunkSizer, firstChunkBytes } from './chunk-size';
import { declaredLength } from './declared-length';
import { SpeechError } from './errors';
import type { Credit, EngineEvent, ErrorInfo, SegmentMetrics } from '../../shared/speech-events';
import { previewOf } from '../../shared/session';
import { FlowGate } from './flow';
import { firstAnswer, LATE_ANSWER_MS, type HedgePlan, type PendingAnswer } from './hedge';
import { readWithIdle, TRICKLE_BYTES } from './idle-reader';
import { BytePrefix, RenderingMatch, sameBytes } from './rendering-match';
import { LeadingTags } from './leading-tags';
import { StreamEndCheck } from './stream-end';
import { linkKey, type Arrival, type LinkEstimates } from './link-estimate';
import { Prefetcher } from './prefetcher';
import { QualityFallback } from './quality-fallback';
import { probeSegment } from './probe';
import type { SpeechAudio, SpeechProvider, WordMark } from './provider';
import { DEFAULT_RETRY_POLICY, afterFailure, givenUp, sleep, type RetryPolicy } from './retry';
import { segmentText, segmentsFrom, type Segment } from './segment';
import { PREPARE_AT_ONCE_CHARS, prepareOptionsFor, prepareText, prepareTextInSlices, type PrepareOptions, type SpokenText } from './text';
import { widenToReplaced, type Pronunciations } from './pronunciation';
import { watchLoopTurns } from './loop-turns';

/** The settings an utterance reads. */
export type UtteranceSettings = Pick<
  Settings,
  'format' | 'pcmSampleRate' | 'stripMarkdown' | 'streamChunkSize' | 'streamMaxBuffer' | 'idleTimeoutSec' | 'maxRetries'
> &
  Partial<Pick<Settings, 'qualityFallback' | 'hedgeRequests' | 'speed'>>;

/** How to run one utterance. */
export interface UtteranceOptions {
  provider: SpeechProvider;
  settings: UtteranceSettings;
  /** False for consumers that never report credit (they must keep up by themselves). */
  flowControl?: boolean;
  retryPolicy?: Partial<RetryPolicy>;
  /** A trickle is flushed to the consumer after this much quiet (default 10 ms). */
  flushMs?: number;
  /** Learns each endpoint's link from the segments downloaded (spec B2). */
  links?: LinkEstimates;
  /**
   * Read the text from this offset (a jump, a resume): it is segmented whole, as from its
   * start, so the segments after the first are the ones read before. Offsets in events
   * count from here.
   */
  startAt?: number;
  /** The user's pronunciation dictionary, applied to the text before it is cut into segments. */
  pronunciations?: Pronunciations;
}

/** A stall is not called sooner than this: a server's pause between its own chunks is no stall. */
const STALL_FLOOR_MS = 1000;
/** A new request needs this long, at least, to bring audio before the buffer runs out. */
const STALL_MARGIN_MS = 200;
/** A wait longer than this (for the gate, or for the network) is a real one, not a turn of the event loop. */
const BACKLOG_WAIT_MS = 1;
/** No sentence lasts longer than this, plus RUNAWAY_MS_PER_CHAR a character (speech is ~70 ms), at speed 1. */
const RUNAWAY_BASE_MS = 20_000;
const RUNAWAY_MS_PER_CHAR = 500;

/** Audio past which a segment's body is an endless stream, not its sentence. */
export function runawayLimitMs(text: string, speed: number): number {
  return (RUNAWAY_BASE_MS + RUNAWAY_MS_PER_CHAR * text.length) / Math.min(1, speed);
}

/** One try at a segment, as streamSegment sees it. */
interface Attempt {
  /** The server streaming it, and its index: set to the one that answered (a hedged request's may be the next). */
  endpoint: string;
  endpointIndex: number;
  attempt: number;
  retries: number;
  sentBefore: BytePrefix | null;
  watchStalls: boolean;
}

/** Why a segment's download ended early. */
type Interruption = { kind: 'seek'; index: number } | { kind: 'stop' };

/**
 * One text being spoken: segments requested in order, one ahead, their bytes streamed to
 * the consumer under credit-based flow control, failures retried or failed over by one
 * policy, and every step announced as an EngineEvent.
 */
export class Utterance {
  /** Resolves after the last event ('end' or 'error'); never rejects. */
  readonly done: Promise<void>;
  private readonly stopper = new AbortController();
  private readonly gate: FlowGate;
  private readonly coalescer: ChunkCoalescer;
  private readonly chunks: ChunkSizer;
  private readonly policy: RetryPolicy;
  private readonly segments: Segment[] = [];
  /** Cuts segments on demand; a long text's is made once its preparation finished (run). */
  private segmentSource: Generator<Segment> | null = null;
  /** What preparing the text found worth saying (a dictionary rule given up on). */
  private preparationNotes: string[] = [];
  /** Spans of the original a dictionary rule replaced: a word said inside one marks all of it. */
  private replacedSpans: number[] | undefined;
  private readonly text: string;
  private segmentController: AbortController | null = null;
  private readonly prefetcher: Prefetcher;
  private readonly quality: QualityFallback;
  /** The format each segment is asked for, decided once (its restarts ask the same). */
  private readonly formats = new Map<number, AudioFormat>();
  private interruption: Interruption | null = null;
  private endpointIndex = 0;
  private currentIndex = 0;
  private readonly totals = { bytes: 0, retries: 0, failovers: 0, firstTtfbMs: -1, startedAt: 0 };
  private readonly textLength: number;
  /** The last answer judged cut short: the same answer again is how that server ends its audio. */
  private lastCut: { segment: number; bytes: number; reason: string; rendering: BytePrefix } | null = null;
  /** Endpoint, format and kind of ending already seen to be a server's own way of ending. */
  private readonly trustedEnds = new Set<string>();
  /** Servers already said to be late answering: once each is enough. */
  private readonly saidLate = new Set<string>();

  constructor(
    text: string,
    private readonly options: UtteranceOptions,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    const { settings, provider } = options;
    // A text of ordinary length is prepared now: empty text throws SpeechError('input') at
    // once and nothing is started. A long one is prepared in slices when it runs.
    if (text.length < PREPARE_AT_ONCE_CHARS) this.segmentSource = this.segmentsOf(prepareText(text, this.prepareOptions()));
    this.text = text;
    this.textLength = text.length - (options.startAt ?? 0);
    this.policy = { ...DEFAULT_RETRY_POLICY, maxRetries: settings.maxRetries, ...options.retryPolicy };
    this.prefetcher = new Prefetcher(provider);
    this.quality = new QualityFallback(settings.format, settings.qualityFallback !== false && provider.id === 'openai' && options.links !== undefined);
    this.gate = new FlowGate(settings.streamMaxBuffer * 1000, settings.streamChunkSize * 8, options.flowControl ?? true);
    this.chunks = new ChunkSizer(settings.streamChunkSize);
    this.coalescer = new ChunkCoalescer(
      () => this.chunks.size,
      options.flushMs ?? 10,
      (bytes, readMs, following) => {
        this.chunks.emitted(bytes.length);
        this.gate.sentBytes(bytes.length);
        this.emit({ type: 'chunk', segmentIndex: this.currentIndex, bytes, readMs, ...(following > 0 ? { following } : {}) });
      },
      () => this.chunks.trickleBelow,
    );
    this.done = this.run();
  }

  /** The consumer's report of what it holds (spec A1, B4). */
  credit(credit: Credit): void {
    this.gate.report(credit);
  }

  /** Stops reading the network; what is in flight stays. */
  pause(): void {
    this.gate.setPaused(true);
  }

  /** Reads on. */
  resume(): void {
    this.gate.setPaused(false);
  }

  /** Aborts everything in flight at once; 'error' with kind 'cancelled' follows. */
  stop(): void {
    this.interrupt({ kind: 'stop' });
  }

  /**
   * Spec E1: while a live player's buffer runs down, a body silent for longer than the audio
   * left (less a margin) is asked again before the silence is heard, not after the idle
   * timeout; never sooner than twice the link's usual p99 gap, nor than STALL_FLOOR_MS.
   */
  private stallWatch(endpoint: string, format: AudioFormat): { afterMs: number; bufferedMs: number } | undefined {
    if (!this.gate.live) return undefined;
    const bufferedMs = this.gate.projectedBufferMs;
    const usualGap = this.options.links?.summary(linkKey(endpoint, format))?.gapP99Ms ?? 0;
    return { afterMs: Math.max(STALL_FLOOR_MS, 2 * usualGap, bufferedMs - STALL_MARGIN_MS), bufferedMs };
  }

  /**
   * A server that answered at once but sends no audio (it synthesises the whole text first,
   * or hangs) left the listener in silence until the idle timeout, on every retry: said once
   * per server, LATE_ANSWER_MS into the wait, as a late answer is. Returns the timer to clear.
   */
  private sayIfNoAudio(endpoint: string, segmentIndex: number): ReturnType<typeof setTimeout> | undefined {
    if (this.options.provider.id !== 'openai' || this.saidLate.has(endpoint)) return undefined;
    return setTimeout(() => {
      if (this.saidLate.has(endpoint)) return;
      this.saidLate.add(endpoint);
      this.emit({ type: 'notice', segmentIndex, message: `${endpoint} answered but has sent no audio in ${seconds(LATE_ANSWER_MS)} s; still waiting.` });
    }, LATE_ANSWER_MS);
  }

  /** Moves to the segment after `from` (default: the one downloading). */
  skip(from = this.currentIndex): void {
    this.interrupt({ kind: 'seek', index: from + 1 });
  }

  /** Moves back to the segment before `from` (default: the one downloading). */
  previous(from = this.currentIndex): void {
    this.interrupt({ kind: 'seek', index: Math.max(0, from - 1) });
  }

  /** What the engine holds right now, for the memory-bound tests (bytes). */
  queues(): { coalescerBytes: number; outstandingBytes: number } {
    return { coalescerBytes: this.coalescer.heldBytes, outstandingBytes: this.gate.outstandingBytes };
  }

  private interrupt(interruption: Interruption): void {
    if (this.interruption?.kind === 'stop') return;
    this.interruption = interruption;
    if (interruption.kind === 'stop') {
      this.stopper.abort();
      this.prefetcher.drop();
    }
    this.segmentController?.abort();
    this.gate.setPaused(false);
  }

  private async run(): Promise<void> {
    this.totals.startedAt = Date.now();
    const { provider } = this.options;
    this.emit({
      type: 'utterance-start',
      provider: provider.id,
      endpoint: provider.endpoints[0],
      textLength: this.textLength,
      startedAt: this.totals.startedAt,
    });
    let index = 0;
    try {
      this.segmentSource ??= this.segmentsOf(await prepareTextInSlices(this.text, this.prepareOptions()));
      if (this.stopper.signal.aborted) throw new SpeechError('cancelled', 'Stopped.');
      for (const message of this.preparationNotes) this.emit({ type: 'notice', segmentIndex: 0, message });
      for (let segment = this.segmentAt(index); segment; segment = this.segmentAt(index)) {
        index = await this.playSegment(segment);
      }
      this.emit({
        type: 'end',
        metrics: {
          ttfbMs: this.totals.firstTtfbMs,
          totalMs: Date.now() - this.totals.startedAt,
          bytes: this.totals.bytes,
          segments: this.segments.length,
          retries: this.totals.retries,
          failovers: this.totals.failovers,
        },
      });
    } catch (error) {
      const failure = this.naming(error instanceof SpeechError ? error : new SpeechError('network', String(error)));
      this.emit({ type: 'error', error: errorInfo(failure), segmentIndex: this.currentIndex });
    } finally {
      this.coalescer.discard();
      this.prefetcher.drop();
    }
  }

  /**
   * A request the server refused for one part of a longer text (characters it does not take,
   * a content filter) names that part: "Input contains unsupported characters" alone left the
   * user to guess which sentence of a page it meant.
   */
  private naming(failure: SpeechError): SpeechError {
    const segment = this.segments[this.currentIndex];
    if (failure.kind !== 'request' || !segment || (this.currentIndex === 0 && !this.segmentAt(1))) return failure;
    return new SpeechError(failure.kind, `${failure.message.replace(/\.?$/, '.')} It refused this part of the text: “${previewOf(segment.text, 60)}”.`, failure.details);
  }

  private prepareOptions(): PrepareOptions {
    const { settings, provider, pronunciations } = this.options;
    return prepareOptionsFor(settings, provider.id, pronunciations);
  }

  private segmentsOf(spoken: SpokenText): Generator<Segment> {
    this.preparationNotes = spoken.notes ?? [];
    this.replacedSpans = spoken.replaced;
    const maxChars = this.options.provider.maxInputChars;
    const segments = segmentText(spoken, { maxChars });
    return this.options.startAt ? segmentsFrom(segments, this.options.startAt, maxChars) : segments;
  }

  /** The segment at `index`, cut from the text on first use; undefined past the end. */
  private segmentAt(index: number): Segment | undefined {
    while (this.segments.length <= index) {
      const next = this.segmentSource!.next();
      if (next.done) return undefined;
      this.segments.push(next.value);
    }
    return this.segments[index];
  }

  /** Streams one segment, retrying and failing over; returns the index to play next. */
  private async playSegment(segment: Segment): Promise<number> {
    const { provider } = this.options;
    this.currentIndex = segment.index;
    let retries = 0;
    // The first bytes of the rendering the consumer was sent; null until anything was.
    let sent: BytePrefix | null = null;
    // One early retry for a stall per segment: a server whose pauses are its way is then waited for.
    let stallRetried = false;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      this.segmentController = controller;
      const stopListener = (): void => controller.abort();
      this.stopper.signal.addEventListener('abort', stopListener, { once: true });
      const asked = this.endpointIndex;
      const tried: Attempt = { endpoint: provider.endpoints[asked], endpointIndex: asked, attempt, retries, sentBefore: sent, watchStalls: !stallRetried };
      try {
        if (this.interruption) controller.abort();
        return await this.streamSegment(segment, controller, tried, (rendering, replay) => {
          // A splice continues the rendering already sent; a replay replaces it.
          if (!sent || replay) sent = rendering;
        });
      } catch (error) {
        this.coalescer.discard();
        const interruption = this.interruption as Interruption | null;
        if (interruption) {
          this.interruption = null;
          if (interruption.kind === 'stop') throw new SpeechError('cancelled', 'Stopped.');
          this.emit({ type: 'segment-end', segmentIndex: segment.index, metrics: emptyMetrics(tried.endpoint, retries), skipped: true });
          return interruption.index;
        }
        const failure = error instanceof SpeechError ? error : new SpeechError('network', String(error));
        if (failure.kind === 'cancelled') throw failure;
        // A server that refuses the smaller format gets the next one (or the asked one) at once.
        const format = this.formats.get(segment.index);
        if (failure.kind === 'request' && format && this.quality.refuse(format)) {
          this.formats.delete(segment.index);
          continue;
        }
        if (failure.details.stalled) stallRetried = true;
        // Answered by the next server (the first was late, or slower than its p95): the failure
        // is that server's first, retried and failed over from as its own, and said so.
        if (tried.endpointIndex !== asked) {
          this.endpointIndex = tried.endpointIndex;
          retries = 0;
        }
        const failed = provider.endpoints[this.endpointIndex];
        const step = afterFailure(failure, { retries, endpointIndex: this.endpointIndex, endpoints: provider.endpoints }, this.policy);
        retries++;
        this.totals.retries++;
        if (step.action === 'failover') {
          this.endpointIndex = step.endpointIndex;
          this.totals.failovers++;
          retries = 0;
          this.emit({
            type: 'failover',
            segmentIndex: segment.index,
            from: failed,
            to: provider.endpoints[this.endpointIndex],
            error: errorInfo(failure),
          });
          continue;
        }
        if (step.action === 'give-up') throw givenUp(failure, this.policy);
        this.emit({ type: 'retry', segmentIndex: segment.index, attempt: step.attempt, delayMs: step.delayMs, error: errorInfo(failure) });
        try {
          await sleep(step.delayMs, controller.signal);
        } catch {
          // Interrupted while waiting: the next turn of the loop sees it.
        }
      } finally {
        this.stopper.signal.removeEventListener('abort', stopListener);
        this.segmentController = null;
      }
    }
  }

  /** One attempt at one segment: request, probe, stream. Returns the next index. */
  private async streamSegment(
    segment: Segment,
    controller: AbortController,
    attempt: Attempt,
    onFirstSend: (rendering: BytePrefix, replay: boolean) => void,
  ): Promise<number> {
    const { settings } = this.options;
    const words: WordMark[] = [];
    let started = false;
    const onWord = (word: WordMark): void => {
      if (started) this.emitWord(segment, word);
      else words.push(word);
    };
    const format = this.formatOf(segment.index);
    const { audio, requestedAt, requestedPerf, askedPerf, endpointIndex } = await this.openSegment(segment, controller, onWord, format);
    // A hedged request may have been answered by the next server.
    attempt.endpointIndex = endpointIndex;
    attempt.endpoint = this.options.provider.endpoints[endpointIndex];
    const reader = audio.body.getReader();
    const signal = controller.signal;
    const idleMs = settings.idleTimeoutSec * 1000;
    let firstByteAt = -1;
    /** When the latest read returned: chunks carry it, so the consumer times the link and not itself. */
    let lastReadMs = 0;
    let bytes = 0;
    let completed = false;
    // The link as the network shows it: waits for a read after the first byte, not for credit.
    const arrivals: Arrival[] = [];
    let networkMs = 0;
    /**
     * True while reads find bytes already waiting, in time the pace does not count: the first
     * byte and what came with it (the wait for it is the server's thinking), and what piled up
     * during a flow-control pause. False again once a read waits for the network.
     */
    let backlog = true;
    const rendering = new BytePrefix();
    const tags = new LeadingTags();
    let ends: StreamEndCheck | null = null;
    /**
     * The idle window: the time spent waiting on the network in it (not on flow control, nor
     * on this process), and the bytes it brought; a new one begins at each TRICKLE_BYTES.
     */
    const window = { sinceMs: 0, bytes: 0 };
    try {
      const read = async (): Promise<Uint8Array | null> => {
        const gateFrom = performance.now();
        await this.gate.wait(signal);
        // While flow control held reading back, the link went on filling TCP's buffers.
        if (performance.now() - gateFrom > BACKLOG_WAIT_MS) backlog = true;
        const askedAt = performance.now();
        const turns = watchLoopTurns();
        const stall = attempt.watchStalls && firstByteAt >= 0 ? this.stallWatch(attempt.endpoint, format) : undefined;
        const quiet = firstByteAt < 0 && !audio.fromCache ? this.sayIfNoAudio(attempt.endpoint, segment.index) : undefined;
        const result = await readWithIdle(reader, signal, idleMs, attempt.endpoint, stall, { ...window }, firstByteAt < 0).finally(() => {
          turns.stop();
          clearTimeout(quiet);
        });
        const waitedMs = performance.now() - askedAt;
        // A read that found its bytes waiting took only this process's own time, however long (a
        // stalled event loop): counted, it read as a gap in the link and grew the learned pre-roll,
        // or as a drip. The first byte's wait is the server's thinking, bounded by the idle timeout.
        if (firstByteAt >= 0 && turns.passed()) {
          networkMs += waitedMs;
          window.sinceMs += waitedMs;
        }
        if (result.done) return audioOf(tags.leftover());
        lastReadMs = performance.now();
        window.bytes += result.value.length;
        if (window.bytes >= TRICKLE_BYTES) Object.assign(window, { sinceMs: 0, bytes: 0 });
        if (firstByteAt >= 0 && waitedMs > BACKLOG_WAIT_MS && turns.passed()) backlog = false;
        // The first byte's wait is the server's thinking, not the link's pace.
        if (firstByteAt >= 0 && !audio.fromCache && !backlog) this.chunks.arrived(result.value.length, waitedMs);
        arrivals.push(backlog ? { atMs: networkMs, bytes: result.value.length, backlog } : { atMs: networkMs, bytes: result.value.length });
        if (firstByteAt < 0) firstByteAt = performance.now();
        this.totals.bytes += result.value.length;
        return audioOf(tags.strip(result.value));
      };
      /** A read's audio (its bytes past any leading tag): counted, kept for a restart to compare, checked for its end. */
      const audioOf = (value: Uint8Array | null): Uint8Array | null => {
        if (!value) return null;
        bytes += value.length;
        rendering.add(value);
        ends?.push(value);
        return value;
      };
      const probe = await probeSegment(read, audio, { ...settings, format }, () => tags.dropped);
      ends = new StreamEndCheck(probe.format);
      ends.push(probe.head);
      const restart = attempt.sentBefore !== null;
      const held = [{ value: probe.head, readMs: lastReadMs }];
      let replay = false;
      if (attempt.sentBefore) {
        // Held until compared with what was sent before. A splice would skip these frames
        // anyway, so holding them costs no time; a different rendering is seen at its first
        // differing byte.
        const match = new RenderingMatch(attempt.sentBefore.bytes());
        match.add(probe.head);
        while (!match.decided) {
          const value = await read();
          if (!value) break;
          held.push({ value, readMs: lastReadMs });
          match.add(value);
        }
        replay = match.differs;
      }
      started = true;
      this.chunks.restart(firstChunkBytes(probe));
      onFirstSend(rendering, replay);
      this.emit({
        type: 'segment-start',
        segment: { index: segment.index, start: segment.start - this.base, end: segment.end - this.base, text: segment.text },
        format: probe.format,
        sampleRate: probe.sampleRate,
        channels: probe.channels,
        ...(probe.wholeFile ? { wholeFile: true } : {}),
        ...(probe.bigEndian ? { bigEndian: true } : {}),
        endpoint: attempt.endpoint,
        attempt: attempt.attempt,
        restart,
        ...(replay ? { replay: true } : {}),
        ...(audio.fromCache ? { cached: true } : {}),
        requestedAt,
      });
      if (this.totals.firstTtfbMs < 0) this.totals.firstTtfbMs = Math.round(firstByteAt - requestedPerf);
      for (const word of words) this.emitWord(segment, word);
      // A fast server hands over many chunks per read: pass them on one chunk at a time,
      // each through the gate, so max-buffer holds however big the reads are (spec B4).
      const chunkSize = settings.streamChunkSize;
      const feed = async (value: Uint8Array, readMs: number): Promise<void> => {
        for (let offset = 0; offset < value.length; offset += chunkSize) {
          if (offset > 0) await this.gate.wait(signal);
          if (signal.aborted) throw new SpeechError('cancelled', 'Stopped.');
          this.coalescer.push(value.subarray(offset, offset + chunkSize), readMs);
        }
      };
      this.gate.startSegment();
      const head = (async () => {
        for (const { value, readMs } of held) await feed(value, readMs);
      })();
      this.prefetchAfter(segment);
      await head;
      // An endless body (a live stream, a server that loops) would hold the queue for ever:
      // cut where no sentence of this length lasts, by the audio the player decoded from it.
      const limitMs = runawayLimitMs(segment.text, settings.speed ?? 1);
      let runaway = false;
      for (let value = await read(); value; value = await read()) {
        await feed(value, lastReadMs);
        runaway = this.gate.segmentDecodedMs > limitMs;
        if (runaway) break;
      }
      if (runaway) {
        reader.cancel().catch(() => {});
        const seconds = Math.round(limitMs / 1000);
        this.emit({ type: 'notice', segmentIndex: segment.index, message: `${attempt.endpoint} kept sending audio for a sentence of ${segment.text.length} characters: it was cut after ${seconds} s, longer than any such sentence lasts, and the next one goes on.` });
      } else {
        // A clean end before the length the audio's own header declares, or inside a frame, is
        // a cut, not the end: retried like a reset (spec E1), else said.
        const declared = declaredLength(probe.head, probe.format);
        const cut = declared !== null && bytes < declared ? `${bytes} of the ${declared} bytes its header announced` : ends.cutShort();
        if (cut && !this.isServersOwnEnding(segment.index, attempt.endpoint, probe.format, bytes, cut, rendering)) {
          throw new SpeechError('network', `${attempt.endpoint} ended the audio early (${cut}).`, { endpoint: attempt.endpoint });
        }
      }
      this.coalescer.flush();
      completed = true;
      // A body cut short is never kept in the cache.
      if (!runaway) audio.complete?.(probe);
    } finally {
      if (!completed) {
        controller.abort();
        reader.cancel().catch(() => {});
      }
      // A body stopped, skipped or cut showed the link as well as a whole one, up to there.
      if (firstByteAt >= 0 && !audio.fromCache) {
        this.options.links?.observe(linkKey(attempt.endpoint, format), {
          ttfbMs: firstByteAt - askedPerf,
          arrivals,
          audioMsPerByte: this.gate.audioMsPerByte,
        });
      }
    }
    const now = performance.now();
    const downloadMs = Math.round(now - requestedPerf);
    const metrics: SegmentMetrics = {
      ttfbMs: firstByteAt < 0 ? downloadMs : Math.round(firstByteAt - requestedPerf),
      downloadMs,
      bytes,
      throughput: firstByteAt < 0 ? 0 : Math.round((bytes * 1000) / Math.max(1, now - firstByteAt)),
      retries: attempt.retries,
      endpoint: attempt.endpoint,
    };
    this.emit({ type: 'segment-end', segmentIndex: segment.index, metrics, skipped: false });
    return segment.index + 1;
  }

  /**
   * An ending the framing calls cut that comes back identical (same bytes, same length, same
   * reason) is how this server ends its audio (an Ogg muxer that writes no end-of-stream
   * page, an encoder that leaves a partial frame), not a network fault: played as it came,
   * said once, and that ending from this server is trusted for the rest of the utterance,
   * so it costs one retry, once. A header that declares more bytes than ever come (a file
   * the server itself has short) is excused the same way: its audio played, not all lost.
   */
  private isServersOwnEnding(segment: number, endpoint: string, format: string, bytes: number, reason: string, rendering: BytePrefix): boolean {
    const kind = `${endpoint}|${format}|${reason.replace(/[\d,]+/g, '#')}`;
    if (this.trustedEnds.has(kind)) return true;
    const last = this.lastCut;
    if (last && last.segment === segment && last.bytes === bytes && last.reason === reason && sameBytes(last.rendering, rendering)) {
      this.trustedEnds.add(kind);
      this.emit({ type: 'notice', segmentIndex: segment, message: `${endpoint} ends its ${format} audio the same way each time (${reason}), so it is played as it came.` });
      return true;
    }
    this.lastCut = { segment, bytes, reason, rendering };
    return false;
  }

  /**
   * Opens a segment's request, or takes the one already opened ahead for it, and waits for
   * its answer (spec E1): one later than expected goes to the next server too, the first to
   * answer plays (hedge.ts). A server passed over once it was late is failed over from for
   * the rest of the utterance; one only slower than its p95 is not.
   */
  private async openSegment(
    segment: Segment,
    controller: AbortController,
    onWord: (word: WordMark) => void,
    format: AudioFormat,
  ): Promise<{ audio: SpeechAudio; requestedAt: number; requestedPerf: number; askedPerf: number; endpointIndex: number }> {
    const { provider } = this.options;
    const first = this.endpointIndex;
    const from = provider.endpoints[first];
    const open = (endpointIndex: number, signal: AbortSignal): Promise<SpeechAudio> => provider.open({ text: segment.text, endpointIndex, signal, onWord, format });
    const ahead = this.prefetcher.take(segment.index, controller, onWord, format);
    const requestedAt = ahead?.requestedAt ?? Date.now();
    const requestedPerf = ahead?.requestedPerf ?? performance.now();
    let primary: PendingAnswer;
    if (ahead) primary = { answer: ahead.audio, cancel: ahead.cancel };
    else {
      // Its own controller: the request can lose to the next server's without the segment being stopped.
      const own = new AbortController();
      controller.signal.addEventListener('abort', () => own.abort(), { once: true });
      primary = { answer: open(first, own.signal), cancel: () => own.abort() };
    }
    const plan = this.hedgePlan(first, format, ahead === null);
    const onLate = (hedged: boolean): void => {
      if (this.saidLate.has(from)) return;
      this.saidLate.add(from);
      const then = hedged ? `asking ${provider.endpoints[first + 1]} too` : 'still waiting';
      this.emit({ type: 'notice', segmentIndex: segment.index, message: `${from} has not answered in ${seconds(plan.lateMs)} s; ${then}.` });
    };
    const { audio, endpointIndex, askedAt, late } = await firstAnswer(primary, (signal) => open(first + 1, signal), plan, controller.signal, onLate);
    if (late) {
      this.endpointIndex = endpointIndex;
      this.totals.failovers++;
      const error: ErrorInfo = { kind: 'network', message: `${from} did not answer in ${seconds(plan.lateMs)} s.`, endpoint: from };
      this.emit({ type: 'failover', segmentIndex: segment.index, from, to: provider.endpoints[endpointIndex], error });
    }
    // The listener waited from requestedPerf; the server that answered was asked at askedPerf.
    return { audio, requestedAt, requestedPerf, askedPerf: askedAt ?? requestedPerf, endpointIndex };
  }

  /**
   * When, from the segment's turn, the next server is asked too and the first called late: a
   * request sent now, once later than the server's learned p95 first byte (spec E1); any,
   * once later than LATE_ANSWER_MS or that p95, whichever is longer. One opened ahead waited
   * while the segment before it streamed, which says nothing of lateness: the p95 alone does
   * not hedge it. No next server with hedging off; the embedded voice is never called late.
   */
  private hedgePlan(first: number, format: AudioFormat, fresh: boolean): HedgePlan {
    const { provider, settings, links } = this.options;
    if (provider.id !== 'openai') return { first, hedgeMs: Infinity, lateMs: Infinity };
    const p95 = links?.summary(linkKey(provider.endpoints[first], format))?.ttfbP95Ms ?? 0;
    const lateMs = Math.max(LATE_ANSWER_MS, p95);
    const next = settings.hedgeRequests !== false && first + 1 < provider.endpoints.length ? first + 1 : undefined;
    return { first, next, hedgeMs: fresh && p95 > 0 ? p95 : lateMs, lateMs };
  }

  /** Opens the segment after `segment` while it streams (one ahead), unless an interruption is pending. */
  private prefetchAfter(segment: Segment): void {
    const index = segment.index + 1;
    const target = (): Segment | undefined => {
      const next = this.segmentAt(index);
      return this.interruption ? undefined : next;
    };
    this.prefetcher.prefetch(index, target, this.endpointIndex, () => this.formatOf(index));
  }

  /**
   * The format segment `index` is asked for: the settings', or a smaller one while the link
   * is too slow for it (spec P3); decided once, with a notice when it changes.
   */
  private formatOf(index: number): AudioFormat {
    const decided = this.formats.get(index);
    if (decided) return decided;
    const { provider, settings, links } = this.options;
    const pace = links?.summary(linkKey(provider.endpoints[this.endpointIndex], settings.format))?.realtime ?? 0;
    const { format, notice } = this.quality.next(pace);
    if (notice) this.emit({ type: 'notice', segmentIndex: index, message: notice });
    this.formats.set(index, format);
    return format;
  }

  /** Where the events' offsets count from. */
  private get base(): number {
    return this.options.startAt ?? 0;
  }

  private emitWord(segment: Segment, word: WordMark): void {
    const start = segment.origin[Math.min(word.start, segment.origin.length - 1)];
    const end = segment.origin[Math.min(Math.max(word.end, word.start + 1), segment.origin.length) - 1] + 1;
    const [from, to] = widenToReplaced(start, end, this.replacedSpans);
    this.emit({ type: 'word', segmentIndex: segment.index, start: from - this.base, end: to - this.base, audioMs: word.audioMs });
  }
}

/** Milliseconds as whole seconds, for a message. */
function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function emptyMetrics(endpoint: string, retries: number): SegmentMetrics {
  return { ttfbMs: -1, downloadMs: 0, bytes: 0, throughput: 0, retries, endpoint };
}

/** A SpeechError as plain data. */
export function errorInfo(error: SpeechError): ErrorInfo {
  return { kind: error.kind, message: error.message, status: error.details.status, endpoint: error.details.endpoint, ...(error.details.tooLongToWait ? { tooLongToWait: true } : {}) };
}
