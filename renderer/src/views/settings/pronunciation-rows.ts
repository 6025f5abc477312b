// The dictionary's rules as the settings window edits them: each row keeps a stable key (the
// focus and the refusals follow it when it moves); a row with neither a word nor a replacement
// is one just added, shown but not sent.
import type { PronunciationRule, RuleIssue } from '../../../../shared/pronunciation';

/** One rule being edited. */
export interface RuleRow {
  key: number;
  kind: 'word' | 'regex';
  match: string;
  replacement: string;
  caseSensitive: boolean;
  /** Regex flags: any of i and u. */
  flags: string;
}

let nextKey = 1;

/** Rows for saved rules. */
export function rowsOfRules(rules: readonly PronunciationRule[]): RuleRow[] {
  return rules.map((rule) => ({ key: nextKey++, kind: rule.kind, match: rule.match, replacement: rule.replacement, caseSensitive: rule.caseSensitive === true, flags: rule.flags ?? '' }));
}

/** A new, empty word rule. */
export function emptyRuleRow(): RuleRow {
  return { key: nextKey++, kind: 'word', match: '', replacement: '', caseSensitive: false, flags: '' };
}

/** The rows that are sent (not the empty ones), with the rule each becomes. */
export function rulesOfRows(rows: readonly RuleRow[]): { rows: RuleRow[]; rules: PronunciationRule[] } {
  const sent = rows.filter((row) => row.match || row.replacement);
  const rules = sent.map((row): PronunciationRule => {
    if (row.kind === 'word') return row.caseSensitive ? { kind: 'word', match: row.match, replacement: row.replacement, caseSensitive: true } : { kind: 'word', match: row.match, replacement: row.replacement };
    return row.flags ? { kind: 'regex', match: row.match, replacement: row.replacement, flags: row.flags } : { kind: 'regex', match: row.match, replacement: row.replacement };
  });
  return { rows: sent, rules };
}

/** Refusals by row key and field ("12:match"); those about the whole list under "list". */
export function issuesByRow(sentRows: readonly RuleRow[], issues: readonly RuleIssue[]): Record<string, string> {
  const byRow: Record<string, string> = {};
  for (const issue of issues) {
    const row = sentRows[issue.index];
    const name = row ? `${row.key}:${issue.field === 'kind' ? 'match' : issue.field}` : 'list';
    byRow[name] ??= issue.message;
  }
  return byRow;
}

/** The rows with row `index` moved by `by` places (-1 up, 1 down). */
export function movedRow(rows: readonly RuleRow[], index: number, by: -1 | 1): RuleRow[] {
  const to = index + by;
  if (to < 0 || to >= rows.length) return [...rows];
  const next = [...rows];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

/** The flags with `flag` on or off. */
export function withFlag(flags: string, flag: 'i' | 'u', on: boolean): string {
  return ['i', 'u'].filter((f) => (f === flag ? on : flags.includes(f))).join('');
}
