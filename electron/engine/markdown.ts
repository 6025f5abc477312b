import { entityAt } from '../../shared/html-text';
import { PHONEME_ENTRY_SOURCE } from '../../shared/pronunciation';
import { AUTOLINK, HTML_TAG, htmlTagKind } from './html-tags';
import { FenceFinder, type FencedBlock } from './markdown-fences';
import { SLICE, SliceClock, type SpokenTextBuilder } from './spoken-text-builder';

const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$/;
const HEADING = /^\s{0,3}#{1,6}\s+/;
const QUOTE = /^\s*(>\s?)+/;
const LIST_ITEM = /^\s*([-*+]|\d{1,9}[.)])\s+(\[[ xX]\]\s+)?/;
const HEADING_TAIL = /\s+#+\s*$/;
/**
 * Inline Markdown: Kokoro phoneme entries (`[word](/phonemes/)`, kept whole: they look like
 * links), images, links, reference links, code spans, autolinks, HTML tags (group 8, the name);
 * none starts at a character escaped by a backslash (`\[not a link]`).
 */
const MARKDOWN_INLINE = `(${PHONEME_ENTRY_SOURCE})|${/!\[([^\]]*)\]\([^)]*\)|\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]|(`+)([^`]+?)\5/.source}`;
/** Not after an odd number of backslashes. */
const NOT_ESCAPED = String.raw`(?<!(?:^|[^\\])(?:\\\\)*\\)`;
/** A footnote's mark in the text (`[^1]`): no speech, and no group. */
const FOOTNOTE_MARK = /\[\^[^\]\s]{1,50}\]/.source;
const INLINE = new RegExp(`${NOT_ESCAPED}(?:${MARKDOWN_INLINE}|${AUTOLINK}|${HTML_TAG}|${FOOTNOTE_MARK})`, 'dg');
/** A link reference definition (`[1]: https://… "Title"`): an address for the links above, no speech. */
const LINK_DEFINITION = /^ {0,3}\[(?!\^)[^\]]{1,999}\]:[ \t]*\S+(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/;
/** A footnote's text starts with its mark (`[^1]: The source.`): the text is read. */
const FOOTNOTE_START = /^ {0,3}\[\^[^\]\s]{1,50}\]:[ \t]*/;
const ENDS_SENTENCE = /[.!?:;…。！？]["'”’)\]]*$/;
/** The line under a setext heading (`Title` over `=====` or `---`); sticky, tried where a line starts. */
const SETEXT_UNDERLINE = / {0,3}(?:=+|-+)[ \t]*(?:\r\n|\r|\n|$)/y;
/** A blank line, in a quote or not, that ends a quote's paragraph; sticky, as above. */
const BLANK_QUOTE_LINE = /[ \t]*(?:>[ \t]*)*(?:\r\n|\r|\n|$)/y;

/** What stripping left out that the user may want to know about. */
export interface Stripped {
  /** A code block with letters or digits in it was skipped. */
  skippedCode: boolean;
}

/** What a line was, for the rules that look at the line before: a paragraph's text (in a quote or not), a list's, a blank, or another block. */
type LineKind = 'text' | 'quote' | 'list' | 'blank' | 'block';

/** Markdown stripped from `original` into `out`, line by line, yielding after every slice. */
export function* stripMarkdown(original: string, out: SpokenTextBuilder): Generator<void, Stripped> {
  const fences = new FenceFinder(original);
  let block: FencedBlock | null = null;
  let skippedCode = false;
  let previous: LineKind = 'blank';
  let underline = false;
  let nextLf = -1;
  let nextCr = -1;
  let lineStart = 0;
  let sliceEnd = SLICE;
  while (lineStart <= original.length) {
    if (lineStart >= sliceEnd) {
      sliceEnd = lineStart + SLICE;
      yield;
    }
    // A line ends at \r\n, \r or \n; each is searched for again only once passed, so a
    // text without one of them is not scanned to its end for every line.
    if (nextLf < lineStart) nextLf = indexOrEnd(original, '\n', lineStart);
    if (nextCr < lineStart) nextCr = indexOrEnd(original, '\r', lineStart);
    const lineEnd = Math.min(nextLf, nextCr);
    const breakLength = original.startsWith('\r\n', lineEnd) ? 2 : 1;
    const line = original.slice(lineStart, lineEnd);
    const fence: FencedBlock | 'unclosed' | null = block ? null : fences.open(line, lineEnd);
    let kind: LineKind = 'block';
    if (underline) underline = false;
    else if (block && lineStart >= block.closeAt) block = null;
    else if (block) {
      if (!block.isCode) kind = yield* addMarkdownLine(line, lineStart, out, previous);
    } else if (fence && fence !== 'unclosed') {
      block = fence;
      skippedCode ||= fence.isCode && fence.hasSpeech;
    } else if (!fence && !RULE.test(line) && !TABLE_DIVIDER.test(line) && !isLinkDefinition(line, previous)) kind = yield* addMarkdownLine(line, lineStart, out, previous);
    if (kind === 'text' && startsLine(SETEXT_UNDERLINE, original, lineEnd + breakLength)) {
      // A setext heading: its underline is dropped, and the heading is its own sentence.
      closeSentence(out, lineEnd - 1);
      underline = true;
      kind = 'block';
    }
    // The last line of a quote's paragraph ends a sentence, as a heading does.
    if (kind === 'quote' && (lineEnd >= original.length || startsLine(BLANK_QUOTE_LINE, original, lineEnd + breakLength))) closeSentence(out, lineEnd - 1);
    previous = kind;
    out.add('\n', lineEnd);
    lineStart = lineEnd + breakLength;
  }
  return { skippedCode };
}

/**
 * One line of Markdown: block markers off the front, inline syntax unwrapped; returns what the
 * line was. A line may be the whole text (a 10 MB paragraph), so this yields within it too.
 */
function* addMarkdownLine(line: string, offset: number, out: SpokenTextBuilder, previous: LineKind): Generator<void, LineKind> {
  let start = 0;
  let end = line.length;
  let isBlock = false;
  let isListItem = false;
  let isQuote = false;
  for (const marker of [QUOTE, HEADING, LIST_ITEM, FOOTNOTE_START]) {
    const match = marker.exec(line.slice(start));
    if (!match || (marker === LIST_ITEM && !startsList(match[1], previous))) continue;
    start += match[0].length;
    isBlock ||= marker !== QUOTE;
    isListItem ||= marker === LIST_ITEM;
    isQuote ||= marker === QUOTE;
  }
  const isHeading = HEADING.test(line.replace(QUOTE, ''));
  if (isHeading) {
    const tail = HEADING_TAIL.exec(line.slice(start));
    if (tail) end = start + tail.index;
  }
  const isTableRow = /^\s*\|.*\|\s*$/.test(line);
  yield* addInline(line.slice(start, end), offset + start, out, isTableRow);
  // A heading or list item is its own sentence: give the voice its pause.
  if (isBlock || isTableRow) closeSentence(out, offset + end - 1);
  if (isListItem || (previous === 'list' && !isBlock && !isQuote && /\S/.test(line))) return 'list';
  if (isBlock || isTableRow) return 'block';
  if (!/\S/.test(line.slice(start))) return 'blank';
  return isQuote ? 'quote' : 'text';
}

/** CommonMark: a definition cannot interrupt a paragraph, so a line of prose that looks like one is read. */
function isLinkDefinition(line: string, previous: LineKind): boolean {
  return previous !== 'text' && previous !== 'quote' && LINK_DEFINITION.test(line);
}

/** Where `char` is next found in `text` from `from`, or the text's length. */
function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at < 0 ? text.length : at;
}

