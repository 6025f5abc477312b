import { audioRuns, silence } from './audio';
import type { DecodedAudio, DecoderStats, StreamDecoder } from './types';
import type { AudioFormat } from '../audio-format';

/** What one WASM library returns from a decode call (and, from the MP3 decoder, the runs in other layouts after it). */
export interface LibraryAudio extends DecodedAudio {
  errors: unknown[];
}

/**
 * The shared discipline of the WASM decoders: calls never overlap, corrupt frames are counted (spec E2), and a freed decoder refuses work instead
 * of hanging (mpg123's decode() after free() never returns).
 */
export abstract class WasmStreamDecoder implements StreamDecoder {
  abstract readonly format: AudioFormat;
  abstract readonly ready: Promise<void>;
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private freed = false;

  protected abstract decodeBytes(bytes: Uint8Array): LibraryAudio | Promise<LibraryAudio>;
  /** Audio the library holds back until the end of the stream. */
  protected abstract flushLibrary(): Promise<LibraryAudio | null>;
  protected abstract resetLibrary(): Promise<void>;
  protected abstract freeLibrary(): void;
  /** Samples one frame the library reports as an error stood for. */
  protected abstract errorSamples(): number;

  /**
   * Fed at once, however small: each format's frame or page walker holds a partial frame and
   * calls the library only for whole ones, so a tiny push costs no library call, while
   * holding bytes here (a kilobyte is 250 ms of 32 kbit/s Opus) would delay first audio and
   * hide audio from the buffer level on a slow link.
   */
  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    await this.ready;
    // free() may have run while the WASM loaded; mpg123 would then spin forever.
    this.assertUsable();
    return this.account(await this.decodeBytes(bytes));
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    const tail = await this.flushLibrary();
    return tail ? this.account(tail) : silence();
  }

  async reset(): Promise<void> {
    this.assertUsable();
    await this.resetLibrary();
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    // The libraries throw a TypeError when freed before their WASM is loaded: wait for it.
    this.ready.then(
      () => this.freeLibrary(),
      () => undefined,
    );
  }

  private account(audio: LibraryAudio): DecodedAudio {
    this.stats.skippedFrames += audio.errors.length;
    this.stats.skippedSamples += audio.errors.length * this.errorSamples();
    for (const run of audioRuns(audio)) this.stats.framesOut += run.samplesDecoded;
    return { channelData: audio.channelData, samplesDecoded: audio.samplesDecoded, sampleRate: audio.sampleRate, followedBy: audio.followedBy };
  }

  private assertUsable(): void {
    if (this.freed) throw new Error(`This ${this.format} decoder has been freed.`);
  }
}
