import { concatAudio, concatBytes, silence } from './audio';
import { adtsHeader } from './detect';
import { BadAudioError, type DecodedAudio, type DecoderStats, type StreamDecoder } from './types';

/** A format this runtime cannot decode: AAC where there is no WebCodecs (Node). */
export class UnsupportedFormatError extends Error {
  override readonly name = 'UnsupportedFormatError';
}

/** The few WebCodecs types used here, so this file type-checks without the DOM library. */
interface WebCodecsAudioData {
  numberOfFrames: number;
  numberOfChannels: number;
  sampleRate: number;
  copyTo(destination: Float32Array, options: { planeIndex: number; format: 'f32-planar' }): void;
  close(): void;
}
interface WebCodecsAudioDecoder {
  configure(config: { codec: string; sampleRate: number; numberOfChannels: number }): void;
  decode(chunk: unknown): void;
  flush(): Promise<void>;
  reset(): void;
  close(): void;
  readonly state: string;
}
interface WebCodecs {
  AudioDecoder: new (init: { output: (data: WebCodecsAudioData) => void; error: (e: Error) => void }) => WebCodecsAudioDecoder;
  EncodedAudioChunk: new (init: { type: 'key'; timestamp: number; data: Uint8Array }) => unknown;
}

/** True where WebCodecs can decode AAC (the renderer), false in Node. */
export function hasWebCodecs(): boolean {
  return typeof (globalThis as Partial<WebCodecs>).AudioDecoder === 'function';
}

/**
 * AAC in ADTS through WebCodecs: frames are cut from the stream here and handed over whole
 * (with no description, WebCodecs reads ADTS). Output arrives asynchronously, so a push
 * returns what has come out so far and flush() drains the rest.
 */
export class AacDecoder implements StreamDecoder {
  readonly format = 'aac' as const;
  readonly ready = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0 };
  private decoder: WebCodecsAudioDecoder | null = null;
  private pending: Uint8Array = new Uint8Array(0);
  private output: DecodedAudio[] = [];
  private failure: Error | null = null;
  private timestamp = 0;
  private freed = false;

  constructor() {
    if (!hasWebCodecs()) {
      throw new UnsupportedFormatError(
        'AAC needs WebCodecs, which this runtime lacks (Node has none; the app decodes AAC in its window). Choose another format.',
      );
    }
  }

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    if (this.freed) throw new Error('This aac decoder has been freed.');
    this.stats.bytesIn += bytes.length;
    this.pending = concatBytes(this.pending, bytes);
    this.decodeFrames();
    return this.take();
  }

  async flush(): Promise<DecodedAudio> {
    if (this.freed) throw new Error('This aac decoder has been freed.');
    this.decodeFrames();
    if (this.decoder && this.decoder.state === 'configured') await this.decoder.flush();
    this.pending = new Uint8Array(0);
    return this.take();
  }

  async reset(): Promise<void> {
    this.decoder?.close();
    this.decoder = null;
    this.pending = new Uint8Array(0);
    this.output = [];
    this.timestamp = 0;
  }

  free(): void {
    this.freed = true;
    this.decoder?.close();
    this.decoder = null;
  }

  private decodeFrames(): void {
    const codecs = globalThis as unknown as WebCodecs;
    let pos = 0;
    while (pos + 7 <= this.pending.length) {
      const header = adtsHeader(this.pending, pos);
      if (!header) {
        // Lost sync (spec E2): skip to the next sync word.
        pos = this.resync(pos + 1);
        continue;
      }
      if (pos + header.frameLength > this.pending.length) break;
      if (!this.decoder) {
        this.decoder = new codecs.AudioDecoder({
          output: (data) => this.collect(data),
          error: (error) => (this.failure = error),
        });
        // AAC object type = ADTS profile + 1 (LC: mp4a.40.2).
        this.decoder.configure({ codec: `mp4a.40.${header.profile + 1}`, sampleRate: header.sampleRate, numberOfChannels: header.channels });
      }
      const data = this.pending.slice(pos, pos + header.frameLength);
      this.decoder.decode(new codecs.EncodedAudioChunk({ type: 'key', timestamp: this.timestamp, data }));
      this.timestamp += (1024 / header.sampleRate) * 1e6;
      pos += header.frameLength;
    }
    this.pending = this.pending.slice(pos);
    if (this.failure) throw new BadAudioError(`The AAC stream could not be decoded: ${this.failure.message}`);
  }

  private resync(from: number): number {
    this.stats.skippedFrames++;
    for (let i = from; i + 1 < this.pending.length; i++) {
      if (this.pending[i] === 0xff && (this.pending[i + 1] & 0xf6) === 0xf0) return i;
    }
    return Math.max(from, this.pending.length - 1);
  }

  private collect(data: WebCodecsAudioData): void {
    const channelData = Array.from({ length: data.numberOfChannels }, (_, planeIndex) => {
      const plane = new Float32Array(data.numberOfFrames);
      data.copyTo(plane, { planeIndex, format: 'f32-planar' });
      return plane;
    });
    this.output.push({ channelData, samplesDecoded: data.numberOfFrames, sampleRate: data.sampleRate });
    this.stats.framesOut += data.numberOfFrames;
    data.close();
  }

  private take(): DecodedAudio {
    const blocks = this.output;
    this.output = [];
    return blocks.length ? concatAudio(blocks) : silence();
  }
}
