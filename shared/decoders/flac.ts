import { chainAudio, concatBytes, FirstBytes, silence } from './audio';
import { FlacStream } from './flac-progressive';
import { isOggS } from './ogg-packets';
import { OggFlacRemux } from './ogg-flac';
import type { DecodedAudio, DecoderStats, StreamDecoder } from './types';

/**
 * FLAC in TypeScript, decoded as the bytes arrive: the first sound does not wait for a
 * whole frame (4096 samples, 170 ms at 24 kHz), and nothing is held back for flush().
 * Samples are integers divided by 2^(bits-1), as WAV readers and the pcm decoder do.
 * The sample rate is known from STREAMINFO on. Files joined in one body each play in their
 * own layout: "fLaC" and a STREAMINFO header start a new stream. FLAC in Ogg is unwrapped
 * to the native stream as it arrives (ogg-flac.ts).
 */
export class FlacDecoder implements StreamDecoder {
  readonly format = 'flac' as const;
  readonly ready: Promise<void> = Promise.resolve();
  readonly stats: DecoderStats = { bytesIn: 0, framesOut: 0, skippedFrames: 0, skippedSamples: 0 };
  private stream = new FlacStream(this.stats);
  /** Bytes given to the current stream; bytes held back because they may begin the next. */
  private streamBytes = 0;
  private held: Uint8Array = new Uint8Array(0);
  private freed = false;
  /** An earlier joined stream's mismatch with its STREAMINFO (silenceReason). */
  private mismatch: string | null = null;
  /** Ogg's pages unwrapped, once the first bytes are "OggS"; null until told (or native). */
  private ogg: OggFlacRemux | null = null;
  private readonly magic = new FirstBytes();

  async push(bytes: Uint8Array): Promise<DecodedAudio> {
    // After the await like the WASM decoders, so a push pending when free() runs is refused too.
    await this.ready;
    this.assertUsable();
    this.stats.bytesIn += bytes.length;
    return this.decodeNative(this.toNative(bytes));
  }

  codecName(): string {
    return this.ogg ? 'Ogg FLAC' : 'FLAC';
  }

  /** Native FLAC as it came, or Ogg FLAC unwrapped; the first bytes are held until they tell which. */
  private toNative(bytes: Uint8Array): Uint8Array {
    if (this.ogg) return this.ogg.push(bytes);
    if (this.magic.told) return bytes;
    const first = this.magic.take(bytes);
    if (!first || !isOggS(first, 0)) return first ?? new Uint8Array(0);
    this.ogg = new OggFlacRemux();
    return this.ogg.push(first);
  }

  private decodeNative(bytes: Uint8Array): DecodedAudio {
    const out: DecodedAudio[] = [];
    let rest = concatBytes(this.held, bytes);
    this.held = new Uint8Array(0);
    for (;;) {
      // The stream's own "fLaC" is not the next one's.
      const next = nextStreamAt(rest, this.streamBytes === 0 ? 1 : 0);
      const end = next >= 0 ? next : maybeNextStreamFrom(rest);
      this.stream.push(rest.subarray(0, end));
      this.streamBytes += end;
      out.push(this.take());
      if (next < 0) {
        this.held = rest.slice(end);
        break;
      }
      // Another file joined on (a server that sends a file per sentence): it has its own STREAMINFO.
      this.stream.end();
      out.push(this.take());
      this.mismatch ??= this.stream.mismatch;
      this.stream = new FlacStream(this.stats);
      this.streamBytes = 0;
      rest = rest.subarray(next);
    }
    return chainAudio(out);
  }

  async flush(): Promise<DecodedAudio> {
    this.assertUsable();
    // A body shorter than "OggS" is native FLAC's to refuse.
    const short = this.magic.end();
    const early = short.length ? this.decodeNative(short) : null;
    if (this.ogg?.lostAtEnd) {
      // A page cut off by the end: no later frame number shows its loss.
      this.stats.skippedFrames += 1;
      this.stats.skippedSamples += this.ogg.samplesPerPage();
    }
    // Bytes held back in case another stream began there belong to this one.
    this.stream.push(this.held);
    this.held = new Uint8Array(0);
    const last = this.take();
    this.stream.end();
    return chainAudio([...(early ? [early] : []), last, this.take()]);
  }

  silenceReason(): string | null {
    return this.stream.mismatch ?? this.mismatch;
  }

  async reset(): Promise<void> {
    this.assertUsable();
    this.stream = new FlacStream(this.stats);
    this.streamBytes = 0;
    this.held = new Uint8Array(0);
    this.ogg = null;
    this.magic.reset();
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

/** "fLaC" and the header of a 34-byte STREAMINFO block: where a FLAC file starts. */
const STREAM_START = [0x66, 0x4c, 0x61, 0x43, -1, 0x00, 0x00, 0x22];

function startsStreamAt(bytes: Uint8Array, at: number, length = STREAM_START.length): boolean {
  for (let k = 0; k < length; k++) {
    const want = STREAM_START[k];
    const got = bytes[at + k];
    if (want >= 0 ? got !== want : (got & 0x7f) !== 0) return false;
  }
  return true;
}

/** Where another FLAC stream starts in `bytes`, searching from `from`, or -1. */
function nextStreamAt(bytes: Uint8Array, from: number): number {
  for (let at = bytes.indexOf(0x66, from); at >= 0 && at + STREAM_START.length <= bytes.length; at = bytes.indexOf(0x66, at + 1)) {
    if (startsStreamAt(bytes, at)) return at;
  }
  return -1;
}

/** Where the bytes at the end could begin a stream that the next push completes; else their length. */
function maybeNextStreamFrom(bytes: Uint8Array): number {
  for (let at = Math.max(0, bytes.length - STREAM_START.length + 1); at < bytes.length; at++) {
    if (startsStreamAt(bytes, at, bytes.length - at)) return at;
  }
  return bytes.length;
}
