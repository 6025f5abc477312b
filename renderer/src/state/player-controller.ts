import type { AudioFormat } from '../../../shared/audio-format';
import { damageNotice, STALL_NOTICE_MS, stallNotice } from '../../../shared/playback/damage';
import { OUTPUT_RESTS_AFTER_MS } from '../../../shared/playback/output-rest';
import { sourceMsAt, type RateAnchor } from '../../../shared/playback/rate-anchors';
import { steppedRate } from '../../../shared/playback-rate';
import { sentenceAt, sentenceRanges } from '../../../shared/sentences';
import type { PublicSettings } from '../../../shared/renderer-api';
import type { ControlAction, PlayTicket, SessionView, SinkFact, SinkLevel, TransportAction, UtteranceTiming } from '../../../shared/session';
import type { AudioPlayer, PlayerNotice, PlayerSettings } from '../audio/audio-player';
import type { AudioSource } from '../audio/consumer-link';
import type { Bridge } from './bridge';
import { usePlayerStore, type FirstAudio, type ShownState } from './player-store';
import { readTextFiles } from './dropped-files';
import { DEFAULT_CHARS_PER_SECOND, heardOffset, sentenceSeek } from './sentence-seek';

/** How often the playing page tells the others its buffer and word. */
const LEVEL_EVERY_MS = 150;

/**
 * The player page's side of the session: it shows the session's view, plays each utterance
 * the session hands it (the page is the audio sink), and reports what only the audio side
 * knows. The buttons only ask; the session, in the app, decides.
 */
export class PlayerController {
  private player: AudioPlayer | null = null;
  private starting: Promise<AudioPlayer> | null = null;
  private playerShape = '';
  /** The utterance this page plays, and where its text starts in the session's text. */
  private playing = { id: 0, offset: 0, index: -1, startMs: 0, stallTold: false };
  /** Word timings per segment, from the engine's events. */
  private words = new Map<number, { start: number; end: number; audioMs: number }[]>();
  /** Where each segment lies in the session's text, from the engine's events. */
  private segments = new Map<number, { start: number; end: number }>();
  /** The voice's reading pace, learnt from the segments heard whole: where Skip lands without word timings. */
  private charsPerSecond = DEFAULT_CHARS_PER_SECOND;
  /** The start of the sentence last told to the session as heard; -1: none yet in this segment. */
  private sentenceTold = -1;
  /** A seek cut the segment heard short: its length says nothing of the pace. */
  private seeked = false;
  /** The text's sentences, kept while it is the text read. */
  private sentences: { text: string; ranges: { start: number; end: number }[] | null } = { text: '', ranges: null };
  /** Where each segment and each rate begins in the played stream: the words are timed at 1×. */
  private anchors: RateAnchor[] = [];
  /** The rate the audio path was last told (it keeps it from one utterance to the next). */
  private appliedRate = 1;
  /** When this page saw the current utterance's first byte and first decoded audio. */
  private firsts: { byteAt: number | null; decodedAt: number | null } = { byteAt: null, decodedAt: null };
  /** The page's settings at load, asked for once. */
  private settings: Promise<PublicSettings> | null = null;
  private maxBufferMs = 2000;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  /** The texts the last drop brought: what it refused stays shown while these are read. */
  private dropped: readonly string[] = [];

  constructor(
    private readonly bridge: Bridge,
    /** The audio path's maker (AudioPlayer.create in the page; a fake in Node tests). */
    private readonly createPlayer: (settings: PlayerSettings) => Promise<AudioPlayer>,
    private readonly restsAfterMs = OUTPUT_RESTS_AFTER_MS,
  ) {}

  /** The settings, for what the view shows of them (the audio gets its own with each utterance). */
  init(): Promise<PublicSettings> {
    return (this.settings ??= this.bridge.settings().then(
      (settings) => this.take(settings),
      (error: Error) => {
        // Asked while the connection was down: the next call asks again.
        this.settings = null;
        throw error;
      },
    ));
  }

  /** Calls `listener` with the settings each time they change (after init asked for them); returns the unsubscribe. */
  followSettings(listener: (settings: PublicSettings) => void): () => void {
    return this.bridge.onSettings((settings) => {
      this.settings = Promise.resolve(this.take(settings));
      listener(settings);
    });
  }

