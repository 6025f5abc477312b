import type { DecodedAudio } from './types';

/** No audio: what a push returns when its bytes completed no frame. */
export function silence(sampleRate = 0, channels = 1): DecodedAudio {
  return { channelData: Array.from({ length: channels }, () => new Float32Array(0)), samplesDecoded: 0, sampleRate };
}

/**
 * Joins byte arrays (the tail held back and the new bytes). With only one non-empty part,
 * that part itself is returned, not a copy.
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const full = parts.filter((p) => p.length);
  if (full.length <= 1) return full[0] ?? new Uint8Array(0);
  const out = new Uint8Array(full.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of full) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Joins decoded blocks of the same rate and channel count. */
export function concatAudio(blocks: DecodedAudio[]): DecodedAudio {
  const useful = blocks.filter((b) => b.samplesDecoded > 0);
  if (useful.length === 0) return blocks[0] ?? silence();
  if (useful.length === 1) return useful[0];
  const total = useful.reduce((n, b) => n + b.samplesDecoded, 0);
  const channels = useful[0].channelData.length;
  const channelData = Array.from({ length: channels }, () => new Float32Array(total));
  let offset = 0;
  for (const block of useful) {
    for (let c = 0; c < channels; c++) channelData[c].set(block.channelData[c].subarray(0, block.samplesDecoded), offset);
    offset += block.samplesDecoded;
  }
  return { channelData, samplesDecoded: total, sampleRate: useful[0].sampleRate };
}

/** A decode result as its runs of one layout, in order (see DecodedAudio.followedBy). */
export function audioRuns(audio: DecodedAudio): DecodedAudio[] {
  const runs: DecodedAudio[] = [];
  for (let run: DecodedAudio | undefined = audio; run; run = run.followedBy) runs.push(run);
  return runs;
}

/** Joins decoded blocks in order: neighbours of one rate and channel count into one, each change of layout as a followedBy. */
export function chainAudio(blocks: DecodedAudio[]): DecodedAudio {
  const groups: DecodedAudio[][] = [];
  for (const block of blocks) {
    if (!block.samplesDecoded) continue;
    const last = groups.at(-1)?.[0];
    if (last && last.sampleRate === block.sampleRate && last.channelData.length === block.channelData.length) groups.at(-1)!.push(block);
    else groups.push([block]);
  }
  if (!groups.length) return blocks[0] ?? silence();
  const runs: DecodedAudio[] = groups.map((group) => ({ ...concatAudio(group), followedBy: undefined }));
  runs.forEach((run, i) => (run.followedBy = runs[i + 1]));
  return runs[0];
}

/**
 * A stream's first four bytes, held until they have all come: enough to tell its container
 * by its magic (Ogg or WebM for opus, native or Ogg for FLAC) before any decoding starts.
 */
export class FirstBytes {
  private held: Uint8Array | null = new Uint8Array(0);

  /** They have been told, and every byte since goes on as it comes. */
  get told(): boolean {
    return this.held === null;
  }

  /** The first bytes with these, once there are four; null while too few have come. */
  take(bytes: Uint8Array): Uint8Array | null {
    const first = concatBytes(this.held ?? new Uint8Array(0), bytes);
    if (first.length < 4) {
      // Copied: the caller may reuse its buffer.
      this.held = first.slice();
      return null;
    }
    this.held = null;
    return first;
  }

  /** What a body shorter than four bytes left held, given up at its end. */
  end(): Uint8Array {
    const held = this.held ?? new Uint8Array(0);
    this.held = null;
    return held;
  }

  reset(): void {
    this.held = new Uint8Array(0);
  }
}
