import { describe, expect, it } from 'vitest';
import { nothingToSpeak, prepareText } from '../../electron/engine/text';

/** The spoken text of `original`, checked to point back at the same letters and digits. */
function spoken(original: string): string {
  const { text, origin } = prepareText(original);
  for (let i = 0; i < text.length; i++) {
    if (/[\p{L}\p{N}]/u.test(text[i])) expect(original[origin[i]]).toBe(text[i]);
  }
  return text;
}

describe('fenced blocks', () => {
  it('reads on after a fence that never closes', () => {
    expect(spoken('Intro line.\n```\nAll the rest of this story is never heard.\nMore.\n')).toBe('Intro line.\nAll the rest of this story is never heard.\nMore.');
  });

  it('reads the prose between a bare pair of fences (a scene break)', () => {
    const story = 'Chapter one ends here.\n\n~~~\n\nChapter two begins. She walked home.\nIt was late.\n\n~~~\n\nChapter three.\n';
    expect(spoken(story)).toBe('Chapter one ends here.\nChapter two begins. She walked home.\nIt was late.\nChapter three.');
  });

  it('skips a fenced block that names its language, or whose lines look like code', () => {
    expect(spoken('Before.\n```python\nprint("Hello there.")\nDone here.\n```\nAfter.')).toBe('Before.\nAfter.');
    expect(spoken('Before.\n```\nconst x = f(1);\nif (x) {\n  go();\n}\n```\nAfter.')).toBe('Before.\nAfter.');
    expect(spoken('Before.\n~~~\nnpm install utter\n~~~\nAfter.')).toBe('Before.\nAfter.');
  });

  it('closes a fence only with the same character, at least as long', () => {
    expect(spoken('A.\n````js\ncode\n```\nstill code\n````\nB.')).toBe('A.\nB.');
    expect(spoken('A.\n~~~js\ncode\n```\nmore code\n~~~\nB.')).toBe('A.\nB.');
  });

  it('says when a text is only code, and how to hear it', () => {
    const message = nothingToSpeak('```js\nconst secret = 1;\n```\n');
    expect(message).toMatch(/nothing to speak but code blocks, which are skipped/);
    expect(message).toMatch(/Read Markdown as plain text/);
    expect(message).toMatch(/--no-markdown/);
    expect(nothingToSpeak('```\n{}\n```')).toBe('The text has nothing to speak (no letters, digits or emoji).');
  });
});

describe('emphasis and arithmetic', () => {
  it('keeps a * between numbers, spaced or not', () => {
    expect(spoken('Price: $5 * 3 = $15 and 4*5=20.')).toBe('Price: $5 * 3 = $15 and 4*5=20.');
    expect(spoken('2*3*4 = 24, and 2 *3 or 2* 3.')).toBe('2*3*4 = 24, and 2 *3 or 2* 3.');
  });

  it('still drops emphasis, next to numbers too', () => {
    expect(spoken('Some *word* and **bold** text, **5** items, 2 **x** y, a * b.')).toBe('Some word and bold text, 5 items, 2 x y, a * b.');
  });
});

describe('HTML', () => {
  it('drops only the tags of HTML elements, with well-formed attributes', () => {
    expect(spoken('x<y and y>z done.')).toBe('x<y and y>z done.');
    expect(spoken('Press <Enter> to go, if a<b and b>c.')).toBe('Press <Enter> to go, if a<b and b>c.');
    expect(spoken('Some <b>bold</b>, <span class="x" data-n=1 hidden>spanned</span> and <I>tall</I> words<img src="a.png"/>.')).toBe('Some bold, spanned and tall words.');
    expect(spoken('A <b =x>broken tag</b>.')).toBe('A <b =x>broken tag.');
  });

  it('keeps the address of an autolink', () => {
    expect(spoken('Mail <bob@example.com> or see <https://example.com/a?b=1>.')).toBe('Mail bob@example.com or see https://example.com/a?b=1.');
  });

  it('leaves a break where a block or line-break tag stood, and nothing for an inline one', () => {
    expect(spoken('one<br>two')).toBe('one\ntwo');
    expect(spoken('<details><summary>More</summary>Hidden body</details>')).toBe('More\nHidden body');
    expect(spoken('| first line<br/>second line | b |')).toBe('first line\nsecond line b.');
    expect(spoken('<p>One.</p><p>Two.</p> in<em>line</em>')).toBe('One.\nTwo.\ninline');
  });
});

