// Driving the FLAC decoder's integer core in tests: what it decodes, before the floats.
import { frameHeader, streamHeaderLength } from '../../shared/decoders/flac-frames';
import { FlacStream, type FlacLosses } from '../../shared/decoders/flac-progressive';

/** A whole decode in integers, and what was counted lost. */
export interface FlacDecode {
  channels: Int32Array[];
  sampleRate: number;
  bits: number;
  losses: FlacLosses;
}

/** Pushes the chunks one by one (through one scribbled-over buffer), then ends the stream. */
export function decodeFlacIntegers(chunks: Uint8Array[]): FlacDecode {
  const losses = { skippedFrames: 0, skippedSamples: 0 };
  const stream = new FlacStream(losses);
  const parts: Int32Array[][] = [];
  const scratch = new Uint8Array(chunks.reduce((n, c) => Math.max(n, c.length), 1));
  const keep = (): void => {
    const { channels, length } = stream.take();
    if (length) parts.push(channels.map((c) => c.slice(0, length)));
  };
  for (const chunk of chunks) {
    scratch.set(chunk);
    stream.push(scratch.subarray(0, chunk.length));
    scratch.fill(0xa5);
    keep();
  }
  stream.end();
  keep();
  const count = parts[0]?.length ?? 0;
  const channels = Array.from({ length: count }, (_, c) => {
    const out = new Int32Array(parts.reduce((n, p) => n + p[c].length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p[c], offset);
      offset += p[c].length;
    }
    return out;
  });
  return { channels, sampleRate: stream.sampleRate, bits: stream.bitsPerSample, losses };
}

/** Index of the first differing sample of two integer channels, or -1 when they are the same. */
export function firstDifference(a: Int32Array, b: Int32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Where each frame of an intact stream starts (bytes) and its first sample, found by headers alone. */
export interface FrameTable {
  starts: number[];
  firstSamples: number[];
  /** Samples in the whole stream. */
  total: number;
}

/** The frames of an intact fixed- or variable-block-size stream, one after the other. */
export function frameTable(bytes: Uint8Array): FrameTable {
  const starts: number[] = [];
  const firstSamples: number[] = [];
  let sample = 0;
  let expected = 0;
  for (let i = streamHeaderLength(bytes); i < bytes.length; i++) {
    const header = bytes[i] === 0xff ? frameHeader(bytes, i) : null;
    if (!header || header === 'need-more' || header.number !== expected) continue;
    starts.push(i);
    firstSamples.push(sample);
    sample += header.blockSize;
    expected = header.variable ? sample : expected + 1;
    i += header.length;
  }
  return { starts, firstSamples, total: sample };
}

/** The frame that holds byte `at` (the last frame for bytes past the end). */
export function frameAt(table: FrameTable, at: number): number {
  let k = 0;
  while (k + 1 < table.starts.length && table.starts[k + 1] <= at) k++;
  return k;
}
