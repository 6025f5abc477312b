import { SpeechError } from './errors';

/**
 * The text as it will be spoken, with the way back to the original:
 * `origin[i]` is the index in the original text of `text[i]`.
 */
export interface SpokenText {
  text: string;
  origin: Uint32Array;
  /** Length of the original text, for offsets past the last character. */
  originalLength: number;
}

/** Options for preparing text. */
export interface PrepareOptions {
  /** Clipboard text is often an LLM answer: drop its Markdown syntax (default true). */
  stripMarkdown?: boolean;
}

const FENCE = /^\s{0,3}(```|~~~)/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$/;
const HEADING = /^\s{0,3}#{1,6}\s+/;
const QUOTE = /^\s*(>\s?)+/;
const LIST_ITEM = /^\s*([-*+]|\d{1,9}[.)])\s+(\[[ xX]\]\s+)?/;
const HEADING_TAIL = /\s+#+\s*$/;
/** Inline Markdown: images, links, reference links, code spans, autolinks, HTML tags. */
const INLINE =
  /!\[([^\]]*)\]\([^)]*\)|\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]|(`+)([^`]+?)\4|<(https?:\/\/[^>\s]+)>|<\/?[a-zA-Z][^<>]*>/dg;
const ENDS_SENTENCE = /[.!?:;…。！？]["'”’)\]]*$/;

/** Builds spoken text one character at a time, folding whitespace as it goes. */
class SpokenTextBuilder {
  private chars: string[] = [];
  private origin: number[] = [];
  /** Whitespace seen but not yet written: folded into one space, or one newline. */
  private pendingSpace: { ch: ' ' | '\n'; at: number } | null = null;

  /** Adds one character of the original at index `at`. */
  add(ch: string, at: number): void {
    if (/\s/.test(ch)) {
      const folded = ch === '\n' || ch === '\r' || ch === '\u2029' ? '\n' : ' ';
      if (!this.pendingSpace || folded === '\n') this.pendingSpace = { ch: folded, at };
      return;
    }
    // C0/C1 control characters are never speech.
    const code = ch.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return;
    if (this.pendingSpace && this.chars.length) {
      this.chars.push(this.pendingSpace.ch);
      this.origin.push(this.pendingSpace.at);
    }
    this.pendingSpace = null;
    this.chars.push(ch);
    this.origin.push(at);
  }

  /** Ends a block with a full stop, right after its last character. */
  endSentence(at: number): void {
    this.pendingSpace = null;
    this.add('.', at);
  }

  /** The last character written (whitespace not yet written does not count). */
  last(): string | undefined {
    return this.chars[this.chars.length - 1];
  }

  build(originalLength: number): SpokenText {
    return { text: this.chars.join(''), origin: Uint32Array.from(this.origin), originalLength };
  }
}

/**
 * Normalises whitespace and (by default) strips Markdown, keeping each character's
 * offset in the original so the player can highlight what is being read.
 * Throws SpeechError('input') when nothing speakable is left.
 */
export function prepareText(original: string, options: PrepareOptions = {}): SpokenText {
  const out = new SpokenTextBuilder();
  if (options.stripMarkdown === false) {
    for (let i = 0; i < original.length; i++) out.add(original[i], i);
  } else {
    stripMarkdown(original, out);
  }
  const spoken = out.build(original.length);
  if (!/[\p{L}\p{N}]/u.test(spoken.text)) {
    throw new SpeechError(
      'input',
      original.trim() ? 'The text has nothing to speak (no letters or digits).' : 'There is no text to speak: it is empty.',
    );
  }
  return spoken;
}

function stripMarkdown(original: string, out: SpokenTextBuilder): void {
  let inFence = false;
  let lineStart = 0;
  while (lineStart <= original.length) {
    let lineEnd = original.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = original.length;
    const line = original.slice(lineStart, lineEnd);
    if (FENCE.test(line)) inFence = !inFence;
    else if (!inFence && !RULE.test(line) && !TABLE_DIVIDER.test(line)) addMarkdownLine(line, lineStart, out);
    out.add('\n', lineEnd);
    lineStart = lineEnd + 1;
  }
}

/** One line of Markdown: block markers off the front, inline syntax unwrapped. */
function addMarkdownLine(line: string, offset: number, out: SpokenTextBuilder): void {
  let start = 0;
  let end = line.length;
  let isBlock = false;
  for (const marker of [QUOTE, HEADING, LIST_ITEM]) {
    const match = marker.exec(line.slice(start));
    if (match) {
      start += match[0].length;
      isBlock ||= marker !== QUOTE;
    }
  }
  const isHeading = HEADING.test(line.replace(QUOTE, ''));
  if (isHeading) {
    const tail = HEADING_TAIL.exec(line.slice(start));
    if (tail) end = start + tail.index;
  }
  const isTableRow = /^\s*\|.*\|\s*$/.test(line);
  addInline(line.slice(start, end), offset + start, out, isTableRow);
  // A heading or list item is its own sentence: give the voice its pause.
  const last = out.last();
  if ((isBlock || isTableRow) && last && !ENDS_SENTENCE.test(last)) out.endSentence(offset + end - 1);
}

function addInline(text: string, offset: number, out: SpokenTextBuilder, isTableRow: boolean): void {
  let pos = 0;
  for (const match of text.matchAll(INLINE)) {
    addPlain(text, pos, match.index, offset, out, isTableRow);
    // Keep the readable group of the match (alt text, link text, code, URL); drop the rest.
    const groupIndex = [1, 2, 3, 5, 6].find((g) => match[g] !== undefined);
    const span = groupIndex === undefined ? undefined : match.indices?.[groupIndex];
    if (span) addPlain(text, span[0], span[1], offset, out, isTableRow);
    pos = match.index + match[0].length;
  }
  addPlain(text, pos, text.length, offset, out, isTableRow);
}

/** Plain text with emphasis markers dropped: `*`, `_`, `~~` runs that open or close a word. */
function addPlain(text: string, from: number, to: number, offset: number, out: SpokenTextBuilder, isTableRow: boolean): void {
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === '*' || ch === '_' || ch === '~') {
      let j = i;
      while (j < to && text[j] === ch) j++;
      const before = text[i - 1];
      const after = text[j];
      const wordBefore = before !== undefined && /[\p{L}\p{N}]/u.test(before);
      const wordAfter = after !== undefined && /[\p{L}\p{N}]/u.test(after);
      const spaced = (before === undefined || /\s/.test(before)) && (after === undefined || /\s/.test(after));
      const isMarker = ch === '~' ? j - i >= 2 : !spaced && !(ch === '_' && wordBefore && wordAfter);
      if (isMarker) {
        i = j - 1;
        continue;
      }
    }
    out.add(isTableRow && ch === '|' ? ' ' : ch, offset + i);
  }
}