  private take(settings: PublicSettings): PublicSettings {
    this.maxBufferMs = settings.streamMaxBuffer * 1000;
    return settings;
  }

  /** Becomes the session's audio sink; returns a function that lets go. */
  attach(): () => void {
    const unsubscribe = [
      this.bridge.onSession((view) => this.show(view)),
      this.bridge.onPlay((ticket, source) => void this.play(ticket, source)),
      this.bridge.onTransport((action) => this.transport(action)),
      this.bridge.onRestart(() => this.forget()),
    ];
    this.bridge.attachSink().then(
      (view) => {
        this.show(view);
        void this.warm();
      },
      (error: Error) => usePlayerStore.getState().set({ error: error.message }),
    );
    const levels = setInterval(() => this.reportLevel(), LEVEL_EVERY_MS);
    return () => {
      clearInterval(levels);
      clearTimeout(this.restTimer);
      unsubscribe.forEach((stop) => stop());
    };
  }

  /**
   * utter web restarted: the audio this page still plays is from a session that is gone, and
   * the new one numbers its utterances from 1 again, so what is reported of an old one must
   * not be taken for a new one of the same id.
   */
  private forget(): void {
    this.player?.stop();
    this.playing = { id: 0, offset: 0, index: -1, startMs: 0, stallTold: false };
    usePlayerStore.getState().set({ utteranceId: 0, word: null, heardAt: null });
  }

  /**
   * The page unloads on purpose (a reload, a closed tab): the session hears it from the page,
   * not from a dropped connection, and goes on in the next page without calling it a failure.
   */
  leave(): void {
    this.bridge.detachSink();
  }

  /**
   * Shows the session without playing it (the mini player): its view, and the playing
   * page's buffer and word as that page reports them. Returns a function that lets go.
   */
  follow(onLevel: (level: SinkLevel) => void): () => void {
    const unsubscribe = [
      this.bridge.onSession((view) => this.show(view)),
      this.bridge.onRestart(() => usePlayerStore.getState().set({ utteranceId: 0, word: null, heardAt: null })),
      this.bridge.onLevel((level) => {
        if (level.id !== usePlayerStore.getState().utteranceId) return;
        const word = usePlayerStore.getState().word;
        if (level.word?.start !== word?.start || level.word?.end !== word?.end) usePlayerStore.getState().set({ word: level.word });
        onLevel(level);
      }),
    ];
    this.bridge.sessionView().then(
      (view) => this.show(view),
      (error: Error) => usePlayerStore.getState().set({ error: error.message }),
    );
    return () => unsubscribe.forEach((stop) => stop());
  }

  /**
   * Tells the session the buffer and the word heard, for the pages that only show it. On a
   * timer, like reportFirstHeard: a hidden player gets no animation frames, and the mini
   * player shows while it is hidden.
   */
  private reportLevel(): void {
    const player = this.player;
    const store = usePlayerStore.getState();
    if (!player || !store.busy || store.utteranceId !== this.playing.id) return;
    this.frame();
    const metrics = player.metrics();
    this.fact({
      type: 'level',
      id: this.playing.id,
      bufferedMs: Math.max(0, Math.round(metrics.bufferedMs)),
      prerollMs: Math.max(0, Math.round(metrics.prerollMs)),
      maxMs: this.maxBufferMs,
      underruns: metrics.underruns,
      word: usePlayerStore.getState().word,
    });
    // Once an utterance: the meters say it too, but only a notice reaches a listener who is not looking.
    const heldUpMs = metrics.outputDropoutMs ?? 0;
    if (!this.playing.stallTold && heldUpMs > STALL_NOTICE_MS) {
      this.playing.stallTold = true;
      this.fact({ type: 'notice', id: this.playing.id, message: stallNotice(heldUpMs) });
    }
  }

  /**
   * Opens the audio path now, so the first utterance is as quick as the tenth: the output
   * (whose first opening can stall for seconds under PulseAudio), the worklet, the decoder
   * worker and its WASM. The output then stays awake as after an utterance, and rests.
   */
  private async warm(): Promise<void> {
    try {
      // The settings the view asked for already: warming costs the session no request.
      await this.ensurePlayer(await this.init());
      this.restLater();
    } catch {
      // ensurePlayer has told the session why; the first play tries again.
    }
  }

