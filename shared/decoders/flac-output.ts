// A FLAC frame's channels as the samples they stand for: the wasted low bits put back and
// the stereo decorrelation undone (https://xiph.org/flac/format.html, "CHANNEL ASSIGNMENT").
import type { Subframe } from './flac-subframe';

/** Decoded integer samples, one array per channel; valid until the next write. */
export interface FlacSamples {
  channels: Int32Array[];
  length: number;
}

/** The samples handed out since the last take(), in arrays that are reused. */
export class FlacOutput {
  private channels: Int32Array[] = [];
  private length = 0;

  /** Samples [from, to) of a frame's subframes, by its channel assignment code. */
  write(subframes: Subframe[], channels: number, assignment: number, from: number, to: number): void {
    const start = this.reserve(channels, to - from);
    for (let c = 0; c < channels; c++) subframes[c].fill(from, to);
    if (assignment < 8) {
      for (let c = 0; c < channels; c++) {
        const { samples, wasted } = subframes[c];
        const scale = 2 ** wasted;
        const out = this.channels[c];
        for (let i = from, j = start; i < to; i++, j++) out[j] = samples[i] * scale;
      }
      return;
    }
    const [a, b] = subframes;
    const scaleA = 2 ** a.wasted;
    const scaleB = 2 ** b.wasted;
    const [left, right] = this.channels;
    for (let i = from, j = start; i < to; i++, j++) {
      const u = a.samples[i] * scaleA;
      const v = b.samples[i] * scaleB;
      if (assignment === 8) {
        // left, side
        left[j] = u;
        right[j] = u - v;
      } else if (assignment === 9) {
        // side, right
        left[j] = u + v;
        right[j] = v;
      } else {
        // mid, side: the bit that mid lost is side's lowest
        const mid = u * 2 + (v & 1);
        left[j] = (mid + v) / 2;
        right[j] = (mid - v) / 2;
      }
    }
  }

  /** `count` samples of silence on every channel. */
  silence(channels: number, count: number): void {
    const start = this.reserve(channels, count);
    for (const out of this.channels) out.fill(0, start, start + count);
  }

  take(): FlacSamples {
    const taken = { channels: this.channels, length: this.length };
    this.length = 0;
    return taken;
  }

  /** Room for `count` more samples per channel; returns where they go. */
  private reserve(channels: number, count: number): number {
    const start = this.length;
    const need = start + count;
    if (this.channels.length !== channels || this.channels[0].length < need) {
      const size = Math.max(need, 2 * (this.channels[0]?.length ?? 0), 4096);
      this.channels = Array.from({ length: channels }, (_, c) => {
        const grown = new Int32Array(size);
        if (this.channels[c]) grown.set(this.channels[c].subarray(0, start));
        return grown;
      });
    }
    this.length = need;
    return start;
  }
}
