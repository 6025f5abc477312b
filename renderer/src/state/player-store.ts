import { create } from 'zustand';
import type { AudioFormat } from '../../../shared/audio-format';
import type { HistoryRef, Resumable, SessionState, TextRef } from '../../../shared/session';

/** What the player view shows, as text (the `state` test id). */
export type ShownState = SessionState;

/** The pre-roll an utterance started with, why, and whether its opening was stretched to meet it. */
export interface PrerollStart {
  ms: number;
  reason: string;
  slowStart?: { rate: number; sourceMs: number };
}

/** Time to first audio, split into its parts (spec M1), all from the request leaving the engine. */
export interface FirstAudio {
  totalMs: number;
  /** Wall-clock ms (epoch) at which the first sample was heard: for tests against a recording. */
  heardAt: number;
  firstByteMs: number;
  firstDecodedMs: number;
  firstRenderedMs: number;
}

/**
 * The player's low-rate state, one flat store: most of it mirrors the session's view (set
 * in one place, PlayerController.show), the rest is what this page measures. Audio-rate
 * figures (buffer level, underruns) are read from shared memory on each animation frame.
 * Slices would split what one `set` keeps consistent, for a store this small.
 */
export interface PlayerState {
  /** The format selector, which the session also uses for hotkeys and the tray. */
  format: AudioFormat;
  /** The playback rate (0.5–3), the session's: the players show it and change it. */
  rate: number;
  /** The session's state and the text it is reading (or null when idle). */
  sessionState: SessionState;
  utteranceId: number;
  reading: string;
  /** Offsets in `reading` of the sentence being heard, for highlighting. */
  segment: { start: number; end: number } | null;
  /** The word being heard, where the voice reports word timings (the embedded voice does). */
  word: { start: number; end: number } | null;
  /**
   * Where a sentence heard inside `segment` starts, estimated from the time it has played at
   * the voice's pace, where the voice reports no words: a segment holds up to 4,096 characters.
   */
  heardAt: number | null;
  /** The current utterance's time to first audio, from the session's timing record. */
  firstAudio: FirstAudio | null;
  /** The last error, shown until the next text starts. */
  error: string;
  /** A note that is not an error (a retry, a failover). */
  notice: string;
  /**
   * What this page refused of the files last dropped on it (or opened), shown while that
   * drop's texts are read and gone once another text starts: beside what plays, or as the
   * error when nothing of the drop could be read.
   */
  refusals: { message: string; nothingRead: boolean } | null;
  /** Who is speaking: the provider and the server in use (it changes on failover). */
  source: string;
  /** The pre-roll this utterance started with, and why (spec B2). */
  preroll: PrerollStart | null;
  /** What the server's audio turned out to be ("Ogg Vorbis, 24 kHz, mono"), once it has sounded. */
  received: string | null;
  /** True while the session has a text, playing or paused. */
  busy: boolean;
  paused: boolean;
  /** Texts waiting their turn, and the last ones spoken or tried (newest first, those that failed marked), for replay. */
  queued: TextRef[];
  history: HistoryRef[];
  resumable: Resumable | null;
  /** The text in the box (a hotkey's text appears here too). */
  text: string;
  set(patch: Partial<PlayerState>): void;
}

export const usePlayerStore = create<PlayerState>((set) => ({
  format: 'pcm',
  rate: 1,
  sessionState: 'idle',
  utteranceId: 0,
  reading: '',
  segment: null,
  word: null,
  heardAt: null,
  firstAudio: null,
  error: '',
  notice: '',
  refusals: null,
  source: '',
  preroll: null,
  received: null,
  busy: false,
  paused: false,
  queued: [],
  history: [],
  resumable: null,
  text: '',
  set: (patch) => set(patch),
}));
