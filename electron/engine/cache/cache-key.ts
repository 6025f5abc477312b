import { createHash } from 'node:crypto';
import type { AudioFormat } from '../../../shared/audio-format';

/** Everything that makes a server say a segment one way rather than another. */
export interface CacheKeyParts {
  provider: string;
  /** The origin of the server asked (its path is the API's, not the voice's). */
  origin: string;
  model: string;
  voice: string;
  speed: number;
  instructions: string;
  format: AudioFormat;
  text: string;
}

/** The segment's text as its audio depends on it: NFC, runs of white space as one space. */
export function normalizeSegmentText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** The content address of one segment's audio: a SHA-256 over its parts, hex. */
export function cacheKey(parts: CacheKeyParts): string {
  const fields = [parts.provider, parts.origin, parts.model, parts.voice, String(parts.speed), parts.instructions, parts.format, normalizeSegmentText(parts.text)];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** The origin of a base URL, or the URL as it is when it is not one. */
export function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}
