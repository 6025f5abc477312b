import type { PronunciationRule } from '../../shared/pronunciation';

/**
 * A window's new list of rules, put over the list as it is now when that changed since the
 * window last saw it (`base`): what the window changed wins, and what was changed elsewhere
 * meanwhile (the file by hand, another window) is kept. A rule removed elsewhere goes; one
 * edited elsewhere (the same word or pattern) takes the old one's place; one added elsewhere
 * comes in beside the rules around it there.
 */
export function mergeRules(base: readonly PronunciationRule[], mine: readonly PronunciationRule[], theirs: readonly PronunciationRule[]): PronunciationRule[] {
  const key = (rule: PronunciationRule): string => JSON.stringify(rule);
  const sameMatch = (a: PronunciationRule, b: PronunciationRule): boolean => a.kind === b.kind && a.match === b.match;
  const inBase = new Set(base.map(key));
  const inMine = new Set(mine.map(key));
  const inTheirs = new Set(theirs.map(key));
  // The window's rules, those removed elsewhere marked gone but kept in place until the end.
  const merged = mine.map((rule) => ({ rule, gone: inBase.has(key(rule)) && !inTheirs.has(key(rule)) }));
  theirs.forEach((rule, index) => {
    if (inBase.has(key(rule)) || inMine.has(key(rule))) return;
    const edited = merged.find((entry) => entry.gone && sameMatch(entry.rule, rule));
    if (edited) return Object.assign(edited, { rule, gone: false });
    // After the nearest rule before it there that is kept, else before the nearest one after it, else last.
    const keys = merged.map((entry) => (entry.gone ? null : key(entry.rule)));
    const before = theirs
      .slice(0, index)
      .map(key)
      .findLast((previous) => keys.includes(previous));
    const after = theirs
      .slice(index + 1)
      .map(key)
      .find((next) => keys.includes(next));
    merged.splice(before !== undefined ? keys.indexOf(before) + 1 : after !== undefined ? keys.indexOf(after) : merged.length, 0, { rule, gone: false });
  });
  return merged.filter((entry) => !entry.gone).map((entry) => entry.rule);
}
