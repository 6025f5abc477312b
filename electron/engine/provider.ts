import type { AudioFormat } from '../../shared/audio-format';
import type { ProbeResult } from '../../shared/decoders/types';
import type { SpeechError } from './errors';

/** A word the voice is about to say, with its place in the segment's text (local voice only). */
export interface WordMark {
  /** Offsets into the segment's text, end exclusive. */
  start: number;
  end: number;
  /** Where in the segment's audio the word starts. */
  audioMs: number;
}

/** One synthesis request: one segment of text. */
export interface SpeechRequest {
  text: string;
  /** Index into the provider's endpoints (failover list); local providers have one. */
  endpointIndex: number;
  signal: AbortSignal;
  onWord?: (word: WordMark) => void;
  /** The format to ask for, where not the provider's own (spec P3: a slow link's fallback). */
  format?: AudioFormat;
}

/** The audio of one segment, as it streams. */
export interface SpeechAudio {
  /** Pulled by the engine; not pulling is the backpressure (spec A1, B4). */
  body: ReadableStream<Uint8Array>;
  /** The server's content type, e.g. `audio/pcm;rate=24000`; null when it sent none. */
  contentType: string | null;
  /** What the provider knows for sure (the local voice: pcm, 22050 Hz, mono). */
  declared?: ProbeResult;
  /**
   * Whatever must stay reachable while the body is: undici cancels the body of a fetch
   * Response that has been garbage-collected, and a segment opened ahead waits unread.
   */
  keepAlive?: unknown;
  /** Answered from the local audio cache: no request went out, so the link learns nothing from it. */
  fromCache?: boolean;
  /** The engine found the body whole (its full length, no cut): the cache may keep it (spec X4). */
  complete?(probe: ProbeResult): void;
}

/** A voice a provider offers. */
export interface VoiceInfo {
  id: string;
  name?: string;
  language?: string;
  /** Where the entry came from: built in, or the server's own list. */
  source: 'builtin' | 'server';
}

/** A source of speech audio: an OpenAI-compatible server, or the embedded voice. */
export interface SpeechProvider {
  readonly id: 'openai' | 'local';
  /**
   * The endpoints' names in failover order, as shown to people: base URLs with their secrets
   * hidden (displayEndpoint), or "embedded". Never the URL a request goes to: that stays in the provider.
   */
  readonly endpoints: readonly string[];
  /** Longest text one request may carry. */
  readonly maxInputChars: number;
  /** Starts one request. Rejects with a SpeechError. */
  open(request: SpeechRequest): Promise<SpeechAudio>;
  /** The voices on offer; a server's list that could not be read is told to `onUnread`, and left out. */
  voices(signal?: AbortSignal, onUnread?: (problem: SpeechError) => void): Promise<VoiceInfo[]>;
  /** Releases workers and sockets. */
  close(): Promise<void>;
}
