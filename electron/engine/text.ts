import { SpeechError } from './errors';
import { applyPronunciations, type PhonemeMode, type Pronunciations } from './pronunciation';
import type { SpeechProvider } from './provider';

/**
 * The text as it will be spoken, with the way back to the original:
 * `origin[i]` is the index in the original text of `text[i]`.
 */
export interface SpokenText {
  text: string;
  origin: Uint32Array;
  /** Length of the original text, for offsets past the last character. */
  originalLength: number;
  /** What the user should know about the preparation (a dictionary rule given up on). */
  notes?: string[];
  /** Spans of the original, [start, end) pairs in order, that a dictionary rule replaced. */
  replaced?: number[];
}

/** Options for preparing text. */
export interface PrepareOptions {
  /** Clipboard text is often an LLM answer: drop its Markdown syntax (default true). */
  stripMarkdown?: boolean;
  /** The pronunciation dictionary, applied after the Markdown is stripped and before segmenting. */
  pronunciations?: Pronunciations;
  /** What the voice does with `[word](/phonemes/)`; default 'keep'. */
  phonemes?: PhonemeMode;
}

/**
 * How a text is prepared for `voice`: the one recipe, for the engine and for the session's
 * check before a text replaces what plays.
 */
export function prepareOptionsFor(settings: { stripMarkdown: boolean }, voice: SpeechProvider['id'], pronunciations?: Pronunciations): PrepareOptions {
  // The embedded voice reads no phonemes: it says the word of each [word](/phonemes/).
  return { stripMarkdown: settings.stripMarkdown, pronunciations, phonemes: voice === 'local' ? 'word' : 'keep' };
}

