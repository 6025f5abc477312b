import { describe, expect, it } from 'vitest';
import { heardOffset, sentenceSeek } from '../../renderer/src/state/sentence-seek';

/** Three sentences of 20 characters, the last two in one segment. */
const ranges = [
  { start: 0, end: 20 },
  { start: 20, end: 40 },
  { start: 40, end: 60 },
];
const second = { start: 20, end: 60 };

describe('sentenceSeek', () => {
  it('Skip at the text\'s last sentence takes the segment seek, which ends the text', () => {
    expect(sentenceSeek('skip', ranges, second, 45, 15)).toEqual({ to: 'segment' });
  });

  it('Previous at the first sentence starts the text again, however soon', () => {
    expect(sentenceSeek('previous', ranges, { start: 0, end: 20 }, 2, 15)).toEqual({ to: 'offset', offset: 0 });
  });
});

describe('heardOffset', () => {
  it('prefers the word heard, and keeps an estimate inside the segment', () => {
    expect(heardOffset(second, { start: 33, end: 37 }, 0, 15)).toBe(33);
    expect(heardOffset(second, null, 1000, 15)).toBe(35);
    // A slower voice than the pace learnt: the estimate stops at the segment's last character.
    expect(heardOffset(second, null, 60_000, 15)).toBe(59);
    expect(heardOffset(second, null, -50, 15)).toBe(20);
  });
});