  /** The output rests once nothing has played for a while (a play or a resume wakes it). */
  private restLater(): void {
    clearTimeout(this.restTimer);
    this.restTimer = setTimeout(() => {
      if (quiet(usePlayerStore.getState())) this.player?.rest();
    }, this.restsAfterMs);
  }

  /** The audio path, created on first use. */
  audio(): AudioPlayer | null {
    return this.player;
  }

  /** Asks the session to speak: the first text now (or after what plays), the rest after it. */
  speak(texts: string[], format: AudioFormat): Promise<boolean> {
    return this.ask(() => this.bridge.speak({ texts, format }));
  }

  /** Dropped or opened files: the first is spoken now, the rest wait their turn, in order. */
  async speakFiles(files: readonly File[]): Promise<void> {
    const { texts, errors } = await readTextFiles(files);
    const spoken = texts.map((t) => t.text);
    if (spoken.length && !(await this.speak(spoken, usePlayerStore.getState().format))) return;
    // Kept here, not in the error the session's next view replaces: they go when a text this drop did not bring starts.
    this.dropped = spoken;
    usePlayerStore.getState().set({ refusals: errors.length ? { message: errors.join(' '), nothingRead: !spoken.length } : null });
  }

  control(action: ControlAction): void {
    this.bridge.control(action);
  }

  /** Reads the text being read from `offset` (a sentence the user chose). */
  readFrom(offset: number): void {
    this.bridge.readFrom({ id: usePlayerStore.getState().utteranceId, offset });
  }

  /** Takes a waiting text out of the queue (the one shown at `index`). */
  unqueue(index: number, textId: number): void {
    this.bridge.unqueue({ index, textId });
  }

  /** Speaks again a text of the history, by its id: the session holds the text. */
  replay(textId: number, format: AudioFormat): Promise<boolean> {
    return this.ask(() => this.bridge.replay({ textId, format }));
  }

  /**
   * Asks the session for a text. A refusal stays shown until another text starts (the next
   * view would replace an error): whether the session took the request.
   */
  private async ask(request: () => Promise<void>): Promise<boolean> {
    const store = usePlayerStore.getState();
    // The last text's figures go at once when a new one is asked for (unless it will wait in the queue).
    store.set(store.busy ? { refusals: null } : { refusals: null, firstAudio: null });
    this.dropped = [];
    try {
      await request();
      return true;
    } catch (error) {
      store.set({ refusals: { message: (error as Error).message, nothingRead: true } });
      return false;
    }
  }

  /**
   * Asks the session for a playback rate. The page that plays applies it at once, not a
   * round trip later: the session's view then confirms it (or puts back its own).
   */
  chooseRate(rate: number): void {
    usePlayerStore.getState().set({ rate });
    this.applyRate(rate);
    this.bridge.setRate(rate);
  }

  /** A step faster or slower, or back to 1×. */
  changeRate(change: 'faster' | 'slower' | 'normal'): void {
    this.chooseRate(steppedRate(usePlayerStore.getState().rate, change));
  }

  chooseFormat(format: AudioFormat): void {
    usePlayerStore.getState().set({ format });
    this.bridge.setFormat(format);
  }

  /** What the player shows as its state: the session's, refined by what the worklet is doing. */
  shownState(metrics = this.player?.metrics()): ShownState {
    const state = usePlayerStore.getState().sessionState;
    if (state !== 'buffering' && state !== 'playing') return state;
    const heard = metrics?.state;
    return heard === 'buffering' || heard === 'playing' ? heard : state;
  }