const FENCE = /^\s{0,3}(```|~~~)/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$/;
const HEADING = /^\s{0,3}#{1,6}\s+/;
const QUOTE = /^\s*(>\s?)+/;
const LIST_ITEM = /^\s*([-*+]|\d{1,9}[.)])\s+(\[[ xX]\]\s+)?/;
const HEADING_TAIL = /\s+#+\s*$/;
/**
 * Inline Markdown: Kokoro phoneme entries (`[word](/phonemes/)`, kept whole: they look like
 * links), images, links, reference links, code spans, autolinks, HTML tags.
 */
const INLINE =
  /(\[[^\]\n[]{1,100}\]\(\/[^/\s()]{1,200}\/\))|!\[([^\]]*)\]\([^)]*\)|\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]|(`+)([^`]+?)\5|<(https?:\/\/[^>\s]+)>|<\/?[a-zA-Z][^<>]*>/dg;
const ENDS_SENTENCE = /[.!?:;…。！？]["'”’)\]]*$/;

/**
 * Builds spoken text one character at a time, folding whitespace as it goes. UTF-16 units
 * and their origins go into typed arrays: a 10 MB text as arrays of one-character strings
 * and numbers took seconds and over half a gigabyte of heap.
 */
class SpokenTextBuilder {
  private units: Uint16Array;
  private origin: Uint32Array;
  private length = 0;

  /** `expected`: about how long the text will be (the original's length), so the arrays rarely grow. */
  constructor(expected: number) {
    this.units = new Uint16Array(Math.max(16, expected + 16));
    this.origin = new Uint32Array(this.units.length);
  }
  /** Whitespace seen but not yet written: folded into one space, or one newline. */
  private pendingSpace: { code: 0x20 | 0x0a; at: number } | null = null;

  /** Adds one character of the original at index `at`. */
  add(ch: string, at: number): void {
    const code = ch.charCodeAt(0);
    // Printable ASCII, most of any text, skips the checks below.
    if (code > 0x20 && code < 0x7f) return this.write(code, at);
    if (/\s/.test(ch)) {
      const newline = ch === '\n' || ch === '\r' || ch === '\u2029';
      if (!this.pendingSpace || newline) this.pendingSpace = { code: newline ? 0x0a : 0x20, at };
      return;
    }
    // C0/C1 control characters are never speech.
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return;
    for (let i = 0; i < ch.length; i++) this.write(ch.charCodeAt(i), at);
  }

  /** Ends a block with a full stop, right after its last character. */
  endSentence(at: number): void {
    this.pendingSpace = null;
    this.add('.', at);
  }

  /** The last character written (whitespace not yet written does not count). */
  last(): string | undefined {
    return this.length ? String.fromCharCode(this.units[this.length - 1]) : undefined;
  }

  /** The spoken text, a slice at a time: decoding 10 MB at once holds the loop for ~30 ms. */
  *build(originalLength: number): Generator<void, SpokenText> {
    const decoder = new TextDecoder('utf-16le');
    let text = '';
    for (let from = 0; from < this.length; from += SLICE) {
      yield;
      // Joined as a rope: no copy until the segmenter first reads it.
      text += decoder.decode(this.units.subarray(from, Math.min(from + SLICE, this.length)));
    }
    // A view, not a copy (40 MB for a 10 MB text): the array is about the original's length.
    return { text, origin: this.origin.subarray(0, this.length), originalLength };
  }

  private write(code: number, at: number): void {
    const space = this.pendingSpace;
    this.pendingSpace = null;
    if (space && this.length) this.push(space.code, space.at);
    this.push(code, at);
  }

  private push(code: number, at: number): void {
    if (this.length === this.units.length) {
      const units = new Uint16Array(this.length * 2);
      units.set(this.units);
      this.units = units;
      const origin = new Uint32Array(this.length * 2);
      origin.set(this.origin);
      this.origin = origin;
    }
    this.units[this.length] = code;
    this.origin[this.length] = at;
    this.length++;
  }
}

/**
 * Normalises whitespace and (by default) strips Markdown, keeping each character's
 * offset in the original so the player can highlight what is being read.
 * Throws SpeechError('input') when nothing speakable is left.
 */
export function prepareText(original: string, options: PrepareOptions = {}): SpokenText {
  const steps = prepareSteps(original, options);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** Texts shorter than this are prepared at once; longer ones in slices, between other work. */
export const PREPARE_AT_ONCE_CHARS = 256 * 1024;

/**
 * prepareText's refusal of `original` (nothing to speak), or null when it has something. A
 * text prepared in slices is not prepared here, which would hold the event loop: it is only
 * searched for a letter or digit (one native scan), and the engine judges the rest as it
 * prepares it.
 */
export function nothingToSpeak(original: string, options: PrepareOptions = {}): string | null {
  if (original.length >= PREPARE_AT_ONCE_CHARS) return mayHaveSpeech(original, options) ? null : nothingToSpeakMessage(original);
  try {
    prepareText(original, options);
    return null;
  } catch (error) {
    if (error instanceof SpeechError && error.kind === 'input') return error.message;
    throw error;
  }
}

/**
 * False only when preparing `original` is sure to leave no letter or digit: it has none, and
 * no pronunciation rule could bring one (a rule "♥ → heart" could; stripping Markdown never adds).
 */
function mayHaveSpeech(original: string, options: PrepareOptions): boolean {
  if (SPEAKABLE.test(original)) return true;
  return (options.pronunciations?.rules ?? []).some((compiled) => SPEAKABLE.test(compiled.rule.replacement));
}

/** Any letter or digit, in any script: what a voice can say. */
const SPEAKABLE = /[\p{L}\p{N}]/u;

/** Why a text with no letters or digits is refused. */
function nothingToSpeakMessage(original: string): string {
  return original.trim() ? 'The text has nothing to speak (no letters or digits).' : 'There is no text to speak: it is empty.';
}

/**
 * prepareText for a long text without holding the event loop: a slice of about 64 K
 * characters at a time, then the loop runs (a 10 MB text is a quarter of a second of work,
 * which the tray, the hotkeys and the audio links must not wait for).
 */
export async function prepareTextInSlices(original: string, options: PrepareOptions = {}): Promise<SpokenText> {
  const steps = prepareSteps(original, options);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The preparation, yielding after every slice of the original. */
function* prepareSteps(original: string, options: PrepareOptions): Generator<void, SpokenText> {
  const out = new SpokenTextBuilder(original.length);
  if (options.stripMarkdown === false) {
    for (let i = 0; i < original.length; i++) {
      out.add(original[i], i);
      if (i % SLICE === SLICE - 1) yield;
    }
  } else {
    yield* stripMarkdown(original, out);
  }
  const built = yield* out.build(original.length);
  const { spoken, notes } = yield* applyPronunciations(built, options.pronunciations, { phonemes: options.phonemes ?? 'keep' });
  if (notes.length) spoken.notes = notes;
  if (!SPEAKABLE.test(spoken.text)) throw new SpeechError('input', nothingToSpeakMessage(original));
  return spoken;
}

/** About how many characters of the original one slice covers. */
const SLICE = 64 * 1024;

function* stripMarkdown(original: string, out: SpokenTextBuilder): Generator<void, void> {
  let inFence = false;
  let lineStart = 0;
  let sliceEnd = SLICE;
  while (lineStart <= original.length) {
    if (lineStart >= sliceEnd) {
      sliceEnd = lineStart + SLICE;
      yield;
    }
    let lineEnd = original.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = original.length;
    const line = original.slice(lineStart, lineEnd);
    if (FENCE.test(line)) inFence = !inFence;
    else if (!inFence && !RULE.test(line) && !TABLE_DIVIDER.test(line)) yield* addMarkdownLine(line, lineStart, out);
    out.add('\n', lineEnd);
    lineStart = lineEnd + 1;
  }
}

/** Counts characters handed to the builder and says when a slice's worth has gone by. */
class SliceClock {
  private done = 0;
  private next = SLICE;

  /** True once another SLICE characters have been processed since the last true. */
  advance(count: number): boolean {
    this.done += count;
    if (this.done < this.next) return false;
    this.next = this.done + SLICE;
    return true;
  }
}

/**
 * One line of Markdown: block markers off the front, inline syntax unwrapped. A line may be
 * the whole text (a 10 MB paragraph), so this yields within it too.
 */
function* addMarkdownLine(line: string, offset: number, out: SpokenTextBuilder): Generator<void, void> {
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
  yield* addInline(line.slice(start, end), offset + start, out, isTableRow);
  // A heading or list item is its own sentence: give the voice its pause.
  const last = out.last();
  if ((isBlock || isTableRow) && last && !ENDS_SENTENCE.test(last)) out.endSentence(offset + end - 1);
}

function* addInline(text: string, offset: number, out: SpokenTextBuilder, isTableRow: boolean): Generator<void, void> {
  const clock = new SliceClock();
  let pos = 0;
  for (const match of text.matchAll(INLINE)) {
    yield* addPlain(text, pos, match.index, offset, out, isTableRow, clock);
    // Keep the readable group of the match (alt text, link text, code, URL); drop the rest.
    const groupIndex = [1, 2, 3, 4, 6, 7].find((g) => match[g] !== undefined);
    const span = groupIndex === undefined ? undefined : match.indices?.[groupIndex];
    if (span) yield* addPlain(text, span[0], span[1], offset, out, isTableRow, clock);
    pos = match.index + match[0].length;
    if (clock.advance(match[0].length)) yield;
  }
  yield* addPlain(text, pos, text.length, offset, out, isTableRow, clock);
}

/** Plain text with emphasis markers dropped: `*`, `_`, `~~` runs that open or close a word. */
function* addPlain(text: string, from: number, to: number, offset: number, out: SpokenTextBuilder, isTableRow: boolean, clock: SliceClock): Generator<void, void> {
  for (let i = from; i < to; i++) {
    if (clock.advance(1)) yield;
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
