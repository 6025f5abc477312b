import { describe, expect, it } from 'vitest';
import { mergeRules } from '../../electron/store/merge-rules';
import type { PronunciationRule } from '../../shared/pronunciation';

const rule = (match: string, replacement = match.toLowerCase()): PronunciationRule => ({ kind: 'word', match, replacement });
const [A, B, C, D, E] = ['A', 'B', 'C', 'D', 'E'].map((match) => rule(match));

/** A window's change put over the list as it is now, when that changed since the window saw it. */
describe('mergeRules', () => {
  it('is the window’s list when nothing changed elsewhere', () => {
    expect(mergeRules([A, B], [B, A, C], [A, B])).toEqual([B, A, C]);
  });

  it('keeps a rule added elsewhere, after the rule it followed there, and drops one removed there', () => {
    // Elsewhere: B removed, D added after A. Here: E added at the end.
    expect(mergeRules([A, B, C], [A, B, C, E], [A, D, C])).toEqual([A, D, C, E]);
    // Added first elsewhere: first here too.
    expect(mergeRules([A], [A, B], [C, A])).toEqual([C, A, B]);
  });

  it('takes a rule edited on either side as that side has it, in its place', () => {
    const editedHere = rule('A', 'ay');
    const editedThere = rule('B', 'bee');
    expect(mergeRules([A, B], [editedHere, B], [A, editedThere])).toEqual([editedHere, editedThere]);
    // Edited elsewhere while a rule was added after it here: the edit keeps its place.
    expect(mergeRules([A, B], [A, B, D], [A, editedThere])).toEqual([A, editedThere, D]);
    expect(mergeRules([B], [B, D], [editedThere])).toEqual([editedThere, D]);
  });

  it('keeps a rule removed here, and one both sides added, once', () => {
    expect(mergeRules([A, B], [B], [A, B, C])).toEqual([B, C]);
    expect(mergeRules([A], [A, C], [A, C])).toEqual([A, C]);
  });
});
