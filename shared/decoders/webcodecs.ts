// The few WebCodecs types the AAC decoder uses (https://www.w3.org/TR/webcodecs/), declared
// here so shared/ type-checks without the DOM library (Node has no WebCodecs at all).

/** An AudioData as the decoder hands it out; it must be closed. */
export interface WcAudioData {
  readonly format: string | null;
  readonly numberOfFrames: number;
  readonly numberOfChannels: number;
  readonly sampleRate: number;
  copyTo(destination: ArrayBufferView, options: { planeIndex: number; format?: string; frameOffset?: number }): void;
  close(): void;
}

/** AudioDecoderConfig; for AAC, a `description` means raw frames, none means ADTS. */
export interface WcAudioDecoderConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  description?: Uint8Array;
}

/** An AudioDecoder: output and errors arrive on callbacks, asynchronously. */
export interface WcAudioDecoder {
  readonly state: 'unconfigured' | 'configured' | 'closed';
  readonly decodeQueueSize: number;
  configure(config: WcAudioDecoderConfig): void;
  decode(chunk: unknown): void;
  flush(): Promise<void>;
  reset(): void;
  close(): void;
}

/** The WebCodecs constructors on globalThis. */
export interface WebCodecs {
  AudioDecoder: {
    new (init: { output: (data: WcAudioData) => void; error: (error: Error) => void }): WcAudioDecoder;
    isConfigSupported(config: WcAudioDecoderConfig): Promise<{ supported?: boolean }>;
  };
  EncodedAudioChunk: new (init: { type: 'key' | 'delta'; timestamp: number; duration?: number; data: Uint8Array }) => unknown;
}

/** WebCodecs where the runtime has it (a window or worker in Chromium), else null (Node). */
export function webCodecs(): WebCodecs | null {
  const g = globalThis as Partial<WebCodecs>;
  return typeof g.AudioDecoder === 'function' && typeof g.EncodedAudioChunk === 'function' ? (g as WebCodecs) : null;
}

/** Copies one AudioData out as planar Float32, converting where the browser cannot. */
export function audioDataToPlanar(data: WcAudioData): Float32Array[] {
  const frames = data.numberOfFrames;
  const channels = data.numberOfChannels;
  try {
    // The spec requires every AudioData to convert to f32-planar.
    return Array.from({ length: channels }, (_, planeIndex) => {
      const plane = new Float32Array(frames);
      data.copyTo(plane, { planeIndex, format: 'f32-planar' });
      return plane;
    });
  } catch (error) {
    // Older engines copy only in the native format: deinterleave f32 or s16 here.
    const out = Array.from({ length: channels }, () => new Float32Array(frames));
    if (data.format === 'f32' || data.format === 's16') {
      const interleaved = data.format === 'f32' ? new Float32Array(frames * channels) : new Int16Array(frames * channels);
      data.copyTo(interleaved, { planeIndex: 0 });
      const scale = data.format === 'f32' ? 1 : 1 / 32768;
      for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out[c][f] = interleaved[f * channels + c] * scale;
      return out;
    }
    throw error;
  }
}
