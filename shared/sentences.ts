import { endsWithAbbreviation, joinWrappedLines } from './sentence-joins';

/**
 * Sentence boundaries from Intl.Segmenter, a window at a time: V8's segmenter is
 * quadratic on long strings (a 180 KB text took 4 s, 720 KB 41 s), windows keep it linear.
 * The last sentence of a window may be cut short, so the next window starts at it. The
 * engine cuts its segments from these; the player lays the text out by them.
 */
export function* sentences(text: string, window = 16384): Generator<{ from: number; to: number }> {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  for (let pos = 0; pos < text.length; ) {
    const end = Math.min(text.length, pos + window);
    const found = joinAbbreviations([...segmenter.segment(joinWrappedLines(text.slice(pos, end)))]);
    const usable = end === text.length ? found.length : Math.max(1, found.length - 1);
    for (let i = 0; i < usable; i++) yield { from: pos + found[i].from, to: pos + found[i].to };
    pos += found[usable - 1].to;
  }
}

/** Sentences that end with an abbreviation ("Dr.") joined to the one after them. */
function joinAbbreviations(found: Intl.SegmentData[]): { from: number; to: number }[] {
  const joined: { from: number; to: number }[] = [];
  let joining = false;
  for (const { index, segment } of found) {
    const to = index + segment.length;
    if (joining) joined[joined.length - 1].to = to;
    else joined.push({ from: index, to });
    joining = endsWithAbbreviation(segment);
  }
  return joined;
}

/** Beyond this, a text is not laid out by sentence (it would take the page a second or more). */
export const SENTENCE_VIEW_MAX_CHARS = 1_000_000;

/** The text's sentences (whitespace-only ones left out), or null for a text too long to lay out. */
export function sentenceRanges(text: string): { start: number; end: number }[] | null {
  if (text.length > SENTENCE_VIEW_MAX_CHARS) return null;
  const ranges: { start: number; end: number }[] = [];
  for (const { from, to } of sentences(text)) if (/\S/.test(text.slice(from, to))) ranges.push({ start: from, end: to });
  return ranges;
}

/** The index of the sentence that holds `offset` (the last one that starts at or before it). */
export function sentenceAt(ranges: readonly { start: number; end: number }[], offset: number): number {
  let low = 0;
  let high = ranges.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (ranges[middle].start <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
