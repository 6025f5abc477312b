import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkSizer, FIRST_CHUNK_AUDIO_BYTES, FIRST_CHUNK_AUDIO_MS, FIRST_CHUNK_BYTES, firstChunkBytes } from '../../electron/engine/chunk-size';
import { headerLength } from '../../electron/engine/header-length';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { Utterance } from '../../electron/engine/utterance';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { createDecoder, probeFormat } from '../../shared/decoders';
import type { ProbeResult } from '../../shared/decoders/types';
import { MIN_PREROLL_MS } from '../../shared/playback/player-core';
import type { EngineEvent } from '../../shared/speech-events';
import { FIXTURES } from '../support/audio-files';
import { prng } from '../decoders/helpers';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * The player starts once it holds the least pre-roll. A first chunk that is mostly headers
 * (Opus's first KB held 14 ms of audio) makes it wait for the second chunk's trip and
 * decode, so a segment's first chunk is sized past its headers.
 */
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

function probeOf(name: string, bytes: Uint8Array): ProbeResult & { head: Uint8Array } {
  const head = bytes.subarray(0, 4096);
  if (name.endsWith('.pcm')) return { format: 'pcm', sampleRate: 24000, channels: 1, head };
  const probe = probeFormat(head);
  if (!probe || probe === 'need-more') throw new Error(`${name}: not recognised`);
  return { ...probe, head };
}

/** Milliseconds of audio a fresh decoder gives back for `bytes`, without a flush. */
async function decodedMs(probe: ProbeResult, bytes: Uint8Array): Promise<number> {
  const decoder = createDecoder(probe.format, { pcmSampleRate: probe.sampleRate });
  await decoder.ready;
  const out = await decoder.push(bytes);
  return out.sampleRate ? (out.samplesDecoded / out.sampleRate) * 1000 : 0;
}

// Real encoders' output (tests/fixtures/make.sh): lame (64 kbit/s, 160 as OpenAI sends, and VBR),
// ffmpeg (with an ID3 tag), opusenc (20 ms and 1 s pages, mono and stereo), ffmpeg's Opus and Vorbis, flac without padding, sox's and ffmpeg's WAV and
// AIFF variants. AAC is left out only because Node has no WebCodecs to decode it.
const ENCODED = [
  'sentence-24k.pcm', 'sentence-24k.wav', 'speech-44k.wav', 'speech-float.wav', 'speech-rifx.wav', 'speech-rf64.wav',
  'speech-list.wav', 'speech-mulaw.wav', 'speech-adpcm.wav', 'speech.aiff', 'speech-ima4.aiff',
  'sentence.mp3', 'sentence-ffmpeg.mp3', 'speech-vbr.mp3', 'speech-stereo.mp3', 'tones-stereo.mp3', 'speech.160k.mp3',
  'sentence.opus', 'speech-stereo.opus', 'speech-bigpages.opus', 'speech-ffmpeg.opus', 'speech-vorbis.ogg', 'sentence.nopad.flac', 'speech-stereo-flac.oga',
];

describe("a segment's first chunk", () => {
  it.each(ENCODED)('%s: holds the least pre-roll of audio past its headers', async (name) => {
    const bytes = bytesOf(name);
    const probe = probeOf(name, bytes);
    const first = firstChunkBytes(probe);
    expect(await decodedMs(probe, bytes.subarray(0, first))).toBeGreaterThanOrEqual(MIN_PREROLL_MS);
  });

  it('ends its headers where the audio begins, by each container\'s own marks', () => {
    // Opus: the next page is the first with a granule position, past OpusHead and OpusTags.
    for (const name of ['sentence.opus', 'speech-stereo.opus', 'speech-bigpages.opus']) {
      const bytes = bytesOf(name);
      const at = headerLength(bytes.subarray(0, 4096));
      expect(new TextDecoder().decode(bytes.subarray(at, at + 4))).toBe('OggS');
      expect(bytes.subarray(at + 6, at + 14).some((b) => b !== 0)).toBe(true);
      expect(new TextDecoder().decode(bytes.subarray(0, at))).toContain('OpusTags');
    }
    // FLAC: a frame's sync code follows the metadata, padding and all.
    for (const name of ['sentence.nopad.flac', 'sentence.flac']) {
      const bytes = bytesOf(name);
      const at = headerLength(bytes);
      expect([bytes[at], bytes[at + 1] & 0xfe]).toEqual([0xff, 0xf8]);
    }
    // WAV: the samples of the "data" chunk, past a LIST chunk; an ID3 tag before MP3 frames.
    const wav = bytesOf('speech-list.wav');
    expect(headerLength(wav)).toBe(wav.findIndex((_, i) => new TextDecoder().decode(wav.subarray(i, i + 4)) === 'data') + 8);
    const mp3 = bytesOf('sentence-ffmpeg.mp3');
    const tagged = headerLength(mp3);
    expect(new TextDecoder().decode(mp3.subarray(0, 3))).toBe('ID3');
    expect([mp3[tagged], mp3[tagged + 1] & 0xe0]).toEqual([0xff, 0xe0]);
    expect(headerLength(bytesOf('sentence.mp3'))).toBe(0);
    expect(headerLength(bytesOf('sentence-24k.pcm'))).toBe(0);
  });

  // Ogg Opus by its packets, past the pre-skip (2 KB of mono Opus was 354 ms, all decoded before
  // any of it reached the ring); MP3 by its frames, each by its own header as VBR's differ, past
  // the silent ones (2 KB of 64 kbit/s mp3 was 170 ms). Their last packet or frame may overshoot.
  it.each([
    ...['sentence.opus', 'speech-stereo.opus', 'speech-bigpages.opus', 'speech-ffmpeg.opus', 'tones-two-streams.opus'].map((name) => [name, 20] as const),
    ...['sentence.mp3', 'sentence-ffmpeg.mp3', 'speech-vbr.mp3', 'speech.160k.mp3'].map((name) => [name, 40] as const),
  ])('%s: is sized in its own packets or frames to the least audio, within %i ms more', async (name, slackMs) => {
    const bytes = bytesOf(name);
    const probe = probeOf(name, bytes);
    const ms = await decodedMs(probe, bytes.subarray(0, firstChunkBytes(probe)));
    expect(ms).toBeGreaterThanOrEqual(FIRST_CHUNK_AUDIO_MS);
    expect(ms).toBeLessThanOrEqual(FIRST_CHUNK_AUDIO_MS + slackMs);
  });

  it('sizes what only looks like Ogg Opus as before (Vorbis, WebM), and hostile packets and frames as a size', () => {
    for (const name of ['speech-vorbis.ogg', 'speech-opus.webm']) {
      const bytes = bytesOf(name);
      const probe = probeOf(name, bytes);
      expect(firstChunkBytes(probe)).toBe(headerLength(probe.head) + FIRST_CHUNK_AUDIO_BYTES);
    }
    // An OpusHead, then pages of random lacing and packets: any answer is a whole number of bytes.
    const opus = bytesOf('sentence.opus');
    const header = headerLength(opus.subarray(0, 4096));
    const random = prng(5);
    for (let i = 0; i < 5000; i++) {
      const tail = Uint8Array.from({ length: Math.floor(random() * 3000) }, () => Math.floor(random() * 256));
      if (tail.length >= 27 && random() < 0.8) tail.set([0x4f, 0x67, 0x67, 0x53]);
      const head = new Uint8Array([...opus.subarray(0, header), ...tail]);
      const first = firstChunkBytes({ format: 'opus', head });
      expect(Number.isInteger(first) && first >= header).toBe(true);
      // MP3 frame headers, each followed by random bytes, or not.
      for (let at = 0; at + 4 <= tail.length; at += 1 + Math.floor(random() * 400)) tail.set([0xff, 0xe2 | Math.floor(random() * 30)], at);
      const frames = firstChunkBytes({ format: 'mp3', head: tail });
      expect(Number.isInteger(frames) && frames >= 0).toBe(true);
    }
  });

  it('reads hostile headers as a size and nothing more: never negative, never slow', () => {
    const random = prng(12);
    const magics = ['OggS', 'fLaC', 'RIFF', 'RIFX', 'RF64', 'FORM', 'ID3\x03\x00\x00', ''];
    const started = performance.now();
    for (let i = 0; i < 20000; i++) {
      const magic = magics[i % magics.length];
      const bytes = new Uint8Array(Math.floor(random() * 300));
      for (let k = 0; k < bytes.length; k++) bytes[k] = random() < 0.3 ? 0 : Math.floor(random() * 256);
      for (let k = 0; k < Math.min(magic.length, bytes.length); k++) bytes[k] = magic.charCodeAt(k);
      const length = headerLength(bytes);
      expect(Number.isInteger(length) && length >= 0).toBe(true);
    }
    // Page after empty page with granule 0: each step moves on by at least a page header.
    const emptyPages = new Uint8Array(27 * 1000);
    for (let at = 0; at < emptyPages.length; at += 27) emptyPages.set([0x4f, 0x67, 0x67, 0x53], at);
    expect(headerLength(emptyPages)).toBe(emptyPages.length);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('is that size from the sizer, within the setting, and the next segment is sized afresh', () => {
    const sizer = new ChunkSizer(4096);
    sizer.restart(2889);
    expect(sizer.size).toBe(2889);
    sizer.emitted(2889);
    sizer.restart(9000);
    expect(sizer.size).toBe(4096);
    sizer.restart();
    expect(sizer.size).toBe(FIRST_CHUNK_BYTES);
  });
});

describe('the engine sends the first chunk so sized', () => {
  let tts: TtsServer;
  beforeAll(async () => {
    tts = await startTtsServer({ realtimeFactor: 20 });
  });
  afterAll(() => tts.close());

  it.each(['opus', 'pcm'] as const)('%s over HTTP: the first chunk plays the least pre-roll on its own', async (format) => {
    const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [tts.url], format, maxRetries: 0 };
    const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
    const chunks: Uint8Array[] = [];
    const utterance = new Utterance('Hello from Utter.', { provider, settings, flowControl: false }, (event: EngineEvent) => {
      if (event.type === 'chunk' && event.segmentIndex === 0) chunks.push(event.bytes);
    });
    await utterance.done;
    await provider.close();
    const probe: ProbeResult = format === 'pcm' ? { format, sampleRate: 24000, channels: 1 } : { format };
    expect(chunks.length).toBeGreaterThan(1);
    expect(await decodedMs(probe, chunks[0])).toBeGreaterThanOrEqual(MIN_PREROLL_MS);
  });
});
