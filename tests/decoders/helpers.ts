// Feeding decoders in the decoder tests: seeded random chunkings and whole-stream decodes.
import type { StreamDecoder } from '../../shared/decoders/types';
import type { PlanarAudio } from '../support/wav-file';

/** A seeded PRNG (mulberry32), so random chunkings repeat run after run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes into chunks of 1..maxChunk bytes: mostly small, down to 1 byte, some large. */
export function randomChunks(bytes: Uint8Array, seed: number, maxChunk: number): Uint8Array[] {
  const random = prng(seed);
  const chunks: Uint8Array[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const size = 1 + Math.floor(random() ** 3 * maxChunk);
    chunks.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

/** Fixed-size chunks. */
export function fixedChunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let pos = 0; pos < bytes.length; pos += size) chunks.push(bytes.subarray(pos, pos + size));
  return chunks;
}

/** What a whole stream decoded to, and when its first audio came out. */
export interface Decoded extends PlanarAudio {
  /** Input bytes pushed when the first sample came out; -1 if only flush() gave audio. */
  firstAudioAtByte: number;
  /** Samples that only flush() gave. */
  flushed: number;
}

/**
 * Pushes the chunks one by one, then flushes; joins the output. Every chunk goes through
 * one buffer that is scribbled over after each push, as a reader that reuses its buffer
 * would: a decoder that keeps bytes must copy them.
 */
export async function decodeChunks(decoder: StreamDecoder, chunks: Uint8Array[]): Promise<Decoded> {
  await decoder.ready;
  const parts: Float32Array[][] = [];
  const scratch = new Uint8Array(chunks.reduce((n, c) => Math.max(n, c.length), 1));
  let sampleRate = 0;
  let bytes = 0;
  let firstAudioAtByte = -1;
  for (const chunk of chunks) {
    bytes += chunk.length;
    scratch.set(chunk);
    const audio = await decoder.push(scratch.subarray(0, chunk.length));
    scratch.fill(0xa5);
    if (audio.samplesDecoded) {
      if (firstAudioAtByte < 0) firstAudioAtByte = bytes;
      parts.push(audio.channelData.map((c) => c.subarray(0, audio.samplesDecoded)));
      sampleRate = audio.sampleRate;
    }
  }
  const tail = await decoder.flush();
  if (tail.samplesDecoded) {
    parts.push(tail.channelData.map((c) => c.subarray(0, tail.samplesDecoded)));
    sampleRate = tail.sampleRate;
  }
  return { channels: join(parts), sampleRate, firstAudioAtByte, flushed: tail.samplesDecoded };
}

/** Blocks of planar audio (one array per channel each) as one array per channel. */
export function join(parts: Float32Array[][]): Float32Array[] {
  const count = parts[0]?.length ?? 1;
  return Array.from({ length: count }, (_, c) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p[c].length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p[c], offset);
      offset += p[c].length;
    }
    return out;
  });
}

/** A copy of `bytes` with `count` bytes of fixed noise written at `at` (spec E2 tests). */
export function damage(bytes: Uint8Array, at: number, count: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < count; i++) out[at + i] = (i * 97 + 13) & 0xff;
  return out;
}

/** Where each Ogg page of `bytes` starts. */
export function pageStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  for (let p = 0; p + 27 <= bytes.length; ) {
    starts.push(p);
    const segments = bytes[p + 26];
    p += 27 + segments + bytes.subarray(p + 27, p + 27 + segments).reduce((a, b) => a + b, 0);
  }
  return starts;
}

/** Text a misconfigured server sends with status 200. */
export const NOT_AUDIO = {
  html: new TextEncoder().encode(
    '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>\n'.repeat(4),
  ),
  json: new TextEncoder().encode(
    JSON.stringify({ error: { message: 'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, null, 2),
  ),
};
