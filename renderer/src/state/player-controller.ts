import type { AudioFormat } from '../../../shared/audio-format';
import type { PublicSettings } from '../../../shared/renderer-api';
import { AudioPlayer, type PlayerNotice } from '../audio/audio-player';
import type { Bridge } from './bridge';
import { usePlayerStore, type ShownState } from './player-store';
import type { AppCommand } from '../../../shared/app-commands';
import { readTextFiles } from './dropped-files';

/** How many texts the history keeps. */
const HISTORY_LENGTH = 10;

/**
 * Glue between the buttons, the bridge to the engine and the audio path: starts and
 * controls utterances and turns the worker's few notices into store updates.
 */
export class PlayerController {
  private player: AudioPlayer | null = null;
  /** How opening the audio output went, for the app's Diagnostics; undefined until tried. */
  private audioOutput: { ok: boolean; detail: string } | undefined;
  private starting: Promise<AudioPlayer> | null = null;
  private settings: PublicSettings | null = null;
  /** Texts waiting their turn (whileSpeaking: 'queue'). */
  private queue: string[] = [];
  private lastReport = '';
  private playerShape = '';
  /** Where each segment of the current utterance lies in the text. */
  private segments = new Map<number, { start: number; end: number }>();
  /** Word timings per segment, and where the playing segment starts in the played audio. */
  private words = new Map<number, { start: number; end: number; audioMs: number }[]>();
  private playing = { index: -1, startMs: 0 };

  constructor(private readonly bridge: Bridge) {}

  async init(): Promise<PublicSettings> {
    const first = this.settings === null;
    this.settings = await this.bridge.settings();
    // The format selector starts from the setting; after that it is the user's choice.
    if (first) usePlayerStore.getState().set({ format: this.settings.format });
    return this.settings;
  }

  /** The audio path, created on first use (an AudioContext wants a user gesture). */
  audio(): AudioPlayer | null {
    return this.player;
  }

  async speak(text: string, format: AudioFormat, notice = ''): Promise<void> {
    const store = usePlayerStore.getState();
    // The text shown is the text being spoken, whoever asked (the box, a hotkey, the queue).
    store.set({ text, paused: false, error: '', notice, firstAudio: null, requestedAt: null, firstByteAt: null, firstDecodedAt: null, segment: null });
    try {
      // Settings apply at once: read them anew for every utterance.
      const settings = await this.init();
      const player = await this.ensurePlayer(settings);
      const { id, source } = await this.bridge.speak({ text, format });
      store.set({ history: [text, ...store.history.filter((t) => t !== text)].slice(0, HISTORY_LENGTH) });
      this.segments.clear();
      this.words.clear();
      this.playing = { index: -1, startMs: 0 };
      store.set({ utteranceId: id, busy: true });
      await player.play(id, source, { streaming: settings.streamingEnabled, pcmSampleRate: settings.pcmSampleRate });
    } catch (error) {
      store.set({ error: (error as Error).message, busy: false });
    }
  }

  stop(): void {
    this.queue = [];
    usePlayerStore.getState().set({ queued: [] });
    this.player?.stop();
    usePlayerStore.getState().set({ busy: false, segment: null, paused: false });
  }

  togglePause(): void {
    const store = usePlayerStore.getState();
    if (!store.busy) return;
    if (store.paused) this.player?.resume();
    else this.player?.pause();
    store.set({ paused: !store.paused });
  }

  /** Dropped or opened files: the first is spoken now, the rest wait their turn, in order. */
  async speakFiles(files: readonly File[]): Promise<void> {
    const { texts, errors } = await readTextFiles(files);
    const store = usePlayerStore.getState();
    if (!texts.length) return store.set({ error: errors.join(' ') });
    const [first, ...rest] = texts;
    await this.speak(first.text, store.format);
    this.enqueue(rest.map((t) => t.text));
    // Refusals stay visible next to what plays.
    if (errors.length) store.set({ notice: errors.join(' ') });
  }

  private enqueue(texts: string[]): void {
    this.queue.push(...texts);
    usePlayerStore.getState().set({ queued: [...this.queue] });
  }

  /** A command from the tray or a hotkey. */
  command(command: AppCommand): void {
    switch (command.type) {
      case 'speak':
      case 'queue': {
        const store = usePlayerStore.getState();
        // While speaking, a queued text waits its turn, and so does a new one when the
        // settings say queue; otherwise the new text interrupts (the default).
        const waits = store.busy && (command.type === 'queue' || this.settings?.whileSpeaking === 'queue');
        if (waits) this.enqueue([command.text]);
        else void this.speak(command.text, store.format);
        return;
      }
      case 'stop':
        return this.stop();
      case 'pause-resume':
        return this.togglePause();
      case 'skip':
        return this.skip();
    }
  }