  /** Called on each animation frame: follows the words being heard. */
  frame(): void {
    const player = this.player;
    const store = usePlayerStore.getState();
    if (!player || !store.busy || store.utteranceId !== this.playing.id) return;
    const segment = this.segments.get(this.playing.index);
    const ranges = this.sentenceRanges(store.reading);
    const words = this.words.get(this.playing.index);
    let position: number;
    if (words?.length) {
      const playedMs = player.metrics().playedMs;
      const sourceMs = sourceMsAt(this.anchors, this.playing.index, playedMs) ?? playedMs - this.playing.startMs;
      let current: (typeof words)[number] | undefined;
      for (const word of words) if (word.audioMs <= sourceMs) current = word;
      if (current && (current.start !== store.word?.start || current.end !== store.word?.end)) store.set({ word: { start: current.start, end: current.end } });
      if (!current || !segment || !ranges?.length) return;
      position = current.start;
    } else {
      // No words: the sentence heard is estimated at the voice's pace, as Skip places it.
      if (!segment || !ranges?.length) return;
      position = heardOffset(segment, null, this.segmentPlayedMs(player.metrics().playedMs), this.charsPerSecond);
    }
    const sentence = Math.max(segment.start, ranges[sentenceAt(ranges, position)].start);
    if (!words?.length && sentence !== store.heardAt) store.set({ heardAt: sentence });
    // The session goes on from it if this page goes (a reload, another tab, a crash): said once a sentence.
    if (sentence !== this.sentenceTold) {
      this.sentenceTold = sentence;
      this.fact({ type: 'sentence', id: this.playing.id, offset: sentence });
    }
  }

  /** The sentences of `reading`, kept while it is the text read. */
  private sentenceRanges(reading: string): { start: number; end: number }[] | null {
    if (this.sentences.text !== reading) this.sentences = { text: reading, ranges: sentenceRanges(reading) };
    return this.sentences.ranges;
  }

  /** The session's view, as the player shows it. */
  private show(view: SessionView): void {
    const store = usePlayerStore.getState();
    const current = view.current;
    // The app sent the text ahead of the first view that names it.
    const reading = current ? (this.bridge.textOf(current.textId) ?? '') : '';
    const patch: Partial<typeof store> = {
      sessionState: view.state,
      busy: current !== null,
      paused: view.state === 'paused',
      queued: view.queued,
      history: view.history,
      error: view.error,
      notice: view.notice,
      source: view.source,
      format: view.format,
      rate: view.rate,
      resumable: view.resumable,
      segment: current?.segment ?? null,
      firstAudio: current ? firstAudioOf(view.timing, current.id) : store.firstAudio,
    };
    // A new text, whoever asked for it (the box, a hotkey, the queue), is the text shown.
    // Another text under the same id is new too: a restarted utter web numbers from 1 again.
    if (current && (current.id !== store.utteranceId || reading !== store.reading)) {
      Object.assign(patch, { utteranceId: current.id, reading, text: reading, word: null, heardAt: null });
      // Another text (a hotkey's, another page's, a replay): what the last drop refused is no longer news.
      if (!this.dropped.includes(reading)) {
        this.dropped = [];
        patch.refusals = null;
      }
    }
    const wasQuiet = quiet(store);
    store.set(patch);
    if (quiet(usePlayerStore.getState()) && !wasQuiet) this.restLater();
    this.applyRate(view.rate);
  }

  /** The audio path plays at the session's rate: what it has not yet put in its ring is stretched at once. */
  private applyRate(rate: number): void {
    if (rate === this.appliedRate || !this.player) return;
    this.appliedRate = rate;
    this.player.setRate(rate);
  }

  /** The session hands this page an utterance to play. */
  private async play(ticket: PlayTicket, source: AudioSource): Promise<void> {
    this.words.clear();
    this.segments.clear();
    this.anchors = [];
    this.firsts = { byteAt: null, decodedAt: null };
    this.playing = { id: ticket.id, offset: ticket.offset, index: -1, startMs: 0, stallTold: false };
    const showPreroll = (): void => usePlayerStore.getState().set({ word: null, heardAt: null, received: null, preroll: { ms: ticket.prerollMs, reason: ticket.prerollReason } });
    try {
      // The settings in force come with each utterance: a change applies to the next one.
      // The worker gets its ticket before the view changes: a store change renders (in a
      // microtask) ahead of any await, and that render would hold the audio back.
      const player = this.readyPlayer(ticket) ?? (await this.ensurePlayer(ticket));
      const playing = player.play(ticket.id, source, { streaming: ticket.streaming, pcmSampleRate: ticket.pcmSampleRate, prerollMs: ticket.prerollMs, prerollLearned: ticket.prerollLearned });
      showPreroll();
      await playing;
    } catch (error) {
      showPreroll();
      // The session hears why, ends the text and goes on with the next one.
      this.fact({ type: 'error', id: ticket.id, message: (error as Error).message });
      this.fact({ type: 'drained', id: ticket.id, heardAt: Date.now() });
      if (source.kind === 'port') source.port.close();
    }
  }

