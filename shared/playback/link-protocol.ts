import { z } from 'zod';
import { AUDIO_FORMATS, type AudioFormat } from '../audio-format';
import type { EngineEvent } from '../speech-events';
import { textTooLong } from '../text-limit';

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
  /** Read from this offset in `text` (the session's jumps and resumes); offsets in events count from it. */
  startAt?: number;
}


const count = z.number().finite().nonnegative();

/** The commands a consumer may send, as the one schema that checks them: bad input is refused, never trusted. */
const linkCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('credit'), consumedBytes: count, bufferedMs: count, decodedMs: count.optional() }).strict(),
  z.object({ type: z.literal('stop') }).strict(),
  z.object({ type: z.literal('pause') }).strict(),
  z.object({ type: z.literal('resume') }).strict(),
  z.object({ type: z.literal('skip'), from: count.transform(Math.floor) }).strict(),
  z.object({ type: z.literal('previous'), from: count.transform(Math.floor) }).strict(),
]);

/** What a page may ask to have spoken. */
export const speakRequestSchema = z
  .object({
    text: z.string({ error: 'A speak request needs text.' }).superRefine((value, context) => {
      const refused = textTooLong(value);
      if (refused) context.addIssue({ code: 'custom', message: refused });
    }),
    format: z.enum(AUDIO_FORMATS, { error: (issue) => `Unknown audio format: ${JSON.stringify(issue.input)}.` }).optional(),
  })
  .strict();

/**
 * Checks a command from the renderer, which is untrusted input: anything malformed is
 * refused with a message instead of reaching the engine.
 */
export function parseLinkCommand(value: unknown): LinkCommand | Error {
  const result = linkCommandSchema.safeParse(value);
  return result.success ? result.data : new Error(`Refused link command: ${result.error.issues[0]?.message ?? 'malformed'}.`);
}

/**
 * The first message on an `utter web` audio socket: which utterance it carries. A socket
 * is opened before its utterance exists (so a play does not wait for a handshake), and
 * claimed by this.
 */
export function audioClaim(id: number): string {
  return JSON.stringify({ claim: id });
}

/** The utterance id an audio socket's first message claims, or null for anything else. */
export function parseAudioClaim(text: string): number | null {
  return idIn(text, 'claim');
}

/**
 * The server's first message on a page's waiting audio socket when it hands it an utterance
 * itself (the page names itself with `page=` on both its sockets): the worker plays it
 * without a claim, so its first bytes need not wait for the ticket's round trip through the
 * page and back.
 */
export function audioOffer(id: number): string {
  return JSON.stringify({ offer: id });
}

/** The utterance id a server's offer names, or null for anything else. */
export function parseAudioOffer(text: string): number | null {
  return idIn(text, 'offer');
}

function idIn(text: string, key: 'claim' | 'offer'): number | null {
  try {
    const id = (JSON.parse(text) as Record<string, unknown> | null)?.[key];
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
  } catch {
    return null;
  }
}

/**
 * Binary frames are chunks: a little-endian u32 segment index, the f64 read time (NaN for
 * none), the u32 count of bytes that follow at once (see the chunk event), then the bytes.
 */
export const CHUNK_HEADER_BYTES = 16;
/** Where a chunk frame's read time starts, after the segment index. */
export const CHUNK_READ_AT = 4;
/** Where a chunk frame's count of following bytes starts, after the read time. */
export const CHUNK_FOLLOWING_AT = 12;

export function encodeChunkFrame(segmentIndex: number, bytes: Uint8Array, readMs?: number, following = 0): Uint8Array {
  const frame = new Uint8Array(CHUNK_HEADER_BYTES + bytes.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, segmentIndex, true);
  view.setFloat64(CHUNK_READ_AT, readMs ?? Number.NaN, true);
  view.setUint32(CHUNK_FOLLOWING_AT, following, true);
  frame.set(bytes, CHUNK_HEADER_BYTES);
  return frame;
}

/** The inverse of encodeChunkFrame. */
export function decodeChunkFrame(frame: ArrayBuffer): LinkEvent {
  const view = new DataView(frame);
  const readMs = view.getFloat64(CHUNK_READ_AT, true);
  const following = view.getUint32(CHUNK_FOLLOWING_AT, true);
  const bytes = new Uint8Array(frame, CHUNK_HEADER_BYTES);
  return { type: 'chunk', segmentIndex: view.getUint32(0, true), bytes, ...(Number.isFinite(readMs) ? { readMs } : {}), ...(following > 0 ? { following } : {}) };
}
