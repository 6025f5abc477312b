import { isAudioFormat, type AudioFormat } from '../audio-format';
import type { EngineEvent } from '../speech-events';

/**
 * One utterance's link between the engine (main process, or `utter web`'s Node process)
 * and the decoder worker. Downstream: the engine's events, bytes in 'chunk'. Upstream:
 * LinkCommand. The same messages go over an Electron MessagePort and over a WebSocket.
 */
export type LinkEvent = EngineEvent;

/** What the consumer sends back: credit drives the engine's flow control (spec A1, B4). */
export type LinkCommand =
  | { type: 'credit'; consumedBytes: number; bufferedMs: number; decodedMs?: number }
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Moves to the segment after `from` (the one playing, which may be behind the one downloading). */
  | { type: 'skip'; from: number }
  | { type: 'previous'; from: number };

/** The consumer's end of a link, whatever carries it (MessagePort, WebSocket). */
export interface ConsumerLink {
  send(command: LinkCommand): void;
  close(): void;
}

/** What a page asks to have spoken. */
export interface SpeakRequest {
  text: string;
  /** Overrides the setting for this utterance (the player view's format selector). */
  format?: AudioFormat;
}

/** Longest text one request may carry: 10 MB of characters, far beyond any book chapter. */
export const MAX_SPEAK_CHARS = 10_000_000;

/**
 * Checks a command from the renderer, which is untrusted input: anything malformed is
 * refused with a message instead of reaching the engine.
 */
export function parseLinkCommand(value: unknown): LinkCommand | Error {
  if (!value || typeof value !== 'object') return new Error('A link command must be an object.');
  const command = value as Record<string, unknown>;
  switch (command.type) {
    case 'credit':
      if (!isCount(command.consumedBytes) || !isCount(command.bufferedMs)) return new Error('Credit needs consumedBytes and bufferedMs ≥ 0.');
      if (command.decodedMs !== undefined && !isCount(command.decodedMs)) return new Error('Credit decodedMs must be a number ≥ 0.');
      return { type: 'credit', consumedBytes: command.consumedBytes, bufferedMs: command.bufferedMs, decodedMs: command.decodedMs };
    case 'stop':
    case 'pause':
    case 'resume':
      return { type: command.type };
    case 'skip':
    case 'previous':
      if (!isCount(command.from)) return new Error(`${command.type} needs the index of the segment playing.`);
      return { type: command.type, from: Math.floor(command.from) };
    default:
      return new Error(`Unknown link command: ${JSON.stringify(command.type)}.`);
  }
}

/** Checks a speak request from the renderer. */
export function parseSpeakRequest(value: unknown): SpeakRequest | Error {
  if (!value || typeof value !== 'object') return new Error('A speak request must be an object.');
  const request = value as Record<string, unknown>;
  if (typeof request.text !== 'string') return new Error('A speak request needs text.');
  if (request.text.length > MAX_SPEAK_CHARS) return new Error(`The text is too long (${request.text.length} characters; the most is ${MAX_SPEAK_CHARS}).`);
  if (request.format !== undefined && (typeof request.format !== 'string' || !isAudioFormat(request.format))) {
    return new Error(`Unknown audio format: ${JSON.stringify(request.format)}.`);
  }
  return { text: request.text, format: request.format as AudioFormat | undefined };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Binary frames are chunks: a little-endian u32 segment index, then the bytes. */
export function encodeChunkFrame(segmentIndex: number, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + bytes.length);
  new DataView(frame.buffer).setUint32(0, segmentIndex, true);
  frame.set(bytes, 4);
  return frame;
}

/** The inverse of encodeChunkFrame. */
export function decodeChunkFrame(frame: ArrayBuffer): LinkEvent {
  return { type: 'chunk', segmentIndex: new DataView(frame).getUint32(0, true), bytes: new Uint8Array(frame, 4) };
}

