// The pronunciation dictionary applied to spoken text: each rule in order over the text the
// previous one left, the way back to the original text kept exact (text.ts's `origin`).
import { checkRules, PHONEME_ENTRY, type PronunciationRule } from '../../shared/pronunciation';
import { scanPattern } from '../../shared/pronunciation-pattern';
import type { SpokenText } from './text';

/** A rule ready to run. */
interface CompiledRule {
  rule: PronunciationRule;
  /** Global; for a regex rule, with its open-ended repeats bounded. */
  regex: RegExp;
  /** Word rules speak their replacement as written; regex rules expand $1, $& and $<name>. */
  literal: boolean;
}

/** A dictionary ready to apply; build it once per change of the rules. */
export interface Pronunciations {
  readonly rules: readonly CompiledRule[];
  /** A rule that runs longer than this on one text is given up for that text (default 250 ms). */
  readonly ruleBudgetMs?: number;
}

/** What the voice does with `[word](/phonemes/)`: keep the entry for it (Kokoro), or say the word. */
export type PhonemeMode = 'keep' | 'word';

/** How to apply a dictionary. */
export interface ApplyOptions {
  phonemes: PhonemeMode;
  /** A rule that runs longer than this on one text is given up for that text (default 250 ms). */
  ruleBudgetMs?: number;
  now?: () => number;
}

/** Text a rule sees at once: a slice, cut at a line break or a space near this length. */
const PIECE_CHARS = 2048;
const DEFAULT_RULE_BUDGET_MS = 250;
/** A long text lets the event loop run after about this many characters. */
const YIELD_CHARS = 64 * 1024;
/** Letters, digits, marks and the underscore make words: a word rule's match must not touch one. */
const WORD_CHAR = '[\\p{L}\\p{N}\\p{M}_]';

/**
 * Compiles checked rules; throws with the first refusal for rules that were not checked.
 * `warm: false` skips running each pattern twice (for rules used once, as by "Try it").
 */
export function compilePronunciations(input: readonly PronunciationRule[], options: { ruleBudgetMs?: number; warm?: boolean } = {}): Pronunciations {
  const checked = checkRules(input);
  if (!checked.ok) throw new Error(`Pronunciation rule ${checked.issues[0].index + 1}: ${checked.issues[0].message}`);
  const rules = checked.rules.map(compileRule);
  // V8 compiles a pattern at its first use (for a word rule's Unicode classes under /iu, about
  // 2 ms): done here, when the rules change, not when the user is waiting for speech.
  // Twice: the first run is interpreted, the second compiles it to machine code.
  if (options.warm !== false) for (const { regex } of rules) for (let i = 0; i < 2; i++) Array.from('Warm up 1.'.matchAll(regex));
  return { rules, ruleBudgetMs: options.ruleBudgetMs };
}

