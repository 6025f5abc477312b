import { sentences } from '../../shared/sentences';
import type { SpokenText } from './text';

/** One request's worth of text, with where it stands in the original text. */
export interface Segment {
  index: number;
  /** What is sent to the voice: one line, whitespace folded. */
  text: string;
  /** Offsets in the original text, end exclusive (for highlighting). */
  start: number;
  end: number;
  /** `origin[i]` is the original offset of `text[i]` (maps word events back). */
  origin: Uint32Array;
}

/** Limits for cutting text into segments. */
export interface SegmentOptions {
  /** The provider's input limit (OpenAI: 4096 characters). */
  maxChars: number;
  /** The first segment is one short sentence so the first audio comes fast. */
  firstMaxChars?: number;
  /** The second segment is kept moderate too, so it is ready before the first has played. */
  secondMaxChars?: number;
}

/**
 * Cuts spoken text into segments lazily, so a 1 MB text is never split up front:
 * sentences from Intl.Segmenter, merged up to the limit, the first kept short.
 */
export function* segmentText(spoken: SpokenText, options: SegmentOptions): Generator<Segment> {
  const firstMax = Math.min(options.firstMaxChars ?? 200, options.maxChars);
  const secondMax = Math.min(options.secondMaxChars ?? 1000, options.maxChars);
  const pieces = sentencePieces(spoken.text, options.maxChars);
  let index = 0;
  let pending: { from: number; to: number } | null = null;
  let next = pieces.next();
  while (!next.done) {
    const limit = index === 0 ? firstMax : index === 1 ? secondMax : options.maxChars;
    const piece = next.value;
    if (!pending && piece.to - piece.from > limit) {
      // A long first (or second) sentence: cut it at a clause so the voice can start, and go on in time.
      const cut = cutPoint(spoken.text, piece.from, piece.from + limit);
      yield makeSegment(spoken, index++, piece.from, cut);
      next = { done: false, value: { from: cut, to: piece.to } };
      continue;
    }
    if (pending && piece.to - pending.from > limit) {
      yield makeSegment(spoken, index++, pending.from, pending.to);
      pending = null;
      continue; // re-examine the same piece against the next segment's limit
    }
    pending = pending ? { from: pending.from, to: piece.to } : { ...piece };
    if (index === 0) {
      yield makeSegment(spoken, index++, pending.from, pending.to);
      pending = null;
    }
    next = pieces.next();
  }
  if (pending) yield makeSegment(spoken, index, pending.from, pending.to);
}

/** Sentences, each at most maxChars long (an over-long one is cut at word boundaries). */
function* sentencePieces(text: string, maxChars: number): Generator<{ from: number; to: number }> {
  for (const sentence of sentences(text, Math.max(16384, maxChars * 2))) {
    let from = sentence.from;
    while (sentence.to - from > maxChars) {
      const cut = cutPoint(text, from, from + maxChars);
      yield { from, to: cut };
      from = cut;
    }
    if (/\S/.test(text.slice(from, sentence.to))) yield { from, to: sentence.to };
  }
}

/**
 * The best place at or before `limit` to cut: after a clause mark, else after a space, else
 * between two graphemes, never inside one: a cut through a surrogate pair (an emoji, CJK
 * Extension B) sends the server a lone surrogate, and one through a ZWJ sequence or a
 * combining mark says half a character.
 */
function cutPoint(text: string, from: number, limit: number): number {
  const window = text.slice(from, limit);
  const minimum = Math.floor(window.length / 3);
  for (const pattern of [/[,;:—–)]\s/g, /\s/g]) {
    let best = -1;
    for (const match of window.matchAll(pattern)) {
      if (match.index >= minimum) best = match.index + match[0].length;
    }
    if (best > 0) return from + best;
  }
  return graphemeCut(text, from, limit);
}

/** The last grapheme boundary after `from` and at or before `limit`; past `limit` only for one grapheme longer than the whole window. */
function graphemeCut(text: string, from: number, limit: number): number {
  // A grapheme is rarely longer than a few dozen code units: look a little past the limit.
  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text.slice(from, Math.min(text.length, limit + 64)));
  let cut = -1;
  for (const { index, segment } of graphemes) {
    const end = from + index + segment.length;
    if (end <= limit) cut = end;
    else return cut > from ? cut : end;
  }
  return cut > from ? cut : Math.min(text.length, limit);
}

function makeSegment(spoken: SpokenText, index: number, from: number, to: number): Segment {
  // Trim the ends so the request carries no stray whitespace.
  while (from < to && /\s/.test(spoken.text[from])) from++;
  while (to > from && /\s/.test(spoken.text[to - 1])) to--;
  const origin = spoken.origin.slice(from, to);
  return {
    index,
    text: spoken.text.slice(from, to).replace(/\n/g, ' '),
    start: origin.length ? origin[0] : spoken.originalLength,
    end: origin.length ? origin[origin.length - 1] + 1 : spoken.originalLength,
    origin,
  };
}

/**
 * The segments of the whole text from original offset `startAt` on, numbered from 0. The
 * segment it falls in is read from there, its first sentence alone so the voice starts
 * fast; every later one is cut exactly as when the text is read from its start. So a jump,
 * a resume or a replay asks for the segments read before, and finds them in the audio
 * cache (spec X4), except the one it starts inside.
 */
export function* segmentsFrom(segments: Iterable<Segment>, startAt: number, maxChars: number): Generator<Segment> {
  let index = 0;
  for (const segment of segments) {
    if (segment.end <= startAt) continue;
    if (segment.start >= startAt) {
      yield { ...segment, index: index++ };
      continue;
    }
    const from = segment.origin.findIndex((offset) => offset >= startAt);
    if (from < 0) continue;
    const rest: SpokenText = { text: segment.text.slice(from), origin: segment.origin.slice(from), originalLength: segment.end };
    for (const part of segmentText(rest, { maxChars, secondMaxChars: maxChars })) yield { ...part, index: index++ };
  }
}
