import type { AudioFormat } from '../../../shared/audio-format';
import type { PublicSettings } from '../../../shared/renderer-api';
import type { ControlAction, PlayTicket, SessionView, SinkFact, TransportAction } from '../../../shared/session';
import { AudioPlayer, type PlayerNotice } from '../audio/audio-player';
import type { AudioSource } from '../audio/consumer-link';
import type { Bridge } from './bridge';
import { usePlayerStore, type ShownState } from './player-store';
import { readTextFiles } from './dropped-files';

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
  private playing = { id: 0, offset: 0, index: -1, startMs: 0 };
  /** Word timings per segment, from the engine's events. */
  private words = new Map<number, { start: number; end: number; audioMs: number }[]>();
  private heardReported = 0;

  constructor(private readonly bridge: Bridge) {}

  /** The settings, for what the view shows of them (the audio gets its own with each utterance). */
  init(): Promise<PublicSettings> {
    return this.bridge.settings();
  }

  /** Becomes the session's audio sink; returns a function that lets go. */
  attach(): () => void {
    const unsubscribe = [
      this.bridge.onSession((view) => this.show(view)),
      this.bridge.onPlay((ticket, source) => void this.play(ticket, source)),
      this.bridge.onTransport((action) => this.transport(action)),
    ];
    this.bridge.attachSink().then(
      (view) => this.show(view),
      (error: Error) => usePlayerStore.getState().set({ error: error.message }),
    );
    return () => unsubscribe.forEach((stop) => stop());
  }

  /** The audio path, created on first use. */
  audio(): AudioPlayer | null {
    return this.player;
  }

  /** Asks the session to speak: the first text now (or after what plays), the rest after it. */
  speak(texts: string[], format: AudioFormat): Promise<void> {
    usePlayerStore.getState().set({ refusals: '' });
    return this.ask(this.bridge.speak({ texts, format }));
  }

  /** Dropped or opened files: the first is spoken now, the rest wait their turn, in order. */
  async speakFiles(files: readonly File[]): Promise<void> {
    const { texts, errors } = await readTextFiles(files);
    const store = usePlayerStore.getState();
    if (texts.length) await this.speak(texts.map((t) => t.text), store.format);
    // Refusals stay visible next to what plays.
    if (errors.length) usePlayerStore.getState().set(texts.length ? { refusals: errors.join(' ') } : { error: errors.join(' ') });
  }

  control(action: ControlAction): void {
    this.bridge.control(action);
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

  /** Called on each animation frame: latches time to first audio and follows the words. */
  frame(): void {
    const player = this.player;
    const store = usePlayerStore.getState();
    if (!player || !store.busy || store.utteranceId !== this.playing.id) return;
    const words = this.words.get(this.playing.index);
    if (words?.length) {
      const position = player.metrics().playedMs - this.playing.startMs;
      let current: (typeof words)[number] | undefined;
      for (const word of words) if (word.audioMs <= position) current = word;
      if (current && (current.start !== store.word?.start || current.end !== store.word?.end)) store.set({ word: { start: current.start, end: current.end } });
    }
    if (!store.firstAudio && store.requestedAt !== null && store.firstDecodedAt !== null) {
      const heard = player.firstHeardAt();
      if (heard !== null) {
        const context = player.context;
        const latencyMs = (context.baseLatency + (context.outputLatency || 0)) * 1000;
        store.set({
          firstAudio: {
            totalMs: Math.round(heard - store.requestedAt),
            heardAt: Math.round(heard),
            firstByteMs: Math.round((store.firstByteAt ?? heard) - store.requestedAt),
            firstDecodedMs: Math.round(store.firstDecodedAt - store.requestedAt),
            firstRenderedMs: Math.round(heard - latencyMs - store.requestedAt),
          },
        });
        if (this.heardReported !== this.playing.id) {
          this.heardReported = this.playing.id;
          this.fact({ type: 'first-heard', id: this.playing.id, heardAt: heard });
        }
      }
    }
  }

  /** The session's view, as the player shows it. */
  private show(view: SessionView): void {
    const store = usePlayerStore.getState();
    const current = view.current;
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
      resumable: view.resumable,
      segment: current?.segment ?? null,
    };
    // A new text, whoever asked for it (the box, a hotkey, the queue), is the text shown.
    if (current && current.id !== store.utteranceId) {
      Object.assign(patch, { utteranceId: current.id, reading: current.text, text: current.text, word: null });
    }
    store.set(patch);
  }

  /** The session hands this page an utterance to play. */
  private async play(ticket: PlayTicket, source: AudioSource): Promise<void> {
    usePlayerStore.getState().set({ firstAudio: null, requestedAt: null, firstByteAt: null, firstDecodedAt: null, word: null });
    this.words.clear();
    this.playing = { id: ticket.id, offset: ticket.offset, index: -1, startMs: 0 };
    try {
      // The settings in force come with each utterance: a change applies to the next one.
      const player = await this.ensurePlayer(ticket);
      await player.play(ticket.id, source, { streaming: ticket.streaming, pcmSampleRate: ticket.pcmSampleRate });
    } catch (error) {
      // The session hears why, ends the text and goes on with the next one.
      this.fact({ type: 'error', id: ticket.id, message: (error as Error).message });
      this.fact({ type: 'drained', id: ticket.id, heardAt: Date.now() });
      if (source.kind === 'port') source.port.close();
    }
  }

  private transport(action: TransportAction): void {
    this.player?.[action]();
  }

  private fact(fact: SinkFact): void {
    this.bridge.sinkFact(fact);
  }

  private async ask(request: Promise<void>): Promise<void> {
    try {
      await request;
    } catch (error) {
      usePlayerStore.getState().set({ error: (error as Error).message });
    }
  }

  private async ensurePlayer(settings: Pick<PublicSettings, 'streamBufferMs' | 'streamMaxBuffer'>): Promise<AudioPlayer> {
    // The ring and the pre-roll are sized from the buffering settings: new ones, new player.
    const shape = `${settings.streamBufferMs}|${settings.streamMaxBuffer}`;
    if (this.player && shape !== this.playerShape) {
      const old = this.player;
      this.player = null;
      await old.close();
    }
    this.playerShape = shape;
    if (this.player) return this.player;
    this.starting ??= AudioPlayer.create(settings);
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
        return store.set({ firstByteAt: notice.at });
      case 'first-decoded':
        return store.set({ firstDecodedAt: notice.at });
      case 'error':
        return this.fact({ type: 'error', id: notice.id, message: notice.error.message });
      case 'fallback':
        return this.fact({ type: 'notice', id: notice.id, message: 'This audio cannot play as it arrives: it plays once it has downloaded.' });
      case 'segment-playing':
        this.playing = { ...this.playing, index: notice.index, startMs: notice.startMs };
        store.set({ word: null });
        return this.fact({ type: 'playing', id: notice.id, index: notice.index });
      case 'drained':
        // The last sample has left the worklet; it is heard one output latency later.
        return this.fact({ type: 'drained', id: notice.id, heardAt: this.player?.lastHeardAt() ?? Date.now() });
      case 'event': {
        const event = notice.event;
        if (event.type === 'segment-start' && store.requestedAt === null) store.set({ requestedAt: event.requestedAt });
        else if (event.type === 'word') {
          const list = this.words.get(event.segmentIndex) ?? [];
          const offset = this.playing.offset;
          list.push({ start: offset + event.start, end: offset + event.end, audioMs: event.audioMs });
          this.words.set(event.segmentIndex, list);
        }
      }
    }
  }
}
