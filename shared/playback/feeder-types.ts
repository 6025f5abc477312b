import type { ErrorInfo } from '../speech-events';
import type { ConsumerLink, LinkEvent } from './link-protocol';

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
  /** What the server's audio turned out to be ("Ogg Vorbis, 24 kHz, mono"): at its first sound, and again when it changes. */
  | { type: 'received'; id: number; description: string }
  /** More than DAMAGE_NOTICE_MS of this utterance was damaged and skipped (spec E2); said once. */
  | { type: 'damaged'; id: number; skippedMs: number }
  /** `sourceMs` of the opening (after its leading silence, when there is enough after it) plays at `rate` (under 1) of the listener's speed, to last the learned pre-roll. */
  | { type: 'slow-start'; id: number; rate: number; sourceMs: number }
  /** The segment whose audio is being played changed (for highlighting the text). */
  | { type: 'segment-playing'; id: number; index: number; startMs: number }
  /**
   * From played ms `playedMs` on, segment `segment` plays from its source ms `sourceMs` at
   * `rate`: how the page maps what is heard to the voice's word timings at any rate.
   */
  | { type: 'anchor'; id: number; segment: number; playedMs: number; sourceMs: number; rate: number }
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