  /** What the player shows as its state, from the store and the worklet's stats. */
  shownState(metrics = this.player?.metrics()): ShownState {
    const store = usePlayerStore.getState();
    const state = metrics?.state;
    if (store.busy) return state && state !== 'idle' ? state : 'buffering';
    return store.error ? 'error' : 'idle';
  }

  /**
   * Reports the shown state to the app when it changes (a few times per utterance). Called
   * on a timer, not on animation frames: a hidden window gets none on Windows even with
   * backgroundThrottling off (electron/electron#31016), and the tray must still follow.
   */
  reportState(): void {
    const store = usePlayerStore.getState();
    const shown = this.shownState();
    const reading = store.segment ? store.text.slice(store.segment.start, store.segment.end) : undefined;
    const status = shown === 'playing' || shown === 'buffering' ? 'speaking' : shown;
    const audio = this.audioOutput;
    const key = `${status}|${reading ?? ''}|${store.error}|${store.notice}|${audio?.detail ?? ''}`;
    if (key === this.lastReport) return;
    this.lastReport = key;
    this.bridge.reportStatus({ status, reading, error: store.error || undefined, notice: store.notice || undefined, audio });
  }

  skip(): void {
    this.player?.skip();
  }

  previous(): void {
    this.player?.previous();
  }

  /** Called on each animation frame: latches time to first audio and follows the words. */
  frame(): void {
    const player = this.player;
    const store = usePlayerStore.getState();
    if (!player || !store.busy) return;
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
      }
    }
  }

  private async ensurePlayer(settings: PublicSettings): Promise<AudioPlayer> {
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
      this.audioOutput = { ok: true, detail: `playing at ${sampleRate} Hz, ${Math.round(((outputLatency || 0) + baseLatency) * 1000)} ms output latency` };
    } catch (error) {
      this.audioOutput = { ok: false, detail: `the audio output could not open: ${(error as Error).message}` };
      throw error;
    } finally {
      this.starting = null;
    }
    this.player.onNotice((notice) => this.onNotice(notice));
    return this.player;
  }

  private onNotice(notice: PlayerNotice): void {
    const store = usePlayerStore.getState();
    if (notice.type === 'crash') return store.set({ error: `The decoder failed: ${notice.message}`, busy: false });
    if (notice.id !== store.utteranceId) return;
    switch (notice.type) {
      case 'first-byte':
        return store.set({ firstByteAt: notice.at });
      case 'first-decoded':
        return store.set({ firstDecodedAt: notice.at });
      case 'error':
        return store.set({ error: notice.error.message });
      case 'fallback':
        return store.set({ notice: 'This audio cannot play as it arrives: it plays once it has downloaded.' });
      case 'segment-playing':
        this.playing = { index: notice.index, startMs: notice.startMs };
        return store.set({ segment: this.segments.get(notice.index) ?? null, word: null });
      case 'drained':
        // The last sample has left the worklet; it is heard one output latency later.
        return this.whenHeard();
      case 'event': {
        const event = notice.event;
        if (event.type === 'segment-start') {
          if (store.requestedAt === null) store.set({ requestedAt: event.requestedAt });
          this.segments.set(event.segment.index, { start: event.segment.start, end: event.segment.end });
        } else if (event.type === 'word') {
          const list = this.words.get(event.segmentIndex) ?? [];
          list.push({ start: event.start, end: event.end, audioMs: event.audioMs });
          this.words.set(event.segmentIndex, list);
        } else if (event.type === 'error' && event.error.kind !== 'cancelled') {
          store.set({ error: event.error.message });
        } else if (event.type === 'retry') {
          store.set({ notice: `Retrying in ${event.delayMs} ms: ${event.error.message}` });
        } else if (event.type === 'utterance-start') {
          store.set({ source: event.provider === 'local' ? 'Embedded voice (eSpeak NG)' : event.endpoint });
        } else if (event.type === 'failover') {
          store.set({ source: event.to, notice: `Switched to ${event.to}: ${event.error.message}` });
        }
      }
    }
  }

  private whenHeard(): void {
    const id = usePlayerStore.getState().utteranceId;
    const heardAt = this.player?.lastHeardAt() ?? Date.now();
    setTimeout(() => {
      const store = usePlayerStore.getState();
      if (store.utteranceId !== id) return;
      // The tray hears how this text ended (an error included) before the next one starts.
      this.reportState();
      const failed = store.error;
      const next = this.queue.shift();
      // With a text waiting, the player stays busy: the tray and the state never blink
      // to idle between two queued texts.
      store.set({ busy: next !== undefined, segment: null, paused: false, queued: [...this.queue] });
      // A text that failed is still said in the player while the next one plays.
      if (next !== undefined) void this.speak(next, store.format, failed && `The text before this one stopped: ${failed}`);
    }, Math.max(0, heardAt - (performance.timeOrigin + performance.now())));
  }
}
