import { sentenceAt } from '../../../shared/sentences';

type Range = { start: number; end: number };

/** How fast voices read when this text has not shown it yet: about 150 words a minute. */
export const DEFAULT_CHARS_PER_SECOND = 15;

/** Previous, this far into a sentence, starts it again; sooner, it goes to the one before (as players do with tracks). */
export const RESTART_SENTENCE_AFTER_MS = 2000;

/**
 * Where Skip or Previous goes, by sentence: a segment the engine asked for holds several
 * (up to 1000 characters), so moving by segment skipped most of a text. `segment` is the
 * next segment, already fetched: the skip that reaches it costs no request (past the last
 * one, the text is over). `offset` reads the text again from there.
 */
export type SentenceSeek = { to: 'segment' } | { to: 'offset'; offset: number };

export function sentenceSeek(
  direction: 'skip' | 'previous',
  ranges: readonly Range[],
  /** The segment being heard, in the text's offsets. */
  segment: Range,
  /** Where in the text the listener is: the word heard, or an estimate from the time heard. */
  heardAt: number,
  charsPerSecond: number,
): SentenceSeek {
  const heard = sentenceAt(ranges, heardAt);
  if (direction === 'skip') {
    const next = ranges[heard + 1];
    return !next || next.start >= segment.end ? { to: 'segment' } : { to: 'offset', offset: next.start };
  }
  const intoSentenceMs = ((heardAt - Math.max(ranges[heard].start, segment.start)) / charsPerSecond) * 1000;
  const target = intoSentenceMs >= RESTART_SENTENCE_AFTER_MS || heard === 0 ? heard : heard - 1;
  return { to: 'offset', offset: ranges[target].start };
}

/**
 * Where in the text the listener is, from how long the segment has played: the voice's
 * words when it times them, else the segment's share of characters at the reading pace.
 */
export function heardOffset(segment: Range, word: Range | null, playedSourceMs: number, charsPerSecond: number): number {
  if (word) return word.start;
  const estimate = segment.start + Math.floor((Math.max(0, playedSourceMs) / 1000) * charsPerSecond);
  return Math.min(Math.max(segment.start, segment.end - 1), estimate);
}
