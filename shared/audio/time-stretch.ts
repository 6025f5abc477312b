// Time-stretching for the playback rate: Sonic (a speech-grade pitch-synchronous stretcher,
// compiled to WASM) changes the tempo and keeps the pitch. Pure JS + WASM: runs in the
// decoder worker and in Node tests alike.
import Sonic from '@echogarden/sonic-wasm';
import { rateProblem } from '../playback-rate';

export { MAX_RATE, MIN_RATE, rateProblem } from '../playback-rate';

/** The part of the Emscripten module the stretcher uses. */
export interface SonicModule {
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _sonicCreateStream(sampleRate: number, channels: number): number;
  _sonicDestroyStream(stream: number): void;
  _sonicSetSpeed(stream: number, speed: number): void;
  _sonicWriteFloatToStream(stream: number, samples: number, frames: number): number;
  _sonicReadFloatFromStream(stream: number, samples: number, maxFrames: number): number;
  _sonicFlushStream(stream: number): number;
  _sonicSamplesAvailable(stream: number): number;
}

let loading: Promise<SonicModule> | null = null;

/**
 * Loads Sonic once. The worker passes where its WASM file was bundled (`wasmUrl`); Node
 * finds it beside sonic.js.
 */
export function loadSonic(wasmUrl?: string): Promise<SonicModule> {
  loading ??= Sonic(wasmUrl ? { locateFile: () => wasmUrl } : {}) as Promise<SonicModule>;
  return loading;
}

/** Frames moved through the WASM heap per call: bounds the buffers, whatever the block size. */
const STEP_FRAMES = 4096;

/**
 * One stream of interleaved frames stretched by `rate` (2 plays twice as fast, at the same
 * pitch). At rate 1 with nothing held it hands its input back untouched: bit-exact and
 * without Sonic's latency. Sonic holds some input back (tens of ms) until it has a pitch
 * period's worth: `flush()` gives it all back, at a sentence's end or the stream's.
 */
export class TimeStretcher {
  private readonly stream: number;
  private readonly inPointer: number;
  private readonly outPointer: number;
  private current = 1;
  /** Played frames written in minus played frames read out: what Sonic holds, in played time. */
  private heldPlayed = 0;
  private freed = false;

  constructor(
    private readonly sonic: SonicModule,
    sampleRate: number,
    private readonly channels: number,
  ) {
    this.stream = sonic._sonicCreateStream(sampleRate, channels);
    this.inPointer = sonic._malloc(STEP_FRAMES * channels * 4);
    this.outPointer = sonic._malloc(STEP_FRAMES * channels * 4);
    if (!this.stream || !this.inPointer || !this.outPointer) throw new Error('Sonic could not allocate its stream.');
  }

  get rate(): number {
    return this.current;
  }

  /** Frames held inside, as long as they will play. */
  get heldFrames(): number {
    return Math.max(0, Math.round(this.heldPlayed));
  }

  /**
   * Changes the rate for what is stretched from now on; refuses a rate outside 0.5–3. Going
   * back to 1 gives back what was held, stretched at the old rate (play it first).
   */
  setRate(rate: number): Float32Array {
    const problem = rateProblem(rate);
    if (problem) throw new RangeError(problem);
    if (rate === this.current) return new Float32Array(0);
    const tail = rate === 1 ? this.flush() : new Float32Array(0);
    this.current = rate;
    this.sonic._sonicSetSpeed(this.stream, rate);
    return tail;
  }

  /** Stretches a block of interleaved frames; returns what is ready (possibly nothing yet). */
  process(input: Float32Array): Float32Array {
    if (this.current === 1 && this.heldPlayed <= 0) return input;
    const parts: Float32Array[] = [];
    const frames = input.length / this.channels;
    for (let at = 0; at < frames; at += STEP_FRAMES) {
      const count = Math.min(STEP_FRAMES, frames - at);
      // HEAPF32 is read anew each time: the heap may have grown since.
      this.sonic.HEAPF32.set(input.subarray(at * this.channels, (at + count) * this.channels), this.inPointer >> 2);
      if (!this.sonic._sonicWriteFloatToStream(this.stream, this.inPointer, count)) throw new Error('Sonic ran out of memory.');
      this.heldPlayed += count / this.current;
      this.read(parts);
    }
    return join(parts);
  }

  /** Everything still held, stretched; the stream is empty afterwards. */
  flush(): Float32Array {
    const parts: Float32Array[] = [];
    if (this.heldPlayed > 0) {
      this.sonic._sonicFlushStream(this.stream);
      this.read(parts);
    }
    this.heldPlayed = 0;
    return join(parts);
  }

  /** Drops what is held (a seek): nothing of it is to be heard. */
  reset(): void {
    this.flush();
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.sonic._sonicDestroyStream(this.stream);
    this.sonic._free(this.inPointer);
    this.sonic._free(this.outPointer);
  }

  private read(parts: Float32Array[]): void {
    for (;;) {
      const got = this.sonic._sonicReadFloatFromStream(this.stream, this.outPointer, STEP_FRAMES);
      if (got <= 0) return;
      const start = this.outPointer >> 2;
      parts.push(this.sonic.HEAPF32.slice(start, start + got * this.channels));
      this.heldPlayed -= got;
    }
  }
}

function join(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
