import type { FeederNotice, FeederOptions, PlayMode } from '../../../shared/playback/feeder-types';
import type { PrerollOptions } from '../../../shared/playback/player-core';
import type { AudioSource } from './consumer-link';

/** What the page tells the decoder worker. A port source travels in the transfer list. */
export type WorkerRequest =
  /** `audioSocket`: `utter web`'s audio endpoint, connected to ahead of the first utterance. */
  | { type: 'init'; ring: SharedArrayBuffer; stats: SharedArrayBuffer; options: FeederOptions; audioSocket?: string }
  | ({ type: 'play'; id: number; source: AudioSource } & PlayMode)
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'skip' }
  | { type: 'previous' }
  /** The playback rate (0.5–3): what is not yet in the ring is stretched at it. */
  | { type: 'rate'; rate: number }
  /** The page's answer to a 'decode-request'. */
  | { type: 'decoded'; requestId: number; channels?: Float32Array[]; sampleRate?: number; error?: string };

/** What the worker tells the page: never audio. */
export type WorkerNotice =
  | FeederNotice
  /** The worker loaded and took its ring: the page may play. */
  | { type: 'ready' }
  | { type: 'crash'; message: string }
  /** A whole segment for the browser's decodeAudioData (only for streams that cannot stream). */
  | { type: 'decode-request'; requestId: number; bytes: ArrayBuffer };

/** What the AudioWorklet is built with. */
export interface WorkletOptions {
  ring: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  /** Interleaved channels in the ring. */
  channels: 1 | 2;
  preroll: PrerollOptions;
}

/** The AudioWorkletProcessor's registered name. */
export const PLAYER_PROCESSOR = 'utter-player';
