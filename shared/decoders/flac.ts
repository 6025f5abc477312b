import { silence } from './audio';
import { FlacStream } from './flac-progressive';
import type { DecodedAudio, DecoderStats, StreamDecoder } from './types';

/**
 * FLAC in TypeScript, decoded as the bytes arrive: the first sound does not wait for a
 * whole frame (4096 samples, 170 ms at 24 kHz), and nothing is held back for flush().
 * Samples are integers divided by 2^(bits-1), as WAV readers and the pcm decoder do.
 * The sample rate is known from STREAMINFO on.
 */
export class FlacDecoder implements StreamDecoder {
  readonly format = 'flac' as const;
  readonly ready: Promise<void> = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private stream = new FlacStream(this.stats);
  private freed = false;

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    // After the await like the WASM decoders, so a push pending when free() runs is refused too.
    await this.ready;
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    this.stream.push(bytes);
    return this.take();
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    this.stream.end();
    return this.take();
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.stream = new FlacStream(this.stats);
  }

  free(): void {
    this.freed = true;
  }

  private take(): DecodedAudio {
    const { channels, length } = this.stream.take();
    const sampleRate = this.stream.sampleRate;
    if (length === 0) return silence(sampleRate, Math.max(1, this.stream.channels));
    const scale = 1 / 2 ** (this.stream.bitsPerSample - 1);
    const channelData = channels.map((ints) => {
      const floats = new Float32Array(length);
      for (let i = 0; i < length; i++) floats[i] = ints[i] * scale;
      return floats;
    });
    this.stats.framesOut += length;
    return { channelData, samplesDecoded: length, sampleRate };
  }

  private assertUsable(): void {
    if (this.freed) throw new Error('This flac decoder has been freed.');
  }
}