  /**
   * Tells the session when the first sample is heard. On a timer, not on animation frames:
   * a hidden window gets none on Windows even with backgroundThrottling off
   * (electron/electron#31016), and the record must be complete all the same.
   */
  private reportFirstHeard(id: number): void {
    const started = Date.now();
    const timer = setInterval(() => {
      const player = this.player;
      const heardAt = player?.firstHeardAt() ?? null;
      if (id !== this.playing.id || !player || Date.now() - started > 10_000) return clearInterval(timer);
      if (heardAt === null) return;
      clearInterval(timer);
      const { baseLatency, outputLatency } = player.context;
      this.fact({ type: 'first-heard', id, heardAt, firstByteAt: this.firsts.byteAt, firstDecodedAt: this.firsts.decodedAt, outputLatencyMs: (baseLatency + (outputLatency || 0)) * 1000 });
    }, 5);
  }

  private transport(action: TransportAction): void {
    if (action === 'skip' || action === 'previous') {
      const offset = this.sentenceTarget(action);
      if (offset !== null) return this.bridge.readFrom({ id: this.playing.id, offset });
      this.seeked = true;
    }
    this.player?.[action]();
  }

  /**
   * Where Skip or Previous goes when it is not the next segment (already fetched): the
   * sentence after (or the start of, or before) the one heard. Null: the segment seek.
   */
  private sentenceTarget(direction: 'skip' | 'previous'): number | null {
    const store = usePlayerStore.getState();
    const segment = this.segments.get(this.playing.index);
    if (!this.player || !segment || store.utteranceId !== this.playing.id) return null;
    const ranges = this.sentenceRanges(store.reading);
    if (!ranges?.length) return null;
    const at = heardOffset(segment, store.word, this.segmentPlayedMs(this.player.metrics().playedMs), this.charsPerSecond);
    const seek = sentenceSeek(direction, ranges, segment, at, this.charsPerSecond);
    return seek.to === 'offset' ? seek.offset : null;
  }

  /** How much of the segment heard has played, in its own audio's ms (at 1×, as words are timed). */
  private segmentPlayedMs(playedMs: number, segment = this.playing.index): number {
    return sourceMsAt(this.anchors, segment, playedMs) ?? playedMs - this.playing.startMs;
  }

  /** A segment heard to its end tells how fast this voice reads. */
  private learnPace(next: number, startMs: number): void {
    const heard = this.segments.get(this.playing.index);
    const ms = this.segmentPlayedMs(startMs);
    if (!this.seeked && heard && next === this.playing.index + 1 && ms > 1500) {
      this.charsPerSecond = Math.min(40, Math.max(5, ((heard.end - heard.start) / ms) * 1000));
    }
    this.seeked = false;
  }

  private fact(fact: SinkFact): void {
    this.bridge.sinkFact(fact);
  }

  /** The audio path as it is, when it is made, works, and fits these buffering settings. */
  private readyPlayer(settings: Pick<PublicSettings, 'streamBufferMs' | 'streamMaxBuffer'>): AudioPlayer | null {
    return this.player && !this.player.broken && shapeOf(settings) === this.playerShape ? this.player : null;
  }

