import type { AudioFormat } from './audio-format';

/** What kind of failure a speech error is: the engine's kinds, shared with every consumer. */
export type SpeechErrorKind =
  | 'input' // the text itself: empty, unreadable
  | 'config' // a setting out of range
  | 'network' // connection refused, reset, timed out, stalled
  | 'auth' // 401, 403
  | 'request' // 400, 404, 422: the server refused the request (unknown voice, model…)
  | 'rate-limit' // 429
  | 'server' // 5xx, 408 (the server timed out waiting for the request)
  | 'bad-audio' // the answer is not audio, or not decodable
  | 'unsupported' // a format this runtime cannot decode (aac without WebCodecs)
  | 'cancelled'; // stopped by the user

/** Where a segment stands in the original text. */
export interface SegmentRef {
  index: number;
  /** Offsets in the original text, end exclusive. */
  start: number;
  end: number;
  text: string;
}

/** What the engine measured of one segment (spec M1, M4). */
export interface SegmentMetrics {
  /** Request sent → first body byte, in ms. */
  ttfbMs: number;
  /** Request sent → last byte, in ms. */
  downloadMs: number;
  bytes: number;
  /** Bytes per second while the body was being read (excluding the wait for the first byte). */
  throughput: number;
  /** Attempts beyond the first. */
  retries: number;
  endpoint: string;
}

/** What the engine measured of a whole utterance. */
export interface UtteranceMetrics {
  /** First segment's time to first byte, in ms. */
  ttfbMs: number;
  totalMs: number;
  bytes: number;
  segments: number;
  retries: number;
  failovers: number;
}

/** A failure, as sent over any wire (no Error object). */
export interface ErrorInfo {
  kind: SpeechErrorKind;
  message: string;
  status?: number;
  endpoint?: string;
  /** Given up because the server asked for a longer wait than Utter's; the message says how long (no "wait a moment"). */
  tooLongToWait?: boolean;
}

/**
 * Everything the engine tells its consumer about one utterance, in order.
 * Plain data only, so it crosses MessagePorts and WebSockets unchanged.
 */
export type EngineEvent =
  | { type: 'utterance-start'; provider: 'openai' | 'local'; endpoint: string; textLength: number; startedAt: number }
  | {
      type: 'segment-start';
      segment: SegmentRef;
      format: AudioFormat;
      /** Undefined when the header does not say it up front (the decoder will). */
      sampleRate?: number;
      channels?: number;
      endpoint: string;
      attempt: number;
      /** The bytes can only be decoded once all have arrived (an MP4): see ProbeResult. */
      wholeFile?: boolean;
      /** Raw PCM labelled `audio/L16`: see ProbeResult. */
      bigEndian?: boolean;
      /** True when this segment was partly sent before and starts over: drop what came of it. */
      restart: boolean;
      /**
       * With restart: the new response is not the same bytes as before (another rendering),
       * so the segment plays again from its start, faded in, instead of being spliced.
       */
      replay?: boolean;
      /** Played from the local audio cache: no request went out for it. */
      cached?: boolean;
      /** Wall-clock time (ms since epoch) the request left the engine. */
      requestedAt: number;
    }
  | {
      type: 'chunk';
      segmentIndex: number;
      bytes: Uint8Array;
      /**
       * When the engine read this chunk's last byte from the network, on its own monotonic
       * clock (only the differences between one utterance's chunks mean anything). The
       * consumer judges the stream's pace by it, not by when it got round to decoding.
       * Absent for bytes that came from no network read (tests, warm-up).
       */
      readMs?: number;
      /**
       * Bytes of the same network read the engine sends right after this chunk: audio
       * already here, which no network gap can hold up (a player may count it toward its
       * pre-roll before it is decoded). Absent for none.
       */
      following?: number;
    }
  | { type: 'word'; segmentIndex: number; start: number; end: number; audioMs: number }
  | { type: 'segment-end'; segmentIndex: number; metrics: SegmentMetrics; skipped: boolean }
  | { type: 'retry'; segmentIndex: number; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: 'failover'; segmentIndex: number; from: string; to: string; error: ErrorInfo }
  /** Something the listener should know that is not a failure (shown as the player's notice). */
  | { type: 'notice'; segmentIndex: number; message: string }
  | { type: 'end'; metrics: UtteranceMetrics }
  | { type: 'error'; error: ErrorInfo; segmentIndex?: number };

/** What the consumer reports back: it drives the engine's flow control (spec A1, B4). */
export interface Credit {
  /** Total bytes of this utterance the consumer has taken in (decoded or dropped). */
  consumedBytes: number;
  /** Audio the consumer holds that has not been played yet, in ms. */
  bufferedMs: number;
  /**
   * Audio decoded from those bytes so far, in ms. With it the engine knows how much audio
   * the bytes still in flight hold, so max-buffer holds whatever the bitrate (4 KB of mp3
   * is half a second).
   */
  decodedMs?: number;
}

/** The member of EngineEvent with the given type. */
export type EngineEventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
