import type { AudioFormat } from '../audio-format';
import { createDecoder } from './index';
import type { DecoderOptions, StreamDecoder } from './types';

/**
 * One ready decoder of each WASM format, made while nothing waits for it. A segment's
 * decoder is made when its first bytes are in (they say the format), so making an mpg123
 * or libopus instance there, several milliseconds, came before the first audio.
 * The other formats cost nothing to make.
 */
const SPARED: ReadonlySet<AudioFormat> = new Set(['mp3', 'opus']);
const spares = new Map<AudioFormat, StreamDecoder>();

/** A decoder for a new stream: the spare when there is one (it has never been fed), else a new one. */
export function takeDecoder(format: AudioFormat, options: DecoderOptions = {}): StreamDecoder {
  const spare = spares.get(format);
  if (!spare) return createDecoder(format, options);
  spares.delete(format);
  return spare;
}

/** Makes a spare of `format`, when it is worth one and there is none. */
export function makeSpare(format: AudioFormat): void {
  if (SPARED.has(format) && !spares.has(format)) spares.set(format, createDecoder(format));
}

/** Whether a spare of `format` is waiting (for tests). */
export function hasSpare(format: AudioFormat): boolean {
  return spares.has(format);
}
