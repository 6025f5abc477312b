import { describe, expect, it } from 'vitest';
import { segmentText } from '../../electron/engine/segment';
import { prepareText } from '../../electron/engine/text';

/** The README's promise: the first part holds one short sentence (≤ 200), the second ≤ 1,000, then up to the provider's limit. */
function sizes(text: string): number[] {
  const segments = [...segmentText(prepareText(text), { maxChars: 4096 })];
  // Nothing lost or repeated.
  expect(segments.map((s) => s.text).join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  return segments.map((s) => s.text.length);
}

describe('the second part is kept to 1,000 characters', () => {
  const long = (words: number) => Array.from({ length: words }, (_, i) => `clause${i % 10},`).join(' ');

  it('when the second sentence alone is longer (it went out whole: 3,678 characters)', () => {
    const lengths = sizes(`Hi. Then ${long(450)} and the end of it. The end.`);
    expect(lengths[0]).toBe(3);
    expect(lengths[1]).toBeLessThanOrEqual(1000);
    expect(lengths.slice(2).every((n) => n <= 4096)).toBe(true);
  });

  it('when it is what is left of a long first sentence (it went out as 1,338)', () => {
    const lengths = sizes(`${long(190)} and so it ends.`);
    expect(lengths[0]).toBeLessThanOrEqual(200);
    expect(lengths[1]).toBeLessThanOrEqual(1000);
  });

  it('in a line without a space or a stop (it went out as 3,896)', () => {
    const lengths = sizes('x'.repeat(20_000));
    expect(lengths[0]).toBeLessThanOrEqual(200);
    expect(lengths[1]).toBeLessThanOrEqual(1000);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(4096);
  });
});

describe('the first part is a whole sentence', () => {
  it('not a title cut off before its name ("Dr.", "Mr. and Mrs.")', () => {
    expect([...segmentText(prepareText('Dr. Smith went to Washington. He paid a lot.'), { maxChars: 4096 })][0].text).toBe('Dr. Smith went to Washington.');
    expect([...segmentText(prepareText('Mr. and Mrs. Jones arrived. They sat.'), { maxChars: 4096 })][0].text).toBe('Mr. and Mrs. Jones arrived.');
  });

  it('not the first line of hard-wrapped prose', () => {
    const wrapped = 'It was the best of times, it was the worst\nof times, it was the age of wisdom, it was\nthe age of foolishness. And so on.';
    expect([...segmentText(prepareText(wrapped), { maxChars: 4096 })][0].text).toBe('It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.');
  });
});
