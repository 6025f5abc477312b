import { MAX_RATE, MIN_RATE } from '../playback-rate';

/**
 * The slowest the opening of an utterance is played to reach its pre-roll sooner: a third
 * longer at most, as a voice drawing out its first syllable. NetEq (WebRTC) stretches the
 * same way rather than wait for the next packet.
 */
export const SLOWEST_START = 0.75;

/**
 * The rate to play the audio in hand at so that it lasts as long as the pre-roll wants
 * (spec B2, beyond it): a learned pre-roll that the first reads fall a little short of is
 * met by stretching them, not by waiting a whole gap for the next read. Null when play
 * should wait (too little in hand, or the rate would leave 0.5–3) or needs no stretch.
 * Frames are played frames at `rate`, the listener's speed.
 */
export function slowStartRate(inHandFrames: number, needFrames: number, rate: number, slackFrames = 0): number | null {
  if (!(inHandFrames > 0) || !(needFrames > inHandFrames)) return null;
  // Aimed `slackFrames` past the pre-roll when the slowest rate allows it (Sonic's flush comes out short).
  const aimed = inHandFrames / (needFrames + Math.max(0, slackFrames));
  const factor = aimed >= SLOWEST_START ? aimed : inHandFrames / needFrames;
  if (factor < SLOWEST_START) return null;
  const slow = rate * factor;
  return slow >= MIN_RATE && slow <= MAX_RATE ? slow : null;
}
