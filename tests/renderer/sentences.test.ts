import { describe, expect, it } from 'vitest';
import { sentenceAt, sentenceRanges, SENTENCE_VIEW_MAX_CHARS } from '../../shared/sentences';

describe('the sentences a text is laid out by', () => {
  it('cuts at sentence ends, leaves out blank ones, and keeps offsets in the text', () => {
    const text = 'One here. Two? Three!\n\n  Four.';
    const ranges = sentenceRanges(text)!;
    expect(ranges.map((r) => text.slice(r.start, r.end).trim())).toEqual(['One here.', 'Two?', 'Three!', 'Four.']);
    expect(ranges.at(-1)!.end).toBe(text.length);
  });

  it('finds the sentence that holds an offset', () => {
    const ranges = sentenceRanges('Alpha one. Bravo two. Charlie three.')!;
    expect(sentenceAt(ranges, 0)).toBe(0);
    expect(sentenceAt(ranges, ranges[1].start)).toBe(1);
    expect(sentenceAt(ranges, ranges[2].start + 3)).toBe(2);
    expect(sentenceAt(ranges, 10_000)).toBe(2);
  });

  it('lays out a long text in one pass, and not one too long to lay out at all', () => {
    const long = 'A sentence of some length here. '.repeat(20_000);
    const started = performance.now();
    expect(sentenceRanges(long)).toHaveLength(20_000);
    console.log(`640 KB laid out by sentence in ${Math.round(performance.now() - started)} ms`);
    expect(sentenceRanges('x'.repeat(SENTENCE_VIEW_MAX_CHARS + 1))).toBeNull();
  });
});
