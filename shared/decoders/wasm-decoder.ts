import { concatAudio, concatBytes, silence } from './audio';
import type { DecodedAudio, DecoderStats, StreamDecoder } from './types';
import type { AudioFormat } from '../audio-format';

/** What one WASM library returns from a decode call. */
export interface LibraryAudio {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: unknown[];
}

/** WASM decoders lose most of their speed on tiny calls: feed them at least this much. */
const MIN_FEED = 1024;

/**
 * The shared discipline of the WASM decoders: small pushes are coalesced, calls never
 * overlap, corrupt frames are counted (spec E2), and a freed decoder refuses work instead
 * of hanging (mpg123's decode() after free() never returns).
 */
export abstract class WasmStreamDecoder implements StreamDecoder {
  abstract readonly format: AudioFormat;
  abstract readonly ready: Promise<void>;
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private pending: Uint8Array = new Uint8Array(0);
  private freed = false;

  protected abstract decodeBytes(bytes: Uint8Array): LibraryAudio | Promise<LibraryAudio>;
  /** Audio the library holds back until the end of the stream. */
  protected abstract flushLibrary(): Promise<LibraryAudio | null>;
  protected abstract resetLibrary(): Promise<void>;
  protected abstract freeLibrary(): void;
  /** Samples one frame the library reports as an error stood for. */
  protected abstract errorSamples(): number;

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    this.pending = concatBytes(this.pending, bytes);
    if (this.pending.length >= MIN_FEED) return this.feed();
    // Held back: copy, the caller may reuse its buffer.
    if (this.pending === bytes) this.pending = bytes.slice();
    return silence();
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    const blocks = [this.pending.length ? await this.feed() : silence()];
    const tail = await this.flushLibrary();
    if (tail) blocks.push(this.account(tail));
    return concatAudio(blocks);
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.pending = new Uint8Array(0);
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

  private async feed(): Promise<DecodedAudio> {
    // The libraries copy the bytes into WASM memory at once, so no copy is needed here.
    const bytes = this.pending;
    this.pending = new Uint8Array(0);
    await this.ready;
    // free() may have run while the WASM loaded; mpg123 would then spin forever.
    this.assertUsable();
    return this.account(await this.decodeBytes(bytes));
  }

  private account(audio: LibraryAudio): DecodedAudio {
    this.stats.skippedFrames += audio.errors.length;
    this.stats.skippedSamples += audio.errors.length * this.errorSamples();
    this.stats.framesOut += audio.samplesDecoded;
    return { channelData: audio.channelData, samplesDecoded: audio.samplesDecoded, sampleRate: audio.sampleRate };
  }

  private assertUsable(): void {
    if (this.freed) throw new Error(`This ${this.format} decoder has been freed.`);
  }
}
