import { create } from 'zustand';
import type { AudioFormat } from '../../../shared/audio-format';

/** What the player view shows, as text (the `state` test id). */
export type ShownState = 'idle' | 'buffering' | 'playing' | 'paused' | 'error';

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
 * The player's low-rate state: what changes a few times per utterance. Audio-rate figures
 * (buffer level, underruns) are read from shared memory on each animation frame instead.
 */
export interface PlayerState {
  format: AudioFormat;
  utteranceId: number;
  /** Offsets in the text of the segment being spoken, for highlighting. */
  segment: { start: number; end: number } | null;
  /** The word being heard, where the voice reports word timings (the embedded voice does). */
  word: { start: number; end: number } | null;
  /** Wall-clock ms (epoch) at which the first request left the engine, and the first byte and frame arrived. */
  requestedAt: number | null;
  firstByteAt: number | null;
  firstDecodedAt: number | null;
  firstAudio: FirstAudio | null;
  /** The last error, shown until the next Speak. */
  error: string;
  /** A note that is not an error (a retry, a failover). */
  notice: string;
  /** Who is speaking: the provider and the server in use (it changes on failover). */
  source: string;
  /** True from Speak until the last sample has been heard, or stop. */
  busy: boolean;
  paused: boolean;
  /** Texts waiting their turn, and the last ones spoken (newest first), for replay. */
  queued: string[];
  history: string[];
  /** The text in the box (also set by the tray and hotkeys). */
  text: string;
  set(patch: Partial<PlayerState>): void;
}

export const usePlayerStore = create<PlayerState>((set) => ({
  format: 'pcm',
  utteranceId: 0,
  segment: null,
  word: null,
  requestedAt: null,
  firstByteAt: null,
  firstDecodedAt: null,
  firstAudio: null,
  error: '',
  notice: '',
  source: '',
  busy: false,
  paused: false,
  queued: [],
  history: [],
  text: '',
  set: (patch) => set(patch),
}));
