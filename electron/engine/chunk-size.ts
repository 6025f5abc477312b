import { mpegHeader } from '../../shared/decoders/frame-headers';
import { headerLength } from './header-length';
import { MP3_SILENT_FRAMES, mp3FramesBytes, opusPacketsBytes } from './first-audio';
import type { SegmentProbe } from './probe';

/**
 * Chunk sizes that follow the link (issue 12 §3). The first chunk of a segment is small (its
 * headers and a little audio, firstChunkBytes) so the decoder starts on it rather than
 * waiting for a whole chunk to trickle in; after it, a chunk is what the link delivers in
 * `CHUNK_SPAN_MS`, so a slow link still passes audio on every 50 ms and a fast one sends few
 * large chunks. The setting (spec C3) is the ceiling.
 */
export const FIRST_CHUNK_BYTES = 1024;
/**
 * Audio a segment's first chunk carries past its headers: twice the least pre-roll (30 ms),
 * so the player can start on the first chunk instead of the second chunk's decode. Opus's
 * first kilobyte was 841 bytes of headers and 14 ms of audio; sized past them, the bench
 * heard it 2–3 ms sooner.
 */
export const FIRST_CHUNK_AUDIO_MS = 60;
/**
 * Compressed audio a first chunk carries past its headers, where its rate is not known:
 * 53 ms of stereo mp3 at 128 kbps (whose decoder gives back 1 ms of the first KB), 94 of
 * stereo Opus. Decoding it takes under a millisecond.
 */
export const FIRST_CHUNK_AUDIO_BYTES = 2048;
export const CHUNK_SPAN_MS = 50;
/**
 * A segment's first bytes go out as they come, however small the reads: until the player
 * has started, a byte held for company is first audio put off (the quiet time held each
 * of a server's 683-byte writes 10 ms). 16 KB is a third of a second of 24 kHz pcm and
 * two of mp3, more than any pre-roll; a server writing 100 bytes at a time costs 160 messages.
 */
export const UNHELD_START_BYTES = 16 * 1024;

/** What a segment's probe knows: its first bytes, and its format and rate where they say so. */
type StartOfSegment = Pick<SegmentProbe, 'head' | 'format' | 'sampleRate' | 'channels'>;

/**
 * The first chunk's size: the headers, then `FIRST_CHUNK_AUDIO_MS` of audio. Ogg Opus's
 * packets and MP3's frames are counted where the first read holds them (2 KB of mono Opus was
 * 354 ms, whose decode, 2 ms in the page, came before any of it reached the ring). Otherwise
 * `FIRST_CHUNK_AUDIO_BYTES`, or more where the rate is known: pcm, wav and FLAC counted at 16
 * bits uncompressed (what servers send; for FLAC a generous bound, as its frames are 4,096
 * samples and 2 KB of a stereo one decoded to nothing), and mp3 by its first frame's length.
 */
export function firstChunkBytes(probe: StartOfSegment): number {
  const header = headerLength(probe.head);
  const counted = countedAudioBytes(probe, header);
  return header + (counted ?? Math.max(FIRST_CHUNK_AUDIO_BYTES, audioBytesAtStart(probe, header)));
}

function countedAudioBytes({ format, head }: StartOfSegment, header: number): number | null {
  if (format === 'opus') return opusPacketsBytes(head, header, FIRST_CHUNK_AUDIO_MS);
  return format === 'mp3' ? mp3FramesBytes(head, header, FIRST_CHUNK_AUDIO_MS) : null;
}

function audioBytesAtStart({ format, sampleRate, channels = 1, head }: StartOfSegment, header: number): number {
  if (format === 'mp3') {
    const frame = mpegHeader(head, header);
    if (!frame) return 0;
    const frameMs = (frame.samples / frame.sampleRate) * 1000;
    return frame.frameLength * (MP3_SILENT_FRAMES + Math.ceil(FIRST_CHUNK_AUDIO_MS / frameMs));
  }
  const uncompressed = format === 'pcm' || format === 'wav' || format === 'flac';
  return uncompressed && sampleRate ? Math.ceil((sampleRate * channels * 2 * FIRST_CHUNK_AUDIO_MS) / 1000) : 0;
}

export class ChunkSizer {
  private sent = 0;
  private first = FIRST_CHUNK_BYTES;
  /** Bytes sent of the current segment. */
  private segmentBytes = 0;
  private bytes = 0;
  private networkMs = 0;

  constructor(private readonly ceiling: number) {}

  /** A read of `bytes` that took `networkMs` of waiting on the network (not on flow control). */
  arrived(bytes: number, networkMs: number): void {
    this.bytes += bytes;
    this.networkMs += networkMs;
  }

  /** A chunk of `bytes` went out. */
  emitted(bytes: number): void {
    this.sent++;
    this.segmentBytes += bytes;
  }

  /** Reads under this many bytes wait a little for more (ChunkCoalescer); none does at a segment's start. */
  get trickleBelow(): number {
    return this.segmentBytes < UNHELD_START_BYTES ? 0 : Math.min(FIRST_CHUNK_BYTES, this.ceiling);
  }

  /** The size the next chunk is coalesced to. */
  get size(): number {
    const floor = Math.min(FIRST_CHUNK_BYTES, this.ceiling);
    if (this.sent === 0) return Math.min(this.first, this.ceiling);
    // Until a read has been timed, the size doubles from the first chunk's.
    if (this.bytes === 0) return Math.min(this.ceiling, floor * 2 ** this.sent);
    // Reads that came at once (a fast server) say the link is faster than we can time.
    if (this.networkMs < 1) return this.ceiling;
    const perSpan = (this.bytes / this.networkMs) * CHUNK_SPAN_MS;
    return Math.max(floor, Math.min(this.ceiling, Math.round(perSpan)));
  }

  /** A new segment starts: its first chunk is `first` bytes (firstChunkBytes); the link's pace is kept. */
  restart(first = FIRST_CHUNK_BYTES): void {
    this.first = first;
    this.sent = 0;
    this.segmentBytes = 0;
  }
}