function compileRule(rule: PronunciationRule): CompiledRule {
  if (rule.kind === 'word') {
    // Spaces inside the word match any run of spaces or line breaks.
    const body = rule.match
      .trim()
      .split(/\s+/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('\\s+');
    return { rule, regex: new RegExp(`(?<!${WORD_CHAR})${body}(?!${WORD_CHAR})`, rule.caseSensitive ? 'gu' : 'giu'), literal: true };
  }
  const flags = rule.flags ?? '';
  const scanned = scanPattern(rule.match, flags);
  if (!scanned.ok) throw new Error(scanned.problem);
  return { rule, regex: new RegExp(scanned.bounded, `${flags}g`), literal: false };
}

/** One change to the text: [start, end) becomes `text`, whose characters map back through `origin` when given. */
interface Edit {
  start: number;
  end: number;
  text: string;
  origin?: Uint32Array;
}

/**
 * Applies the rules in order, then (for voices that do not read phonemes) turns each
 * `[word](/phonemes/)` into its word. Yields between slices. Rules never rewrite inside a
 * phoneme entry. Returns the new text and what to tell the user (a rule given up on).
 */
export function* applyPronunciations(spoken: SpokenText, dictionary: Pronunciations | undefined, options: ApplyOptions): Generator<void, { spoken: SpokenText; notes: string[] }> {
  const notes: string[] = [];
  const now = options.now ?? (() => performance.now());
  const budget = options.ruleBudgetMs ?? dictionary?.ruleBudgetMs ?? DEFAULT_RULE_BUDGET_MS;
  let current = spoken;
  for (const [index, compiled] of (dictionary?.rules ?? []).entries()) {
    const edits: Edit[] = [];
    // Only the rule's own time counts, not what runs while it yields.
    let spent = 0;
    let gaveUp = false;
    let sinceYield = 0;
    for (const [from, to] of pieces(current.text)) {
      const started = now();
      for (const match of current.text.slice(from, to).matchAll(compiled.regex)) {
        if (match[0] === '') continue;
        const start = from + match.index;
        edits.push({ start, end: start + match[0].length, text: compiled.literal ? compiled.rule.replacement : expand(compiled.rule.replacement, match) });
      }
      spent += now() - started;
      if (spent > budget) {
        gaveUp = true;
        break;
      }
      sinceYield += to - from;
      if (sinceYield >= YIELD_CHARS) {
        sinceYield = 0;
        yield;
      }
    }
    if (gaveUp) {
      notes.push(`Pronunciation rule ${index + 1} (${compiled.rule.match}) took too long on this text and was not applied.`);
      continue;
    }
    if (edits.length) current = edited(current, edits);
  }
  if (options.phonemes === 'word') current = edited(current, phonemeWords(current));
  if (current.replaced) current = { ...current, replaced: mergedSpans(current.replaced) };
  return { spoken: current, notes };
}

/** [start, end) pairs sorted and joined where they overlap (a rule's output replaced again). */
function mergedSpans(spans: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < spans.length; i += 2) pairs.push([spans[i], spans[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of pairs) {
    if (merged.length && start < merged[merged.length - 1]) merged[merged.length - 1] = Math.max(merged[merged.length - 1], end);
    else merged.push(start, end);
  }
  return merged;
}

/**
 * The original span a word the voice reports covers: [start, end) grown to the whole of any
 * replaced span it touches, so each word of "graphical user interface" marks all of "GUI".
 */
export function widenToReplaced(start: number, end: number, replaced: readonly number[] | undefined): [number, number] {
  if (!replaced) return [start, end];
  for (let i = 0; i < replaced.length && replaced[i] < end; i += 2) {
    if (replaced[i + 1] > start) {
      start = Math.min(start, replaced[i]);
      end = Math.max(end, replaced[i + 1]);
    }
  }
  return [start, end];
}

/** The same, at once: for short texts and the settings window's "Try it". */
export function applyPronunciationsNow(spoken: SpokenText, dictionary: Pronunciations | undefined, options: ApplyOptions): { spoken: SpokenText; notes: string[] } {
  const steps = applyPronunciations(spoken, dictionary, options);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * The stretches of `text` rules may look at, as [from, to): between phoneme entries, and
 * cut to about PIECE_CHARS at a line break (else a space) so that the time budget is checked
 * often. A match cannot cross a cut: a phrase split over such a cut is not replaced.
 */
function* pieces(text: string): Generator<[number, number]> {
  let from = 0;
  const entries = text.matchAll(PHONEME_ENTRY);
  for (let entry = entries.next(); ; entry = entries.next()) {
    const end = entry.done ? text.length : entry.value.index;
    while (from < end) {
      let to = Math.min(end, from + PIECE_CHARS);
      if (to < end) {
        const window = text.slice(from + PIECE_CHARS / 2, to);
        const lineBreak = window.lastIndexOf('\n');
        const cut = lineBreak >= 0 ? lineBreak : window.search(/\s\S*$/);
        if (cut >= 0) to = from + PIECE_CHARS / 2 + cut + 1;
      }
      yield [from, to];
      from = to;
    }
    if (entry.done) return;
    from = entry.value.index + entry.value[0].length;
  }
}

/** `[word](/phonemes/)` → `word`, each letter still pointing where it stood. */
function phonemeWords(spoken: SpokenText): Edit[] {
  return [...spoken.text.matchAll(PHONEME_ENTRY)].map((entry) => {
    const wordStart = entry.index + 1;
    return { start: entry.index, end: entry.index + entry[0].length, text: entry[1], origin: spoken.origin.slice(wordStart, wordStart + entry[1].length) };
  });
}

/** A regex rule's replacement with $$, $&, $1…$99 and $<name> filled in from the match. */
function expand(replacement: string, match: RegExpExecArray | RegExpMatchArray): string {
  if (!replacement.includes('$')) return replacement;
  return replacement.replace(/\$(\$|&|\d{1,2}|<([^>]*)>)/g, (token: string, what: string, name: string | undefined) => {
    if (what === '$') return '$';
    if (what === '&') return match[0];
    if (name !== undefined) return match.groups?.[name] ?? (match.groups ? '' : token);
    const group = Number(what);
    if (group >= 1 && group < match.length) return match[group] ?? '';
    // "$12" with one group is "$1" then "2", as String.prototype.replace reads it.
    if (what.length === 2 && Number(what[0]) >= 1 && Number(what[0]) < match.length) return (match[Number(what[0])] ?? '') + what[1];
    return token;
  });
}

/**
 * The text with `edits` (sorted, apart) made. Untouched characters keep their origin; a
 * replacement's characters map onto the span it replaced, its first to the span's first and
 * its last to the span's last, so a sentence or word that begins or ends with it still covers
 * the whole original word.
 */
function edited(spoken: SpokenText, edits: Edit[]): SpokenText {
  if (!edits.length) return spoken;
  const length = edits.reduce((total, edit) => total + edit.text.length - (edit.end - edit.start), spoken.text.length);
  const origin = new Uint32Array(length);
  const replaced = [...(spoken.replaced ?? [])];
  const parts: string[] = [];
  let read = 0;
  let write = 0;
  for (const edit of edits) {
    parts.push(spoken.text.slice(read, edit.start), edit.text);
    origin.set(spoken.origin.subarray(read, edit.start), write);
    write += edit.start - read;
    if (edit.origin) origin.set(edit.origin, write);
    else {
      const first = spoken.origin[edit.start];
      const last = spoken.origin[edit.end - 1];
      const n = edit.text.length;
      replaced.push(first, last + 1);
      for (let k = 0; k < n; k++) origin[write + k] = n === 1 ? first : Math.round(first + ((last - first) * k) / (n - 1));
    }
    write += edit.text.length;
    read = edit.end;
  }
  parts.push(spoken.text.slice(read));
  origin.set(spoken.origin.subarray(read), write);
  return { text: parts.join(''), origin, originalLength: spoken.originalLength, ...(replaced.length ? { replaced } : {}) };
}

/** Servers known to say `[word](/phonemes/)` as its characters: they are sent the word instead. */
const NO_PHONEMES = new Set(['api.openai.com']);

/** Whether the server at `baseUrl` is sent phoneme entries as they are (Kokoro-FastAPI and other misaki-based servers read them). */
export function readsPhonemes(baseUrl: string): boolean {
  try {
    return !NO_PHONEMES.has(new URL(baseUrl).hostname);
  } catch {
    return true;
  }
}

/** `[word](/phonemes/)` → `word`, in a request's text. */
export function sayPhonemeWords(text: string): string {
  return text.includes('](/') ? text.replace(PHONEME_ENTRY, '$1') : text;
}
