import type { AudioBlock } from './utterance-decoder';

/** One block as the ring holds it: the channel itself for a mono ring, frames of L, R for a stereo one. */
export function interleave(block: AudioBlock, channels: number): Float32Array {
  if (channels === 1) return block[0];
  const [left, right = left] = block;
  const out = new Float32Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i];
    out[2 * i + 1] = right[i];
  }
  return out;
}
