// The speaking session: one per app (the Electron main process, or `utter web`), Electron-free.
// Every way in (tray, hotkeys, the app socket, launch arguments, dropped files, the page's
// buttons) calls it; the page that plays is only its audio sink and a view of its state.
import type { Settings } from '../../shared/config/schema';
import type { AudioFormat } from '../../shared/audio-format';
import type { EngineEvent } from '../../shared/speech-events';
import { previewOf, textRefOf, type ControlAction, type TextRef, type PlayTicket, type SessionState, type SessionView, type SinkFact, type SinkLevel, type TransportAction, type UtteranceTiming } from '../../shared/session';
import { textTooLong } from '../../shared/text-limit';
import { rateProblem, steppedRate } from '../../shared/playback-rate';
import { speakOverLink, type EngineLink } from '../engine/link';
import { MIN_PREROLL_MS } from '../../shared/playback/player-core';
import { createProvider, primaryEndpoint } from '../engine/engine';
import type { AudioCache } from '../engine/cache/audio-cache';
import type { CacheState } from '../../shared/renderer-api';
import { withCache } from '../engine/cache/caching-provider';
import { LocalVoiceProvider } from '../engine/providers/local';
import { linkKey, type LinkEstimates, type PrerollAdvice } from '../engine/link-estimate';
import type { SpeechProvider } from '../engine/provider';
import type { Pronunciations } from '../engine/pronunciation';
import { nothingToSpeak, prepareOptionsFor } from '../engine/text';
import type { RetryPolicy } from '../engine/retry';
import type { SavedSession } from './saved-session';

/** Added to the source while the audio comes from the local cache. */
const FROM_CACHE = ' (from the local cache)';
/** How many texts the history keeps. */
const HISTORY_LENGTH = 10;
/** Texts waiting their turn, at most: past it a request is refused (each save of the session carries them all). */
export const MAX_QUEUED = 1000;
/** And their characters, at most (about 100 MB in memory). */
export const MAX_QUEUED_CHARS = 50_000_000;
/** A text this long, left unfinished, is offered for resuming after a restart. */
export const RESUME_MIN_CHARS = 2000;

/** The page that plays: it takes each utterance's link and the transport actions. */
export interface SessionSink {
  /** Hands utterance `ticket.id` to the page; resolves with the engine's end of its link. */
  play(ticket: PlayTicket): Promise<EngineLink> | EngineLink;
  transport(action: TransportAction): void;
}

export interface SessionOptions {
  /** The settings in force (defaults < file < environment), read anew for every utterance. */
  settings(): Settings;
  /** The pronunciation dictionary in force, read anew for every utterance. */
  pronunciations?(): Pronunciations | undefined;
  /** Tests and `utter web` may pass their own provider factory. */
  provider?: (settings: Settings) => SpeechProvider;
  retryPolicy?: Partial<RetryPolicy>;
  /** No page can play: the shell opens (or recreates) the player, which then attaches. */
  needSink?(): void;
  /** How long a text waits for a page to play it before it is reported (none: it waits, as under `utter web`). */
  sinkTimeoutMs?: number;
  /** Where the queue and the position survive a restart; none in tests that do not care. */
  saved?: SavedSession;
  /** The local audio cache (spec X4); none: every segment is fetched. */
  cache?: AudioCache;
  /** What each server's link has shown, for the pre-roll (spec B2); none: the setting alone. */
  links?: LinkEstimates;
  /** A message for the user that no window may show (a notification). */
  notify?(message: string): void;
  /** For the log: a page sent a command the engine refused. */
  warn?(message: string): void;
  /** Keeps the playback rate for the next start (the settings file); none: it lasts this run. */
  saveRate?(rate: number): void;
  /** Opens a connection to the server `settings` speak through, ahead of a request (LinkWarmer). */
  warmLink?(settings: Settings): void;
  now?(): number;
}

/** A text the session holds (current, queued, in the history), and how views name it. */
interface Held {
  ref: TextRef;
  text: string;
  /** Why it stopped, the last time it was tried and failed. */
  failed?: string;
}

