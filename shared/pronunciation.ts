// The pronunciation dictionary's one schema: what a rule is, its limits, and why one is
// refused. The store, the contract's doors, the engine and the settings window all use it.
import { z } from 'zod';
import { patternProblem } from './pronunciation-pattern';

/** Most rules a dictionary holds. */
export const MAX_RULES = 200;
/** Longest word or pattern, in characters. */
export const MAX_MATCH_CHARS = 200;
/** Longest replacement, in characters. */
export const MAX_REPLACEMENT_CHARS = 500;

/**
 * One rule: a whole word (case-insensitive unless `caseSensitive`) or a JavaScript regular
 * expression (flags i and u allowed; always global), and the text spoken in its place. A
 * replacement may be a Kokoro-style `[word](/ipa/)` entry.
 */
export interface PronunciationRule {
  kind: 'word' | 'regex';
  match: string;
  replacement: string;
  /** Word rules only: match the letters' case exactly. */
  caseSensitive?: boolean;
  /** Regex rules only: any of "i" and "u". */
  flags?: string;
}

/** Why one field of one rule was refused, for the settings window to show next to it. */
export interface RuleIssue {
  /** The rule's place in the list; -1 for the list as a whole. */
  index: number;
  field: 'kind' | 'match' | 'replacement' | 'flags' | 'rules';
  message: string;
}

/** The answer to updatePronunciations: the saved rules, or each refusal. */
export type PronunciationsUpdateResult = { ok: true; rules: PronunciationRule[] } | { ok: false; issues: RuleIssue[] };

/** The answer to tryPronunciations: the text as the voice would get it, or why the rules were refused. */
export type PronunciationsTryResult = { ok: true; spoken: string } | { ok: false; issues: RuleIssue[] };

const ruleShape = z
  .object({
    kind: z.enum(['word', 'regex'], { error: 'must be "word" or "regex"' }),
    match: z.string({ error: 'must be text' }),
    replacement: z.string({ error: 'must be text' }).max(MAX_REPLACEMENT_CHARS, { error: `must be at most ${MAX_REPLACEMENT_CHARS} characters` }),
    caseSensitive: z.boolean({ error: 'must be true or false' }).optional(),
    flags: z.string({ error: 'must be text' }).optional(),
  })
  .strict();

/** The dictionary file: a version, and the rules in the order they apply. */
export const pronunciationFileSchema = z.object({ version: z.literal(1), rules: z.array(z.unknown()) }).strict();

/** Why `rule` (untrusted) cannot be used, field by field; empty when it can. */
export function ruleIssues(rule: unknown, index: number): RuleIssue[] {
  const shaped = ruleShape.safeParse(rule);
  if (!shaped.success) {
    return shaped.error.issues.map((issue) => {
      const field = issue.path[0];
      const known = field === 'kind' || field === 'match' || field === 'replacement' || field === 'flags';
      const unknownKeys = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` : '';
      return { index, field: known ? field : 'kind', message: unknownKeys || (field === 'caseSensitive' ? `caseSensitive ${issue.message}` : issue.message) };
    });
  }
  const { kind, match, flags } = shaped.data;
  const issues: RuleIssue[] = [];
  if (!match.trim()) issues.push({ index, field: 'match', message: kind === 'word' ? 'Enter the word to replace.' : 'Enter a pattern.' });
  else if (match.length > MAX_MATCH_CHARS) issues.push({ index, field: 'match', message: `must be at most ${MAX_MATCH_CHARS} characters` });
  if (kind === 'word' && flags !== undefined) issues.push({ index, field: 'flags', message: 'only a regex rule takes flags' });
  if (kind === 'regex') {
    // Length first: the repeat check backtracks (about 75 ms on 8,000 distinct characters, 200 rules a request).
    if (flags !== undefined && flags.length > 2) issues.push({ index, field: 'flags', message: `may hold only i and u, each once (it holds ${flags.length} characters)` });
    else if (flags !== undefined && !/^(?!.*(.).*\1)[iu]*$/.test(flags)) issues.push({ index, field: 'flags', message: 'may hold only i and u, each once' });
    else if (match.trim() && match.length <= MAX_MATCH_CHARS) {
      const problem = patternProblem(match, flags ?? '');
      if (problem) issues.push({ index, field: 'match', message: problem });
    }
  }
  return issues;
}

/** Checks an untrusted list of rules: the rules, or every refusal. */
export function checkRules(input: unknown): { ok: true; rules: PronunciationRule[] } | { ok: false; issues: RuleIssue[] } {
  if (!Array.isArray(input)) return { ok: false, issues: [{ index: -1, field: 'rules', message: 'must be a list of rules' }] };
  if (input.length > MAX_RULES) return { ok: false, issues: [{ index: -1, field: 'rules', message: `at most ${MAX_RULES} rules` }] };
  const issues = input.flatMap((rule, index) => ruleIssues(rule, index));
  if (issues.length) return { ok: false, issues };
  return { ok: true, rules: input.map((rule) => normalRule(rule as PronunciationRule)) };
}

/** The rule with only the fields its kind uses, so the file stays tidy. */
function normalRule(rule: PronunciationRule): PronunciationRule {
  const { kind, match, replacement } = rule;
  if (kind === 'word') return rule.caseSensitive ? { kind, match, replacement, caseSensitive: true } : { kind, match, replacement };
  return rule.flags ? { kind, match, replacement, flags: rule.flags } : { kind, match, replacement };
}

/** An entry's word: what other voices say, and what the player marks. */
const ENTRY_WORD = String.raw`[^\]\n[]{1,100}`;
/**
 * Its phonemes: one run with no slash, space or parenthesis, and at least one character
 * outside ASCII (misaki writes stress marks and IPA: kˈOkəɹO). A Markdown link to a path,
 * `[the guide](/guide/)`, has none, and is a link.
 */
const ENTRY_PHONEMES = String.raw`(?=[^/\s()]*[^\x00-\x7F])[^/\s()]{1,200}`;

/**
 * A Kokoro-style entry, `[word](/phonemes/)`: the word as written, then its phonemes between
 * slashes. Servers built on misaki (Kokoro-FastAPI) say the phonemes; other voices say the word.
 */
export const PHONEME_ENTRY = new RegExp(String.raw`\[(${ENTRY_WORD})\]\(\/(${ENTRY_PHONEMES})\/\)`, 'g');
/** The same, with no groups, for a pattern that holds it among others. */
export const PHONEME_ENTRY_SOURCE = String.raw`\[${ENTRY_WORD}\]\(\/${ENTRY_PHONEMES}\/\)`;
