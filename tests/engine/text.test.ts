import { describe, expect, it } from 'vitest';
import { SpeechError } from '../../electron/engine/errors';
import { segmentText } from '../../electron/engine/segment';
import { nothingToSpeak, prepareText, prepareTextInSlices } from '../../electron/engine/text';

/** The original characters behind each spoken character must be the same letters. */
function expectOriginsMatch(original: string, spokenText: string, origin: Uint32Array): void {
  for (let i = 0; i < spokenText.length; i++) {
    const ch = spokenText[i];
    if (/[\p{L}\p{N}]/u.test(ch)) expect(original[origin[i]]).toBe(ch);
  }
}

describe('prepareText', () => {
  it('folds whitespace and keeps line breaks as sentence breaks', () => {
    const spoken = prepareText('  Hello   there.\t\tHow\r\n\r\n are   you?  ');
    expect(spoken.text).toBe('Hello there. How\nare you?');
    expectOriginsMatch('  Hello   there.\t\tHow\r\n\r\n are   you?  ', spoken.text, spoken.origin);
  });

  it('strips the Markdown of an LLM answer', () => {
    const md = [
      '# Getting started',
      '',
      'Use **bold** and _italic_ and ~~old~~ text, with `inline code` and a [link](https://x.y/z).',
      '',
      '```js',
      'const secret = 1;',
      '```',
      '',
      '- first item',
      '2. second item',
      '> quoted words',
      '![a diagram](d.png) and snake_case stays, as does 2 * 3.',
      '---',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
    ].join('\n');
    const spoken = prepareText(md);
    expect(spoken.text).not.toMatch(/[#`~[\]|]|\*\*|https|secret|---/);
    expect(spoken.text).toContain('Getting started.');
    expect(spoken.text).toContain('Use bold and italic and old text, with inline code and a link.');
    expect(spoken.text).toContain('first item.');
    expect(spoken.text).toContain('second item.');
    expect(spoken.text).toContain('quoted words');
    expect(spoken.text).toContain('a b.\n1 2.');
    expect(spoken.text).toContain('a diagram and snake_case stays, as does 2 * 3.');
    expectOriginsMatch(md, spoken.text, spoken.origin);
  });

  it('speaks Markdown syntax when stripping is off', () => {
    expect(prepareText('**bold** `x`', { stripMarkdown: false }).text).toBe('**bold** `x`');
  });

  it.each(['', '   \n\t ', '```\ncode only\n```', '***'])('refuses text with nothing to speak: %j', (text) => {
    expect(() => prepareText(text)).toThrowError(SpeechError);
    try {
      prepareText(text);
    } catch (error) {
      expect((error as SpeechError).kind).toBe('input');
      expect((error as SpeechError).message).toMatch(/nothing to speak|empty/);
    }
  });

  it('drops a terminal\'s escape sequences whole, not only their ESC (colours from `ls --color | utter speak`)', () => {
    expect(prepareText('\x1b[31mRed\x1b[0m text and \x1b]0;title\x07done.').text).toBe('Red text and done.');
    expect(prepareText('\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\ here, a\x1b[1;32mb\x1b[m c.').text).toBe('link here, ab c.');
    // A lone ESC before text, or one that never ends, loses nothing but itself (and at most 256 characters).
    expect(prepareText('Plain \x1b text.').text).toBe('Plain text.');
    expect(prepareText(`\x1b]${'x'.repeat(300)} end.`).text).toMatch(/x+ end\.$/);
  });

  it('drops control characters', () => {
    expect(prepareText('A\u0000B\u0007C.').text).toBe('ABC.');
  });

  it('speaks a text of emoji alone (a voice says their names), but not one of symbols that are text', () => {
    for (const text of ['👍', '🎉🎉', '❤️', '👩‍💻 🏳️‍🌈']) expect(nothingToSpeak(text), text).toBeNull();
    for (const text of ['© ™ ‼', '❤', '... --- !!!']) expect(nothingToSpeak(text), text).toBe('The text has nothing to speak (no letters, digits or emoji).');
  });
});

describe('segmentText', () => {
  const sentence = (i: number): string => `This is sentence number ${i}, which has a few words in it.`;

  it('keeps the first segment to one short sentence and merges the rest up to the limit', () => {
    const text = Array.from({ length: 200 }, (_, i) => sentence(i)).join(' ');
    const segments = [...segmentText(prepareText(text), { maxChars: 4096 })];
    expect(segments[0].text).toBe(sentence(0));
    expect(segments[1].text.length).toBeLessThanOrEqual(1000);
    for (const s of segments) expect(s.text.length).toBeLessThanOrEqual(4096);
    expect(segments.slice(2).some((s) => s.text.length > 3000)).toBe(true);
    // Nothing lost, nothing repeated, offsets point at the original.
    expect(segments.map((s) => s.text).join(' ')).toBe(text);
    for (const s of segments) expect(text.slice(s.start, s.end)).toBe(s.text);
    segments.forEach((s, i) => expect(s.index).toBe(i));
  });

  it('cuts a long first sentence at a clause so the first audio comes fast', () => {
    const long = 'Well, ' + 'this goes on and on, '.repeat(30) + 'and ends.';
    const [first, ...rest] = [...segmentText(prepareText(long), { maxChars: 4096 })];
    expect(first.text.length).toBeLessThanOrEqual(200);
    expect(first.text).toMatch(/,$/);
    expect([first, ...rest].map((s) => s.text).join(' ')).toBe(long);
  });

  it('splits a sentence longer than the provider limit at words', () => {
    const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ') + '.';
    const segments = [...segmentText(prepareText(words), { maxChars: 300 })];
    for (const s of segments) expect(s.text.length).toBeLessThanOrEqual(300);
    expect(segments.map((s) => s.text).join(' ')).toBe(words);
  });

  it('maps offsets back through stripped Markdown', () => {
    const md = '# Title\n\nSome **bold** words here.';
    const segments = [...segmentText(prepareText(md), { maxChars: 4096 })];
    expect(segments[0].text).toBe('Title.');
    expect(md.slice(segments[0].start, segments[0].end)).toBe('Title');
    expect(md.slice(segments[1].start, segments[1].end)).toBe('Some **bold** words here.');
  });

  it('handles a 1 MB text lazily', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(23_000);
    expect(text.length).toBeGreaterThan(1_000_000);
    const started = performance.now();
    const spoken = prepareText(text);
    const iterator = segmentText(spoken, { maxChars: 4096 });
    const first = iterator.next().value!;
    expect(first.text).toBe('The quick brown fox jumps over the lazy dog.');
    let count = 1;
    let chars = first.text.length;
    for (const s of iterator) {
      count++;
      chars += s.text.length + 1;
    }
    expect(chars).toBe(text.trimEnd().length);
    expect(count).toBeGreaterThan(250);
    // Generous bound: this is a sanity check against quadratic work, not a benchmark.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('segmentText never cuts inside a character', () => {
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  const graphemes = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((g) => g.segment);
  it.each([
    ['emoji', 'x😀'.repeat(700)],
    ['ZWJ families', 'x👨‍👩‍👧‍👦'.repeat(300)],
    ['combining marks', 'e\u0301\u0323'.repeat(900)],
    ['CJK Extension B', '𠀀𠀁𠀂𠀃'.repeat(400)],
    ['a mix without spaces', '🏳️‍🌈a𠀀é😀'.repeat(300)],
  ])('%s: every segment is whole graphemes, and together they are the text', (_name, text) => {
    const segments = [...segmentText(prepareText(text), { maxChars: 301, firstMaxChars: 101 })];
    expect(segments.length).toBeGreaterThan(3);
    for (const segment of segments) {
      expect(segment.text).not.toMatch(LONE_SURROGATE);
      expect(segment.text.length).toBeLessThanOrEqual(301 + 64);
    }
    expect(segments.flatMap((s) => graphemes(s.text))).toEqual(graphemes(prepareText(text).text));
  });
});

describe('prepareTextInSlices', () => {
  /** Prepares `text` in slices, checks it against prepareText, and counts the timer turns that ran meanwhile. */
  async function slicedLikeWhole(text: string): Promise<{ text: string; turns: number }> {
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const sliced = await prepareTextInSlices(text);
    clearInterval(counting);
    const whole = prepareText(text);
    expect(sliced.text).toBe(whole.text);
    expect(sliced.origin).toEqual(whole.origin);
    return { text: sliced.text, turns };
  }

  it('gives the same spoken text as prepareText, letting the event loop run between slices', async () => {
    const { turns } = await slicedLikeWhole('# A heading\n\nSome *emphasis* and a [link](http://x). Then plain words.\n'.repeat(20_000));
    // About 1.3 M characters in 64 K slices: timers ran between them.
    expect(turns).toBeGreaterThan(5);
  });

  it('lets the loop run inside one long line too (a whole text without a line break)', async () => {
    const sliced = await slicedLikeWhole('## Some *emphasis*, a [link](http://x) and `code`, then plain words. '.repeat(20_000));
    expect(sliced.text.startsWith('Some emphasis, a link and code, then plain words. ## Some emphasis')).toBe(true);
    // One line of 1.4 M characters: it was not prepared in one go.
    expect(sliced.turns).toBeGreaterThan(5);
  });
});