interface Current {
  id: number;
  /** The text read: `held.text`. */
  text: string;
  held: Held;
  offset: number;
  format: AudioFormat;
  /** Where each sentence lies in `text`, learnt from the engine's events. */
  segments: Map<number, { start: number; end: number }>;
  heard: number;
  /** Where the sentence heard starts, inside part `heard`, as the page places it; -1: its start. */
  sentenceAt: number;
  sink: SessionSink | null;
  stopEngine: AbortController;
  /** The page went mid-text, lost or on purpose: say so once when reading goes on. */
  interrupted: SinkGone | null;
  /** In the history: the engine has started speaking it. */
  remembered: boolean;
  drainTimer?: ReturnType<typeof setTimeout>;
  sinkTimer?: ReturnType<typeof setTimeout>;
  /** The error shown because no page came in time, cleared when one does. */
  sinkTimeoutError?: string;
}

/**
 * How a page went: lost (it crashed or hung, or its connection dropped without a word), left
 * on purpose (a reload, a closed tab: it said so as it unloaded), or moved (another page
 * attached and took the audio over).
 */
export type SinkGone = 'lost' | 'left' | 'moved';

export class Session {
  private state: SessionState = 'idle';
  private current: Current | null = null;
  private queued: Held[] = [];
  private history: Held[] = [];
  /** The last text id given: each text the session takes gets the next (views name texts by id). */
  private textCount = 0;
  private error = '';
  private notice = '';
  /** A "Retrying…" notice and its segment: it goes once that segment's audio comes again, or the text fails. */
  private retrying: { segment: number; notice: string } | null = null;
  private source = '';
  private format: AudioFormat | null = null;
  /** The playback rate once changed in this run; before that, the setting. */
  private rate: number | null = null;
  private resumable: { text: string; offset: number; queued: string[] } | null = null;
  private sink: SessionSink | null = null;
  /** The pages that can play, in the order they attached: the last is `sink`. */
  private sinks: SessionSink[] = [];
  private count = 0;
  private listeners = new Set<(view: SessionView) => void>();
  private levelListeners = new Set<(level: SinkLevel) => void>();
  /** How the page's audio output opened, for Diagnostics. */
  audioOutput: { ok: boolean; detail: string } | null = null;
  private timing: UtteranceTiming | null = null;

  constructor(private readonly options: SessionOptions) {}

  /** Reads what the last run left; a long unfinished text becomes an offer to resume. */
  async restore(): Promise<void> {
    const saved = await this.options.saved?.load();
    if (!saved?.current) return;
    const { text, offset } = saved.current;
    if (text.length - offset <= 0 || text.length <= RESUME_MIN_CHARS) return void this.options.saved?.clear();
    this.resumable = { text, offset, queued: saved.queued };
    this.emit();
  }

  view(): SessionView {
    const current = this.current;
    const segment = current && current.heard >= 0 ? current.segments.get(current.heard) : undefined;
    return {
      state: this.state,
      current: current && { id: current.id, textId: current.held.ref.textId, offset: current.offset, segment: segment ? { index: current.heard, ...segment } : null },
      queued: this.queued.map((held) => held.ref),
      history: this.history.map((held) => (held.failed ? { ...held.ref, failed: held.failed } : held.ref)),
      error: this.error,
      notice: this.notice,
      source: this.source,
      format: this.format ?? this.options.settings().format,
      rate: this.rate ?? this.options.settings().playbackRate,
      resumable: this.resumable && { title: previewOf(this.resumable.text, 60), charsLeft: this.resumable.text.length - this.resumable.offset },
      timing: this.timing && { ...this.timing },
    };
  }

  /** The text a view names by `textId`, while the session holds it (current, queued or in the history). */
  textOf(textId: number): string | undefined {
    return this.heldText(textId)?.text;
  }

  private heldText(textId: number): Held | undefined {
    if (this.current?.held.ref.textId === textId) return this.current.held;
    return this.queued.find((held) => held.ref.textId === textId) ?? this.history.find((held) => held.ref.textId === textId);
  }

  /** `text` as the session holds it: under the id it has already (a replay, a text sent twice), or a new one. */
  private hold(text: string): Held {
    const same = (held: Held): boolean => held.text === text;
    const known = (this.current && same(this.current.held) ? this.current.held : undefined) ?? this.queued.find(same) ?? this.history.find(same);
    return known ?? { ref: textRefOf(++this.textCount, text), text };
  }

