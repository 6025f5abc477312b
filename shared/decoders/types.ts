import type { AudioFormat } from '../audio-format';

/**
 * Decoded audio: one Float32Array per channel, all `samplesDecoded` long. Beyond stereo the
 * channels are in WAV order (front left, front right, centre, LFE, back, side), whatever
 * order the format stores them in.
 */
export interface DecodedAudio {
  channelData: Float32Array[];
  samplesDecoded: number;
  /** 0 only when samplesDecoded is 0 and the decoder has not seen a header yet. */
  sampleRate: number;
  /**
   * Audio that came after this in the same call at another rate or channel count (files of
   * different layouts joined in one body), to be played after it, in order.
   */
  followedBy?: DecodedAudio;
}

/** Running counts a decoder keeps for the metrics (spec E2, M5). */
export interface DecoderStats {
  bytesIn: number;
  framesOut: number;
  /** Corrupt frames skipped so far (spec E2). */
  skippedFrames: number;
  /**
   * How long the skipped audio was, in samples at the stream's own rate: exact where the
   * format numbers its frames or pages (FLAC, Ogg), from frame sizes elsewhere (MP3, AAC).
   */
  skippedSamples: number;
}

/**
 * One streaming decoder for one format. The same code runs in Node and in a Web Worker.
 * Calls must not overlap: await each before the next.
 */
export interface StreamDecoder {
  readonly format: AudioFormat;
  /** Resolves when the decoder (its WASM) is ready. */
  readonly ready: Promise<void>;
  /** Feed any number of bytes (down to 1); returns the audio they completed, possibly none. */
  push(bytes: Uint8Array): Promise<DecodedAudio>;
  /** End of stream: returns the audio still held back (opus and flac hold back the tail). */
  flush(): Promise<DecodedAudio>;
  /** Forget the current stream and get ready for a new one. */
  reset(): Promise<void>;
  /** Release the WASM memory. The decoder is unusable afterwards. */
  free(): void;
  readonly stats: DecoderStats;
  /** Why bytes it skipped made no sound, when the format can tell more than "damaged". */
  silenceReason?(): string | null;
  /** What the stream turned out to carry, where one decoder reads more than one codec ("Ogg Vorbis"). */
  codecName?(): string;
}

/** Options the caller knows and the bytes may not say. */
export interface DecoderOptions {
  /** Raw PCM has no header: its rate comes from the server's content type or a setting. */
  pcmSampleRate?: number;
  pcmChannels?: number;
  /** Raw PCM labelled big-endian (`audio/L16`): see L16Decoder. */
  pcmBigEndian?: boolean;
}

/** Bytes that are not audio of the expected kind at all (spec E4): a clear, typed failure. */
export class BadAudioError extends Error {
  override readonly name = 'BadAudioError';
}

/** What the first bytes of a stream say about it. */
export interface ProbeResult {
  format: AudioFormat;
  /** Known from the header where the format has one in its first bytes. */
  sampleRate?: number;
  channels?: number;
  /**
   * The stream cannot be decoded as it arrives (an MP4/M4A whose index may come last): it
   * is collected whole and decoded by the browser (spec F4, E4).
   */
  wholeFile?: boolean;
  /** Raw PCM labelled `audio/L16`: big-endian (RFC 2586) unless its samples say otherwise. */
  bigEndian?: boolean;
}
