import { describe, expect, it } from 'vitest';
import { emptyRuleRow, issuesByRow, movedRow, rowsOfRules, rulesOfRows, withFlag } from '../../renderer/src/views/settings/pronunciation-rows';

describe('the settings window\'s rule rows', () => {
  it('send every row but the empty ones, and put each refusal on the row it is about', () => {
    const rows = [...rowsOfRules([{ kind: 'word', match: 'GUI', replacement: 'gooey' }]), emptyRuleRow(), ...rowsOfRules([{ kind: 'regex', match: '(', replacement: 'x', flags: 'i' }])];
    const sent = rulesOfRows(rows);
    expect(sent.rules).toEqual([{ kind: 'word', match: 'GUI', replacement: 'gooey' }, { kind: 'regex', match: '(', replacement: 'x', flags: 'i' }]);
    // The refusal of the second rule sent belongs to the third row shown.
    expect(issuesByRow(sent.rows, [{ index: 1, field: 'match', message: 'bad' }, { index: -1, field: 'rules', message: 'too many' }])).toEqual({ [`${rows[2].key}:match`]: 'bad', list: 'too many' });
  });

  it('keep a word rule\'s case and a regex rule\'s flags apart, and move rows within the list', () => {
    const [word, regex] = rowsOfRules([{ kind: 'word', match: 'US', replacement: 'you ess', caseSensitive: true }, { kind: 'regex', match: 'a', replacement: 'b' }]);
    expect(rulesOfRows([{ ...word, flags: 'i' }, { ...regex, caseSensitive: true }]).rules).toEqual([{ kind: 'word', match: 'US', replacement: 'you ess', caseSensitive: true }, { kind: 'regex', match: 'a', replacement: 'b' }]);
    expect(withFlag('', 'u', true)).toBe('u');
    expect(withFlag('u', 'i', true)).toBe('iu');
    expect(withFlag('iu', 'i', false)).toBe('u');
    expect(movedRow([word, regex], 0, 1)).toEqual([regex, word]);
    expect(movedRow([word, regex], 0, -1)).toEqual([word, regex]);
  });
});