  subscribe(listener: (view: SessionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The playing page's buffer and word, as it reports them: for pages that only show (not kept). */
  subscribeLevel(listener: (level: SinkLevel) => void): () => void {
    this.levelListeners.add(listener);
    return () => this.levelListeners.delete(listener);
  }

  /**
   * Speaks texts: the first now, unless something plays and the request (or the
   * whileSpeaking setting) says to wait; the rest after it, in order; those with nothing to
   * speak are left out, and said. Returns why not, or null.
   */
  speak(texts: readonly string[], options: { format?: AudioFormat; queue?: boolean } = {}): string | null {
    const given = texts.filter((text) => text.trim());
    const tooLong = given.map((text) => textTooLong(text)).find(Boolean);
    if (!given.length || tooLong) return this.refuse(tooLong ?? 'There is nothing to speak.');
    return this.take(given.map((text) => this.hold(text)), options);
  }

  /**
   * Speaks again a text the session holds (Replay in the history), as speak() would.
   * Returns why not, or null; an id it no longer holds is refused, and nothing changes.
   */
  replay(textId: number, options: { format?: AudioFormat; queue?: boolean } = {}): string | null {
    const held = this.heldText(textId);
    if (!held) return 'That text is no longer in the history or the queue, so it cannot be spoken again from there: paste it in again.';
    return this.take([held], options);
  }

  /** speak() once the texts are held: those with nothing to speak are left out, the first starts or waits, the rest wait. */
  private take(given: readonly Held[], options: { format?: AudioFormat; queue?: boolean }): string | null {
    // A text the engine would refuse ("...", "♥" with no rule for it) is refused now, before
    // it stops what plays; prepared as the engine will, so a rule "♥ → heart" makes it speakable
    // (for the voice the settings name, as createProvider gives it).
    const settings = this.options.settings();
    const prepare = prepareOptionsFor(settings, settings.provider, this.options.pronunciations?.());
    const silent = given.map((held) => nothingToSpeak(held.text, prepare));
    const wanted = given.filter((_, i) => !silent[i]);
    if (!wanted.length) return this.refuse(silent.find(Boolean)!);
    const waits = this.current !== null && (options.queue || settings.whileSpeaking === 'queue');
    const full = this.queueRefusal(waits ? wanted : wanted.slice(1));
    if (full) return this.refuse(full);
    if (options.format) this.format = options.format;
    if (waits) this.queued.push(...wanted);
    else {
      this.queued.push(...wanted.slice(1));
      this.start(wanted[0], 0, '');
    }
    const leftOut = given.length - wanted.length;
    // One left out is said with the engine's own reason (only code, no letters); several, in short.
    if (leftOut) this.notice = leftOut === 1 ? `One text was left out. ${silent.find(Boolean)}` : `${leftOut} texts were left out: they have nothing to speak.`;
    this.emit();
    this.persist();
    return null;
  }

  /** Says why a request is refused, and returns it; what plays and waits is left as it was. */
  private refuse(reason: string): string {
    this.error = reason;
    this.emit();
    return reason;
  }

  /** Why `more` cannot join the queue, or null when it can. */
  private queueRefusal(more: readonly Held[]): string | null {
    if (!more.length) return null;
    const chars = (texts: readonly Held[]): number => texts.reduce((sum, held) => sum + held.text.length, 0);
    if (this.queued.length + more.length > MAX_QUEUED) return `The queue holds at most ${MAX_QUEUED} texts: let some be read, or stop, before adding more.`;
    if (chars(this.queued) + chars(more) > MAX_QUEUED_CHARS) return `The queue holds at most ${(MAX_QUEUED_CHARS / 1e6).toFixed(0)} million characters: let some be read, or stop, before adding more.`;
    return null;
  }

  /**
   * Reads the current text again from `offset` (a sentence the user chose): its requests in
   * flight are cancelled and the text starts over there. Ignored for a text no longer current.
   */
  readFrom(id: number, offset: number): void {
    const current = this.current;
    if (!current || current.id !== id || offset >= current.text.length) return;
    this.start(current.held, offset, '');
    this.emit();
    this.persist();
  }

  /**
   * Takes a waiting text out of the queue: the one at `index` if it is still text `textId`
   * (the queue may have moved on since the page showed it), else the first that is. Returns
   * why not (it no longer waits), or null.
   */
  unqueue(index: number, textId: number): string | null {
    const at = this.queued[index]?.ref.textId === textId ? index : this.queued.findIndex((held) => held.ref.textId === textId);
    if (at < 0) return 'That text no longer waits in the queue: it has started, or was taken out already.';
    this.queued.splice(at, 1);
    this.emit();
    this.persist();
    return null;
  }

  /**
   * The speech for `settings` as this session gets it: its own provider (or the one the
   * settings name) with the local cache in front, so a save is answered from the cache too.
   */
  speechProvider(settings: Settings): SpeechProvider {
    const own = this.options.provider?.(settings) ?? createProvider(settings);
    return this.options.cache ? withCache(own, this.options.cache, settings, (message) => this.options.warn?.(message)) : own;
  }

  /** How full the local audio cache is; none: it is off. */
  async cacheUsage(): Promise<CacheState> {
    const cache = this.options.cache;
    if (!cache) return { on: false, bytes: 0, entries: 0, capBytes: 0 };
    return { on: cache.enabled, ...(await cache.usage()), capBytes: cache.capBytes };
  }

  /** Empties the local audio cache (the settings' "Clear cache"). */
  async clearCache(): Promise<CacheState> {
    await this.options.cache?.clear();
    return this.cacheUsage();
  }

  setFormat(format: AudioFormat): void {
    this.format = format;
    this.emit();
  }

  /**
   * Plays at `rate` (0.5–3) from now on: the page that plays hears it in its view and
   * stretches what it has not played yet, with no new request. Returns why not, or null.
   */
  setRate(rate: number): string | null {
    const refused = rateProblem(rate);
    if (refused) {
      this.options.warn?.(refused);
      return refused;
    }
    if (rate === this.view().rate) return null;
    this.rate = rate;
    this.options.saveRate?.(rate);
    this.emit();
    return null;
  }

  /** Faster or slower by a step (0.25×), or back to 1×: the shortcuts, the tray and the players. */
  changeRate(change: 'faster' | 'slower' | 'normal'): void {
    this.setRate(steppedRate(this.view().rate, change));
  }

  control(action: ControlAction): void {
    switch (action) {
      case 'stop':
        return this.stop();
      case 'pause-resume':
        return this.pauseResume();
      case 'skip':
        return this.skip();
      case 'previous':
        return this.current?.sink?.transport('previous');
      case 'resume-saved':
        return this.resumeSaved();
    }
  }

  stop(): void {
    this.queued = [];
    const current = this.current;
    if (current) {
      this.end(current);
      current.sink?.transport('stop');
    }
    this.state = 'idle';
    this.emit();
    this.persist();
  }

  /**
   * The process ends (`utter web` stopped): what plays stops, and what was being read stays
   * saved, so the next run offers it. stop() would forget it, as the user's Stop means to.
   */
  async close(): Promise<void> {
    const current = this.current;
    if (current) {
      this.end(current);
      current.sink?.transport('stop');
    }
    await this.options.saved?.flush();
  }

  pauseResume(): void {
    const current = this.current;
    if (!current) return;
    const pausing = this.state !== 'paused';
    this.state = pausing ? 'paused' : current.heard >= 0 ? 'playing' : 'buffering';
    current.sink?.transport(pausing ? 'pause' : 'resume');
    this.emit();
  }

  skip(): void {
    const current = this.current;
    if (!current) return;
    // The page moves to the next sentence, or ends the text at the last one.
    if (current.sink) current.sink.transport('skip');
    else this.finish(current);
  }

  /** Reading goes on where the last run stopped (the offer made after a restart). */
  resumeSaved(): void {
    const saved = this.resumable;
    if (!saved) return;
    this.resumable = null;
    if (this.current) this.end(this.current);
    this.queued = saved.queued.map((text) => this.hold(text));
    this.start(this.hold(saved.text), saved.offset, `Reading goes on from where it stopped.`);
    this.emit();
    this.persist();
  }

  /**
   * A page is ready to play: it becomes the sink, and a text waiting for one starts. The
   * pages that attached before stay in line: when this one goes, the one before plays.
   */
  attachSink(sink: SessionSink): void {
    const old = this.sink;
    this.sink = sink;
    this.sinks = [...this.sinks.filter((other) => other !== sink), sink];
    const current = this.current;
    if (!current) return this.expectSpeech();
    if (current.sink && current.sink !== old) return;
    // The playing page attaches again without having left: it lost its audio. Another page
    // attaching takes the audio over (a second tab of `utter web`): no alarm.
    if (current.sink === old && old) this.interrupt(current, old === sink ? 'lost' : 'moved');
    this.launch(current);
  }

  /**
   * The user may speak soon (a page came, the tray was opened, the settings changed): the
   * server's connection is opened now. Not while a text is read: its requests have one.
   */
  expectSpeech(): void {
    if (!this.current) this.options.warmLink?.(this.options.settings());
  }

  /**
   * The page went away: what it was reading goes on from the sentence heard when one
   * attaches. A lost page is an alarm (a notice that it stopped unexpectedly, a
   * notification); a page that left on purpose is not.
   */
  detachSink(sink: SessionSink, how: SinkGone = 'lost'): void {
    this.sinks = this.sinks.filter((other) => other !== sink);
    if (this.sink === sink) this.sink = this.sinks.at(-1) ?? null;
    const current = this.current;
    if (!current || current.sink !== sink) return;
    this.interrupt(current, how);
    // A page still open plays on (the tab left when another closed); else one is waited for.
    if (this.sink) this.launch(current);
    else this.waitForSink(current);
  }

  /** What the page's audio side reports; facts about an utterance that is over are ignored. */
  fact(sink: SessionSink, fact: SinkFact): void {
    if (fact.type === 'audio-output') {
      this.audioOutput = { ok: fact.ok, detail: fact.detail };
      return;
    }
    const current = this.current;
    if (!current || fact.id !== current.id || current.sink !== sink) return;
    switch (fact.type) {
      case 'level': {
        const { type: _, ...level } = fact;
        for (const listener of this.levelListeners) listener(level);
        return;
      }
      case 'sentence': {
        const heard = current.segments.get(current.heard);
        if (!heard || fact.offset < heard.start || fact.offset >= heard.end || fact.offset === current.sentenceAt) return;
        current.sentenceAt = fact.offset;
        // A restart goes on from this sentence, not the part's start, minutes back in a long text.
        return this.options.saved?.savePosition(fact.offset);
      }
      case 'playing':
        current.heard = fact.index;
        current.sentenceAt = -1;
        if (this.state === 'buffering') this.state = 'playing';
        this.emit();
        // The texts on disk are as they were: only the place in them moved.
        return this.options.saved?.savePosition(this.heardOffset(current));
      case 'first-heard':
        if (this.timing?.id === current.id && this.timing.firstHeardAt === null) {
          Object.assign(this.timing, { firstHeardAt: fact.heardAt, firstByteAt: fact.firstByteAt, firstDecodedAt: fact.firstDecodedAt, outputLatencyMs: fact.outputLatencyMs });
          this.emit();
        }
        return;
      case 'error':
        this.error = fact.message;
        // The page could not play it (a decoder's error): in the history, it failed.
        if (current.remembered) current.held.failed = fact.message;
        if (this.retrying) this.clearRetryNotice(false);
        return this.emit();
      case 'notice':
        this.notice = fact.message;
        return this.emit();
      case 'drained': {
        // The last sample leaves the speakers at heardAt: the next text starts then, not before.
        if (this.timing?.id === current.id) this.timing.endedAt = fact.heardAt;
        const wait = Math.max(0, fact.heardAt - this.now());
        clearTimeout(current.drainTimer);
        current.drainTimer = setTimeout(() => this.finish(current), wait);
      }
    }
  }

  private start(held: Held, offset: number, notice: string): void {
    if (this.current) this.end(this.current);
    this.resumable = null;
    const settings = this.options.settings();
    const current: Current = {
      id: ++this.count,
      text: held.text,
      held,
      offset,
      format: this.format ?? settings.format,
      segments: new Map(),
      heard: -1,
      sentenceAt: -1,
      sink: null,
      stopEngine: new AbortController(),
      interrupted: null,
      remembered: false,
    };
    this.current = current;
    this.state = 'buffering';
    this.error = '';
    this.notice = notice;
    this.retrying = null;
    this.timing = { id: current.id, requestedAt: null, firstByteAt: null, firstDecodedAt: null, firstHeardAt: null, outputLatencyMs: null, endedAt: null };
    if (this.sink) this.launch(current);
    else this.waitForSink(current);
  }

  /** Asks the shell for a page; says so if none comes in time, and keeps the text waiting. */
  private waitForSink(current: Current): void {
    this.options.needSink?.();
    const timeout = this.options.sinkTimeoutMs;
    if (!timeout) return;
    clearTimeout(current.sinkTimer);
    current.sinkTimer = setTimeout(() => {
      if (current !== this.current || current.sink) return;
      this.error = current.sinkTimeoutError = `The player did not start within ${Math.round(timeout / 1000)} s, so nothing can be heard yet; the text waits for it.`;
      this.options.notify?.(this.error);
      this.emit();
    }, timeout);
  }

  /** The pre-roll this utterance starts with: learned from its server's link, or the setting. */
  private prerollFor(settings: Settings, endpoint: string): PrerollAdvice {
    const links = this.options.links;
    if (!settings.adaptiveBuffer || !links || !settings.streamingEnabled) return { ms: settings.streamBufferMs, reason: 'the setting', learned: false };
    return links.preroll(linkKey(endpoint, settings.format), { settingMs: settings.streamBufferMs, floorMs: MIN_PREROLL_MS, maxMs: settings.streamMaxBuffer * 1000 });
  }

  /** Starts the engine for `current` on a link to the sink. */
  private launch(current: Current): void {
    const sink = this.sink;
    if (!sink) return;
    current.sink = sink;
    clearTimeout(current.sinkTimer);
    if (current.sinkTimeoutError && this.error === current.sinkTimeoutError) this.error = '';
    current.sinkTimeoutError = undefined;
    const settings = { ...this.options.settings(), format: current.format };
    const provider = this.speechProvider(settings);
    const preroll = this.prerollFor(settings, provider.endpoints[0] ?? primaryEndpoint(settings));
    const ticket: PlayTicket = {
      id: current.id,
      offset: current.offset,
      streaming: settings.streamingEnabled,
      pcmSampleRate: settings.pcmSampleRate,
      streamBufferMs: settings.streamBufferMs,
      streamMaxBuffer: settings.streamMaxBuffer,
      prerollMs: preroll.ms,
      prerollReason: preroll.reason,
      prerollLearned: preroll.learned,
    };
    if (current.interrupted) {
      const from = previewOf(current.text.slice(current.offset), 40);
      if (current.interrupted === 'lost') {
        this.notice = `The player stopped unexpectedly; reading goes on from “${from}”.`;
        this.options.notify?.(this.notice);
      } else if (current.interrupted === 'moved') this.notice = `Now playing in the window opened last, from “${from}”.`;
      else this.notice = `Reading goes on from “${from}”.`;
      current.interrupted = null;
      this.emit();
    }
    const stop = current.stopEngine.signal;
    const refused = (error: Error): void => {
      if (current !== this.current || stop.aborted) return;
      this.error = `The player could not take the audio: ${error.message}`;
      this.finish(current);
    };
    // The page gets its ticket now, ahead of the session view that speak() sends next: behind
    // that view's render the ticket reached `utter web`'s page 2-35 ms later (a replay from
    // the cache, which has no network wait to hide it).
    let handed: Promise<EngineLink>;
    try {
      handed = Promise.resolve(sink.play(ticket));
    } catch (error) {
      handed = Promise.reject(error as Error);
    }
    handed
      .then((link) => {
        if (stop.aborted) return link.close();
        // Paused while no page played (or as one crashed): the new page starts paused too.
        if (this.state === 'paused' && current === this.current) sink.transport('pause');
        return speakOverLink({ text: current.text, startAt: current.offset, format: current.format }, link, {
          settings,
          provider,
          retryPolicy: this.options.retryPolicy,
          links: this.options.links,
          pronunciations: this.options.pronunciations?.(),
          signal: stop,
          onBadCommand: (error) => this.options.warn?.(`refused a command from the page: ${error.message}`),
          onEvent: (event) => this.onEngineEvent(current, event),
        }).then(() => {
          // A link that waited for its page (utter web's) says when the page never came.
          if (link.failure) refused(link.failure);
        });
      }, refused);
  }

  private onEngineEvent(current: Current, event: EngineEvent): void {
    if (current !== this.current) return;
    switch (event.type) {
      case 'segment-start': {
        if (this.timing?.id === current.id && this.timing.requestedAt === null) this.timing.requestedAt = event.requestedAt;
        current.segments.set(event.segment.index, { start: current.offset + event.segment.start, end: current.offset + event.segment.end });
        let changed = this.remember(current);
        // The server that answered (a hedged request's may be the next one), or the cache, said
        // while segments come from it. The embedded voice keeps its own name.
        const source = event.cached ? event.endpoint + FROM_CACHE : event.endpoint;
        if (source !== this.source && event.endpoint !== LocalVoiceProvider.endpoint) {
          this.source = source;
          changed = true;
        }
        // The page may have heard it before this event reached us.
        if (changed || event.segment.index === current.heard) this.emit();
        return;
      }
      case 'utterance-start':
        this.source = event.provider === 'local' ? 'Embedded voice (eSpeak NG)' : event.endpoint;
        return this.emit();
      case 'retry':
        // A retry at once (a dropped kept connection, a stall) has no wait to count down.
        this.notice = event.delayMs > 0 ? `Retrying in ${event.delayMs} ms: ${event.error.message}` : `Retrying: ${event.error.message}`;
        this.retrying = { segment: event.segmentIndex, notice: this.notice };
        return this.emit();
      case 'chunk':
        // The retry worked: "Retrying in 800 ms" is no longer true.
        if (event.segmentIndex === this.retrying?.segment) this.clearRetryNotice();
        return;
      case 'failover':
        this.source = event.to;
        this.notice = `Switched to ${event.to}: ${event.error.message}`;
        return this.emit();
      case 'notice':
        this.notice = event.message;
        return this.emit();
      case 'error':
        if (event.error.kind === 'cancelled') return;
        // A text the server failed (no key, a refusal, no network) is kept to replay once that
        // is fixed; one with nothing to speak is not.
        if (event.error.kind !== 'input') {
          this.remember(current);
          current.held.failed = event.error.message;
        }
        this.error = event.error.message;
        // The error says how the retries ended; a "Retrying…" beside it would say they go on.
        if (this.retrying) this.clearRetryNotice(false);
        return this.emit();
    }
  }

  /**
   * Puts the text at the top of the history once the engine starts speaking it, or fails it for
   * a reason other than the text: one with nothing to speak (markup, punctuation) never enters.
   * True if it moved.
   */
  private remember(current: Current): boolean {
    if (current.remembered) return false;
    current.remembered = true;
    // Tried again: not failed, unless this try fails too.
    const wasFailed = current.held.failed !== undefined;
    delete current.held.failed;
    if (this.history[0] === current.held) return wasFailed;
    this.history = [current.held, ...this.history.filter((held) => held !== current.held)].slice(0, HISTORY_LENGTH);
    return true;
  }

  private clearRetryNotice(emit = true): void {
    const shown = this.retrying?.notice === this.notice;
    this.retrying = null;
    if (!shown) return;
    this.notice = '';
    if (emit) this.emit();
  }

  /**
   * Where reading goes on from: the sentence heard, where the page placed it inside the part
   * heard (a part holds up to 4,096 characters: its start can be minutes back), else that
   * part's start.
   */
  private heardOffset(current: Current): number {
    const heard = current.segments.get(current.heard);
    if (!heard) return current.offset;
    return current.sentenceAt >= heard.start && current.sentenceAt < heard.end ? current.sentenceAt : heard.start;
  }

  /** The page gone mid-text: stop its engine and go on later from the sentence heard. */
  private interrupt(current: Current, how: SinkGone): void {
    current.offset = this.heardOffset(current);
    current.stopEngine.abort();
    clearTimeout(current.drainTimer);
    current.stopEngine = new AbortController();
    current.segments.clear();
    current.heard = -1;
    current.sentenceAt = -1;
    current.sink = null;
    current.interrupted = how;
    if (this.state !== 'paused') this.state = 'buffering';
    this.emit();
  }

  /** The text is over (heard to the end, skipped past, failed): the next one starts. */
  private finish(current: Current): void {
    if (current !== this.current) return;
    this.end(current);
    const next = this.queued.shift();
    if (next !== undefined) {
      const failed = this.error;
      // A text that failed is still said while the next one plays.
      this.start(next, 0, failed && `The text before this one stopped: ${failed}`);
    } else this.state = this.error ? 'error' : 'idle';
    this.emit();
    this.persist();
  }

  private end(current: Current): void {
    current.stopEngine.abort();
    clearTimeout(current.drainTimer);
    clearTimeout(current.sinkTimer);
    if (this.current === current) this.current = null;
  }

  private persist(): void {
    const saved = this.options.saved;
    if (!saved) return;
    const current = this.current;
    if (!current) return void (this.resumable ? undefined : saved.clear());
    saved.save({ current: { text: current.text, offset: this.heardOffset(current) }, queued: this.queued.map((held) => held.text) });
  }

  private emit(): void {
    const view = this.view();
    for (const listener of this.listeners) listener(view);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

