/** From `playedMs` on (in the utterance's played time), segment `segment` plays from its source ms `sourceMs` at `rate`. */
export interface RateAnchor {
  segment: number;
  playedMs: number;
  sourceMs: number;
  rate: number;
}

/**
 * Where in segment `segment`'s own audio (ms at 1×, as the voice times its words) the play
 * position `playedMs` is, at whatever rates it has played; null before the segment's first
 * anchor. The last anchor reached wins: after a skip, the new ones come later in the list.
 */
export function sourceMsAt(anchors: readonly RateAnchor[], segment: number, playedMs: number): number | null {
  let found: RateAnchor | null = null;
  for (const anchor of anchors) if (anchor.segment === segment && anchor.playedMs <= playedMs) found = anchor;
  return found ? found.sourceMs + (playedMs - found.playedMs) * found.rate : null;
}
