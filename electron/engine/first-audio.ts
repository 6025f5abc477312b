import { id3Length, mpegHeader } from '../../shared/decoders/frame-headers';
import { opusPacketSamples } from '../../shared/decoders/opus-packet';
import { startsWith } from './stream-units';

// A segment's first audio, counted in the stream's own units where the first read holds them.

/**
 * MP3 frames a decoder gives nothing back for: LAME's Info frame, the encoder's and the
 * decoder's delay (1,105 samples, two frames at 24 kHz), and the frame mpg123 reads ahead.
 * At 160 kbit/s (OpenAI's mp3) 2 KB decoded to 26 ms, 3 KB to 74.
 */
export const MP3_SILENT_FRAMES = 4;

/**
 * Bytes from `audioStart` (an MP3 frame) to the end of the frames that give `ms` of audio
 * past the silent ones, each frame's length read from its own header (VBR frames differ);
 * null when `head` does not hold them all, or a frame header is not one.
 */
export function mp3FramesBytes(head: Uint8Array, audioStart: number, ms: number): number | null {
  let at = audioStart;
  let audioMs = 0;
  for (let frames = 0; frames < MP3_SILENT_FRAMES || audioMs < ms; frames++) {
    const frame = mpegHeader(head, at);
    if (!frame || at + frame.frameLength > head.length) return null;
    if (frames >= MP3_SILENT_FRAMES) audioMs += (frame.samples / frame.sampleRate) * 1000;
    at += frame.frameLength;
  }
  return at - audioStart;
}

/** Opus counts its samples at 48 kHz. */
const OPUS_PER_MS = 48;

/**
 * Bytes from `audioStart` (the first audio page of an Ogg Opus stream) to the end of the
 * first packets that last `ms`, page headers included; null when `head` does not hold them
 * whole or is no Ogg Opus (Ogg Vorbis and WebM come as 'opus' too, and their packets are not
 * Opus's). The decoder plays the packets of a page still arriving, so a chunk may end inside one.
 */
export function opusPacketsBytes(head: Uint8Array, audioStart: number, ms: number): number | null {
  const opus = opusHead(head);
  if (!opus) return null;
  const { preSkip, streams } = opus;
  // The pre-skip's samples are decoded and dropped: they are not audio to start on.
  const wanted = preSkip + ms * OPUS_PER_MS;
  let samples = 0;
  let page = audioStart;
  while (page + 27 <= head.length && startsWith(head.subarray(page), 'OggS')) {
    const segments = head[page + 26];
    let packet = page + 27 + segments;
    let length = 0;
    for (let k = 0; k < segments; k++) {
      const lacing = head[page + 27 + k];
      length += lacing;
      if (lacing === 255) continue;
      if (packet + length > head.length) return null;
      const duration = opusPacketSamples(head.subarray(packet, packet + length), streams);
      if (!duration) return null;
      samples += duration;
      packet += length;
      length = 0;
      if (samples >= wanted) return packet - audioStart;
    }
    // A packet continued on the next page is not counted: too rare at the start to be worth it.
    if (length) return null;
    page = packet;
  }
  return null;
}

/** What the OpusHead on the stream's first page says of its packets (RFC 7845 §5.1); null when there is none. */
function opusHead(head: Uint8Array): { preSkip: number; streams: number } | null {
  const page = id3Length(head);
  if (page + 27 > head.length || !startsWith(head.subarray(page), 'OggS')) return null;
  const at = page + 27 + head[page + 26];
  if (at + 21 > head.length || !startsWith(head.subarray(at), 'OpusHead')) return null;
  // Mapping family 0 is one stream; the others say how many each packet holds.
  const streams = head[at + 18] === 0 ? 1 : head[at + 19];
  return streams ? { preSkip: head[at + 10] | (head[at + 11] << 8), streams } : null;
}
