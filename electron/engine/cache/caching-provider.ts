import type { Settings } from '../../../shared/config/schema';
import type { ProbeResult } from '../../../shared/decoders/types';
import { concatBytes } from '../../../shared/decoders/audio';
import { SpeechError } from '../errors';
import type { SpeechAudio, SpeechProvider, SpeechRequest } from '../provider';
import { MAX_ENTRY_BYTES, type AudioCache } from './audio-cache';
import { cacheKey, originOf } from './cache-key';
import { decodesToTheEnd } from './verify-audio';

/** Bytes handed to the engine per read when a segment plays from the cache. */
const CACHED_CHUNK = 64 * 1024;

/**
 * The provider with the local cache in front (spec X4): a segment heard whole before is
 * answered from the cache with no request, so replaying, re-reading and jumping back cost
 * nothing and work offline; any other is fetched, and kept once the engine found it whole
 * and it decoded to its end. The embedded voice is cheap to redo and is not cached.
 */
export function withCache(provider: SpeechProvider, cache: AudioCache | undefined, settings: Settings, warn: (message: string) => void = () => {}): SpeechProvider {
  if (!cache || provider.id === 'local') return provider;
  const keyOf = (request: SpeechRequest): string =>
    cacheKey({
      provider: provider.id,
      origin: originOf(provider.endpoints[request.endpointIndex] ?? ''),
      model: settings.model,
      voice: settings.voice,
      speed: settings.speed,
      instructions: settings.instructions,
      format: request.format ?? settings.format,
      text: request.text,
    });
  // Segments being checked and written: closing waits for them, so a CLI run that ends keeps them.
  const writing = new Set<Promise<void>>();
  return {
    id: provider.id,
    endpoints: provider.endpoints,
    maxInputChars: provider.maxInputChars,
    voices: (signal, onUnread) => provider.voices(signal, onUnread),
    close: async () => {
      await Promise.allSettled(writing);
      await provider.close();
    },
    async open(request) {
      if (!cache.enabled) return provider.open(request);
      const key = keyOf(request);
      const hit = await cache.get(key).catch(() => null);
      if (request.signal.aborted) throw new SpeechError('cancelled', 'Stopped.');
      if (hit) return { body: bytesStream(hit.bytes), contentType: hit.contentType, declared: hit.declared, fromCache: true };
      return recorded(await provider.open(request), (bytes, probe, contentType) => {
        const write = decodesToTheEnd(bytes, probe)
          .then((whole) => (whole ? cache.put(key, { bytes, contentType, declared: probe }) : undefined))
          .catch((error: Error) => warn(`the audio cache could not keep a segment: ${error.message}`))
          .finally(() => writing.delete(write));
        writing.add(write);
      });
    },
  };
}

/** A body that hands out `bytes` as the engine pulls. */
function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + CACHED_CHUNK));
        offset += CACHED_CHUNK;
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The fetched audio with its body copied as the engine reads it (the engine's pace is still
 * the backpressure). When the engine calls it complete, and the body ended, `keep` gets it.
 */
function recorded(audio: SpeechAudio, keep: (bytes: Uint8Array, probe: ProbeResult, contentType: string | null) => void): SpeechAudio {
  const reader = audio.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          return controller.close();
        }
        size += value.length;
        if (size <= MAX_ENTRY_BYTES) parts.push(value.slice());
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return {
    ...audio,
    body,
    complete(probe) {
      if (ended && size > 0 && size <= MAX_ENTRY_BYTES) keep(concatBytes(...parts), probeOf(probe), audio.contentType);
      parts.length = 0;
    },
  };
}

/** Only what the bytes were found to be (the engine's probe carries more). */
function probeOf({ format, sampleRate, channels }: ProbeResult): ProbeResult {
  return { format, ...(sampleRate ? { sampleRate } : {}), ...(channels ? { channels } : {}) };
}