/** Ends the sentence at `at` unless what was written last already ends one. */
function closeSentence(out: SpokenTextBuilder, at: number): void {
  const last = out.last();
  if (last && !ENDS_SENTENCE.test(last)) out.endSentence(at);
}

/** Whether the sticky `pattern` matches `text` at `at`, where a line starts. */
function startsLine(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at;
  return at < text.length && pattern.test(text);
}

/**
 * Whether a list marker (`-`, `3.`) after a line of `previous` starts an item. CommonMark: a
 * numbered item that would interrupt a paragraph must be numbered 1, so a hard-wrapped line
 * that starts "1945." or "3)" stays text.
 */
function startsList(marker: string, previous: LineKind): boolean {
  return (previous !== 'text' && previous !== 'quote') || !/\d/.test(marker) || Number.parseInt(marker, 10) === 1;
}

function* addInline(text: string, offset: number, out: SpokenTextBuilder, isTableRow: boolean): Generator<void, void> {
  const clock = new SliceClock();
  // A copy: another text may be prepared in slices meanwhile, and lastIndex is the regex's own.
  const inline = new RegExp(INLINE);
  let pos = 0;
  for (let match = inline.exec(text); match; match = inline.exec(text)) {
    const tag = match[8] === undefined ? undefined : htmlTagKind(match[8]);
    if (tag === null) {
      // A name no HTML element has (<Enter>, x<y ... >): text, looked at again from its next character.
      inline.lastIndex = match.index + 1;
      continue;
    }
    yield* addPlain(text, pos, match.index, offset, out, isTableRow, clock);
    if (tag === 'break') out.add('\n', offset + match.index);
    // Keep the readable group of the match (alt text, link text, code, address); drop the rest.
    const groupIndex = [1, 2, 3, 4, 6, 7].find((g) => match[g] !== undefined);
    const span = groupIndex === undefined ? undefined : match.indices?.[groupIndex];
    if (span) yield* addPlain(text, span[0], span[1], offset, out, isTableRow, clock);
    pos = match.index + match[0].length;
    if (clock.advance(match[0].length)) yield;
  }
  yield* addPlain(text, pos, text.length, offset, out, isTableRow, clock);
}

