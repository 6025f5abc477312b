import { describe, expect, it } from 'vitest';
import { sentenceRanges, sentences } from '../../shared/sentences';

const split = (text: string): string[] => sentenceRanges(text)!.map((r) => text.slice(r.start, r.end).trim());

describe('sentences for reading aloud', () => {
  it('keep a title or an initial with the name after it', () => {
    expect(split('We met Prof. Lee in St. Louis near Mt. Everest. Then we left.')).toEqual(['We met Prof. Lee in St. Louis near Mt. Everest.', 'Then we left.']);
    expect(split('John F. Kennedy spoke. Then J. R. R. Tolkien wrote.')).toEqual(['John F. Kennedy spoke.', 'Then J. R. R. Tolkien wrote.']);
    expect(split('She saw “Dr. Who” there. He nodded.')).toEqual(['She saw “Dr. Who” there.', 'He nodded.']);
    // Only ever longer: an abbreviation that did end a sentence joins the next, and nothing is lost.
    expect(split('He lives on Main St. It is quiet.').join(' ')).toBe('He lives on Main St. It is quiet.');
  });

  it('run on over a line break inside a sentence, and stop at one between lines that are sentences, list items or verse', () => {
    expect(split('The war ended in\n1945. After that, peace.')).toEqual(['The war ended in\n1945.', 'After that, peace.']);
    expect(split('it was the worst\r\nof times. Next.')).toEqual(['it was the worst\r\nof times.', 'Next.']);
    expect(split('Roses are red\nViolets are blue.')).toEqual(['Roses are red', 'Violets are blue.']);
    expect(split('A list:\n- one\n- two')).toEqual(['A list:', '- one', '- two']);
    expect(split('End of one.\nstart of another')).toEqual(['End of one.', 'start of another']);
  });

  it('keep their offsets in the text, across the windows a long text is read in', () => {
    const text = 'Sentence with Dr. Jones in it. '.repeat(2000) + 'Wrapped at the\nend.';
    const found = [...sentences(text, 1000)];
    expect(found).toHaveLength(2001);
    expect(found.every((s, i) => i === 0 || s.from === found[i - 1].to)).toBe(true);
    expect(text.slice(found[0].from, found[0].to)).toBe('Sentence with Dr. Jones in it. ');
    expect(text.slice(found.at(-1)!.from)).toBe('Wrapped at the\nend.');
  });
});