describe('lists', () => {
  it('keeps a number that starts a wrapped line of a paragraph', () => {
    expect(spoken('The war ended in\n1945. After that, peace.\nHe counted to\n3) and stopped.\n')).toBe('The war ended in\n1945. After that, peace.\nHe counted to\n3) and stopped.');
  });

  it('strips the markers of a list after a blank line, one that continues, and one started by 1', () => {
    expect(spoken('Steps:\n\n2. Mix\n3. Bake\nfor an hour\n4. Eat\n\nThe end.')).toBe('Steps:\nMix.\nBake.\nfor an hour\nEat.\nThe end.');
    expect(spoken('Do this:\n1. Mix\n2. Bake')).toBe('Do this:\nMix.\nBake.');
    expect(spoken('Things:\n- one\n- two')).toBe('Things:\none.\ntwo.');
  });
});

describe('backslash escapes', () => {
  it('keeps an escaped character as it is and drops the backslash', () => {
    expect(spoken('\\*literal stars\\* and \\_under\\_ and \\# not a heading.')).toBe('*literal stars* and _under_ and # not a heading.');
    expect(spoken('\\[not a link\\](x) and \\<b\\>, but C:\\Users stays.')).toBe('[not a link](x) and <b>, but C:\\Users stays.');
    expect(spoken('A \\\\[real link](x).')).toBe('A \\real link.');
  });
});

describe('setext headings', () => {
  it('drops the underline and ends the heading as a sentence', () => {
    expect(spoken('Title\n=====\nThe story starts.\n\nSub\n---\nMore words.')).toBe('Title.\nThe story starts.\nSub.\nMore words.');
  });

  it('leaves a rule under a list item or a blank line a rule', () => {
    expect(spoken('- item\n---\nText.\n\n---\nEnd.')).toBe('item.\nText.\nEnd.');
  });
});

describe('block quotes', () => {
  it('end a sentence where the quoted paragraph ends', () => {
    expect(spoken('> quoted line\n\nMath: two.')).toBe('quoted line.\nMath: two.');
    expect(spoken('> a wrapped\n> quote\n>\n> Second one\nLazy line\n\n> last')).toBe('a wrapped\nquote.\nSecond one\nLazy line\nlast.');
  });
});

describe('line ends', () => {
  it.each([
    ['\\r', '\r'],
    ['\\r\\n', '\r\n'],
  ])('reads Markdown with lines ended by %s as with \\n', (_name, end) => {
    const md = ['# Title', '', '- first item', '2. second item', '> quoted', '', 'Sub', '===', '```js', 'const secret = 1;', '```', 'Done.'].join(end);
    expect(spoken(md)).toBe(spoken(md.replaceAll(end, '\n')));
    expect(spoken(md)).toBe('Title.\nfirst item.\nsecond item.\nquoted.\nSub.\nDone.');
  });
});

describe('character references', () => {
  it('are read as their characters, as Markdown reads them: an answer\'s "&amp;" is "&", not "amp"', () => {
    const original = 'Tom &amp; Jerry &lt;3 &#x263A; caf&eacute; &#8217;';
    const { text, origin } = prepareText(original);
    expect(text).toBe('Tom & Jerry <3 ☺ café ’');
    // Each character read points at the start of its reference, for the highlight.
    expect(original.slice(origin[text.indexOf('é')])).toMatch(/^&eacute;/);
    // Not a reference: left as it is.
    expect(spoken('AT&T, a&b, &unknown; and &amp without its end.')).toBe('AT&T, a&b, &unknown; and &amp without its end.');
    // With stripping off, the text is spoken as written.
    expect(prepareText('Fish &amp; chips', { stripMarkdown: false }).text).toBe('Fish &amp; chips');
  });
});

describe('references and footnotes', () => {
  it('reads a footnote\'s text but not its marks, and no link definition\'s address', () => {
    const md = 'Water boils at 100 degrees.[^1] See the [guide][1].\n\n[1]: https://example.com/guide "The guide"\n[^1]: At sea level.';
    expect(spoken(md)).toBe('Water boils at 100 degrees. See the guide.\nAt sea level.');
  });

  it('reads a line of prose that only looks like a definition', () => {
    // A definition cannot interrupt a paragraph; one with words after its "address" is none.
    expect(spoken('Prose line\n[x]: http://example.com')).toBe('Prose line\n[x]: http://example.com');
    expect(spoken('[Note]: see below for more.')).toBe('[Note]: see below for more.');
  });
});