/**
 * Plain text with emphasis markers dropped: `*`, `_`, `~~` runs that open or close a word. A
 * backslash before punctuation is dropped and the punctuation kept as it is (`\*` is a star).
 */
function* addPlain(text: string, from: number, to: number, offset: number, out: SpokenTextBuilder, isTableRow: boolean, clock: SliceClock): Generator<void, void> {
  for (let i = from; i < to; i++) {
    if (clock.advance(1)) yield;
    const ch = text[i];
    if (ch === '\\' && i + 1 < to && ASCII_PUNCTUATION.test(text[i + 1])) {
      out.add(text[++i], offset + i);
      continue;
    }
    // Markdown reads character references as their characters: an answer's "&amp;" is "&".
    const entity = ch === '&' ? entityAt(text, i, to) : null;
    if (entity) {
      out.add(entity.text, offset + i);
      i += entity.length - 1;
      continue;
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      let j = i;
      while (j < to && text[j] === ch) j++;
      const before = text[i - 1];
      const after = text[j];
      const wordBefore = before !== undefined && /[\p{L}\p{N}]/u.test(before);
      const wordAfter = after !== undefined && /[\p{L}\p{N}]/u.test(after);
      const spaced = (before === undefined || /\s/.test(before)) && (after === undefined || /\s/.test(after));
      const isMarker = ch === '~' ? j - i >= 2 : !spaced && !(ch === '_' && wordBefore && wordAfter) && !isTimesSign(text, i, j);
      if (isMarker) {
        i = j - 1;
        continue;
      }
    }
    out.add(isTableRow && ch === '|' ? ' ' : ch, offset + i);
  }
}

/** A lone `*` (at `i`, the run ending at `j`) between numbers, spaced or not, is arithmetic: `4*5`, `2 *3`. */
function isTimesSign(text: string, i: number, j: number): boolean {
  if (j - i !== 1) return false;
  let before = i - 1;
  while (text[before] === ' ' || text[before] === '\t') before--;
  let after = j;
  while (text[after] === ' ' || text[after] === '\t') after++;
  return DIGIT.test(text[before] ?? '') && DIGIT.test(text[after] ?? '');
}

const DIGIT = /^\p{Nd}$/u;

/** What a backslash escapes in Markdown. */
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