  private async ensurePlayer(settings: Pick<PublicSettings, 'streamBufferMs' | 'streamMaxBuffer'>): Promise<AudioPlayer> {
    const ready = this.readyPlayer(settings);
    if (ready) return ready;
    // The ring and the pre-roll are sized from the buffering settings: new ones, new player.
    // A broken one (its worker failed) is replaced too.
    if (this.player) {
      const old = this.player;
      this.player = null;
      await old.close();
    }
    this.playerShape = shapeOf(settings);
    this.starting ??= this.createPlayer({ streamBufferMs: settings.streamBufferMs, streamMaxBuffer: settings.streamMaxBuffer, audioSocket: this.bridge.audioSocket });
    try {
      this.player = await this.starting;
      const { sampleRate, outputLatency, baseLatency } = this.player.context;
      this.fact({ type: 'audio-output', ok: true, detail: `playing at ${sampleRate} Hz, ${Math.round(((outputLatency || 0) + baseLatency) * 1000)} ms output latency` });
    } catch (error) {
      this.fact({ type: 'audio-output', ok: false, detail: `the audio output could not open: ${(error as Error).message}` });
      throw error;
    } finally {
      this.starting = null;
    }
    this.player.onNotice((notice) => this.onNotice(notice));
    // A new audio path starts at 1×: it is told the session's rate.
    this.appliedRate = 1;
    this.applyRate(usePlayerStore.getState().rate);
    return this.player;
  }

  private onNotice(notice: PlayerNotice): void {
    const store = usePlayerStore.getState();
    if (notice.type === 'crash') {
      if (this.playing.id) this.fact({ type: 'error', id: this.playing.id, message: `The decoder failed: ${notice.message}` });
      return;
    }
    if (notice.id !== this.playing.id) return;
    switch (notice.type) {
      case 'first-byte':
        this.firsts.byteAt = notice.at;
        return;
      case 'first-decoded':
        this.firsts.decodedAt = notice.at;
        return this.reportFirstHeard(notice.id);
      case 'error':
        return this.fact({ type: 'error', id: notice.id, message: notice.error.message });
      case 'fallback':
        return this.fact({ type: 'notice', id: notice.id, message: 'This audio cannot play as it arrives: it plays once it has downloaded.' });
      case 'damaged':
        return this.fact({ type: 'notice', id: notice.id, message: damageNotice(notice.skippedMs) });
      case 'segment-playing':
        this.learnPace(notice.index, notice.startMs);
        this.playing = { ...this.playing, index: notice.index, startMs: notice.startMs };
        store.set({ word: null, heardAt: null });
        this.sentenceTold = -1;
        return this.fact({ type: 'playing', id: notice.id, index: notice.index });
      case 'anchor':
        this.anchors.push(notice);
        return;
      case 'received':
        return store.set({ received: notice.description });
      case 'slow-start': {
        const preroll = store.preroll;
        if (preroll) store.set({ preroll: { ...preroll, slowStart: { rate: notice.rate, sourceMs: notice.sourceMs } } });
        return;
      }
      case 'drained':
        // The last sample has left the worklet; it is heard one output latency later.
        return this.fact({ type: 'drained', id: notice.id, heardAt: this.player?.lastHeardAt() ?? Date.now() });
      case 'event': {
        const event = notice.event;
        if (event.type === 'segment-start') this.segments.set(event.segment.index, { start: this.playing.offset + event.segment.start, end: this.playing.offset + event.segment.end });
        if (event.type === 'word') {
          const list = this.words.get(event.segmentIndex) ?? [];
          const offset = this.playing.offset;
          list.push({ start: offset + event.start, end: offset + event.end, audioMs: event.audioMs });
          this.words.set(event.segmentIndex, list);
        }
      }
    }
  }
}

function shapeOf(settings: Pick<PublicSettings, 'streamBufferMs' | 'streamMaxBuffer'>): string {
  return `${settings.streamBufferMs}|${settings.streamMaxBuffer}`;
}

/** Nothing is playing: idle, or paused. */
function quiet(state: { busy: boolean; paused: boolean }): boolean {
  return !state.busy || state.paused;
}

/** Time to first audio and its parts, from the session's record, once it is complete. */
function firstAudioOf(timing: UtteranceTiming | null, id: number): FirstAudio | null {
  if (timing?.id !== id || timing.requestedAt === null || timing.firstHeardAt === null) return null;
  const since = (at: number | null): number => Math.round((at ?? timing.firstHeardAt!) - timing.requestedAt!);
  return {
    totalMs: since(timing.firstHeardAt),
    heardAt: Math.round(timing.firstHeardAt),
    firstByteMs: since(timing.firstByteAt),
    firstDecodedMs: since(timing.firstDecodedAt),
    firstRenderedMs: Math.round(timing.firstHeardAt - (timing.outputLatencyMs ?? 0) - timing.requestedAt),
  };
}
