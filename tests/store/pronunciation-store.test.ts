import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PronunciationStore } from '../../electron/store/pronunciation-store';
import { prepareText } from '../../electron/engine/text';

/** A store on a fresh folder, its notices collected. */
function storeIn(content?: string | Buffer) {
  const dir = mkdtempSync(join(tmpdir(), 'utter-pron-'));
  const file = join(dir, 'pronunciations.json');
  if (content !== undefined) writeFileSync(file, content);
  const notices: string[] = [];
  const store = new PronunciationStore({ file, onNotice: (m) => notices.push(m) });
  const backups = () => readdirSync(dir).filter((name) => name.includes('.bad-'));
  return { dir, file, store, notices, backups };
}

const GOOD = { kind: 'word', match: 'GUI', replacement: 'gooey' };

describe('the pronunciation file', () => {
  it('is no rules when missing, and is written only when the rules change', async () => {
    const { store, file, dir, notices } = storeIn();
    expect(await store.load()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    expect(await store.update([GOOD, { kind: 'regex', match: '(\\d+)km', replacement: '$1 kilometres', flags: 'i' }])).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, rules: [GOOD, { kind: 'regex', match: '(\\d+)km', replacement: '$1 kilometres', flags: 'i' }] });
    // A new store reads back what was saved, and its rules apply.
    const again = new PronunciationStore({ file });
    expect(await again.load()).toHaveLength(2);
    expect(prepareText('The GUI runs 5km.', { pronunciations: again.compiled() }).text).toBe('The gooey runs 5 kilometres.');
    expect(notices).toEqual([]);
  });

  it('refuses an invalid rule, says which field of which rule, and writes nothing', async () => {
    const { store, file } = storeIn(JSON.stringify({ version: 1, rules: [GOOD] }));
    await store.load();
    const result = await store.update([GOOD, { kind: 'regex', match: '([a-z]', replacement: 'x' }]);
    expect(result).toEqual({ ok: false, issues: [{ index: 1, field: 'match', message: 'Not a valid regular expression: Unterminated group.' }] });
    expect(JSON.parse(readFileSync(file, 'utf8')).rules).toEqual([GOOD]);
    expect(store.rules()).toEqual([GOOD]);
  });

  it('keeps a file that is not JSON aside, byte for byte, and starts with no rules', async () => {
    const damaged = Buffer.from('{"version": 1, "rules": [\u0000');
    const { store, notices, backups, dir, file } = storeIn(damaged);
    expect(await store.load()).toEqual([]);
    expect(backups()).toHaveLength(1);
    expect(readFileSync(join(dir, backups()[0]))).toEqual(damaged);
    expect(notices).toEqual([expect.stringMatching(/is not valid JSON .* It was kept as .*pronunciations\.json\.bad-.*; no rules are used\.$/)]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, rules: [] });
  });

  it('keeps the valid rules of a hostile file, and sets the file aside', async () => {
    const hostile = JSON.stringify({
      version: 1,
      rules: [
        GOOD,
        { kind: 'regex', match: '(a+)+$', replacement: 'x' },
        { kind: 'regex', match: '', replacement: 'x' },
        { kind: 'word', match: 'x', replacement: 'y'.repeat(10_000) },
        'PROTO',
        'not a rule',
        { kind: 'word', match: 'ok', replacement: 'okay' },
      ],
      // A key JSON.parse makes an own property, where an object literal would set the prototype.
    }).replace('"PROTO"', '{"kind":"word","match":"y","replacement":"z","__proto__":{"polluted":true}}');
    const { store, notices, backups } = storeIn(hostile);
    expect(await store.load()).toEqual([GOOD, { kind: 'word', match: 'ok', replacement: 'okay' }]);
    expect(backups()).toHaveLength(1);
    expect(notices[0]).toMatch(/has rules that cannot be used \(rule 2: A repeated group .*; rule 3: Enter a pattern\.; rule 4: must be at most 500 characters; …\)\. It was kept as .*; the 2 valid rules are used\./);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['another version', JSON.stringify({ version: 2, rules: [] })],
    ['a list, not the dictionary', JSON.stringify([GOOD])],
    ['more than a megabyte', JSON.stringify({ version: 1, rules: [GOOD], padding: ' '.repeat(1_100_000) })],
  ])('sets aside %s', async (_what, content) => {
    const { store, notices, backups } = storeIn(content);
    expect(await store.load()).toEqual([]);
    expect(backups()).toHaveLength(1);
    expect(notices).toHaveLength(1);
  });

  it('keeps the first 200 rules of a longer list', async () => {
    const rules = Array.from({ length: 250 }, (_, i) => ({ kind: 'word', match: `w${i}`, replacement: `r${i}` }));
    const { store, notices } = storeIn(JSON.stringify({ version: 1, rules }));
    expect(await store.load()).toHaveLength(200);
    expect(notices[0]).toMatch(/more than 200 rules/);
  });

  it('takes up rules written into the file while it runs, and leaves a broken edit alone, saying so once', async () => {
    const { store, file, notices, backups } = storeIn(JSON.stringify({ version: 1, rules: [GOOD] }));
    await store.load();
    expect(await store.reloadIfChanged()).toBe(false);
    const TUI = { kind: 'word', match: 'TUI', replacement: 'tooey' };
    writeFileSync(file, JSON.stringify({ version: 1, rules: [GOOD, TUI] }));
    expect(await store.reloadIfChanged()).toBe(true);
    expect(prepareText('A TUI and a GUI.', { pronunciations: store.compiled() }).text).toBe('A tooey and a gooey.');
    // Its own write is not taken for someone else's.
    await store.update([TUI]);
    expect(await store.reloadIfChanged()).toBe(false);
    // Half an edit: the rules in use stay, the file is not touched, and it is said once.
    const broken = '{ "version": 1, "rules": [ { "kind": "word", ';
    writeFileSync(file, broken);
    expect(await store.reloadIfChanged()).toBe(false);
    expect(await store.reloadIfChanged()).toBe(false);
    expect(store.rules()).toEqual([TUI]);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(backups()).toEqual([]);
    expect(notices).toEqual([expect.stringMatching(/pronunciations\.json was changed, but it is not valid JSON .*Utter keeps the rules it had until the file is fixed; a change made in Utter meanwhile replaces the file, which is then kept as a backup\.$/)]);
    // A change made in Utter before the edit is finished: the half edit is kept, byte for byte, and said.
    expect(await store.update([GOOD])).toMatchObject({ ok: true });
    expect(backups()).toHaveLength(1);
    expect(readFileSync(join(file, '..', backups()[0]), 'utf8')).toBe(broken);
    expect(notices.at(-1)).toMatch(/^The changed .*pronunciations\.json, which was not valid, was kept as .*\.bad-/);
    expect(JSON.parse(readFileSync(file, 'utf8')).rules).toEqual([GOOD]);
  });

  it('reads a file an editor saved with a byte-order mark, and does not take it for changed at the next look', async () => {
    const { store, notices, backups } = storeIn(`\ufeff${JSON.stringify({ version: 1, rules: [GOOD] })}`);
    expect(await store.load()).toEqual([GOOD]);
    expect(await store.reloadIfChanged()).toBe(false);
    expect(notices).toEqual([]);
    expect(backups()).toEqual([]);
  });

  it('keeps what changed elsewhere since a window last saw the list: rules added or removed there stay so, with its own change', async () => {
    const A = { kind: 'word', match: 'A1', replacement: 'one' };
    const B = { kind: 'word', match: 'B2', replacement: 'two' };
    const C = { kind: 'word', match: 'C3', replacement: 'three' };
    const D = { kind: 'word', match: 'D4', replacement: 'four' };
    const { store, file } = storeIn(JSON.stringify({ version: 1, rules: [A, B] }));
    await store.load();
    // The window saw [A, B]. Meanwhile the file is edited by hand, and the watcher has not yet said so: B goes, C comes after A.
    writeFileSync(file, JSON.stringify({ version: 1, rules: [A, C] }));
    // The window adds D at the end.
    expect(await store.update([A, B, D], [A, B])).toEqual({ ok: true, rules: [A, C, D] });
    expect(JSON.parse(readFileSync(file, 'utf8')).rules).toEqual([A, C, D]);
    // Without a base, as before: the list given is the list.
    expect(await store.update([D])).toEqual({ ok: true, rules: [D] });
    // A base that is no list of rules is no base.
    expect(await store.update([A], 'nonsense')).toEqual({ ok: true, rules: [A] });
  });

  it('in memory, starts from the rules given and writes nothing', async () => {
    const store = new PronunciationStore({ file: null, initial: [GOOD as never] });
    expect(await store.load()).toEqual([GOOD]);
    expect(await store.update([])).toEqual({ ok: true, rules: [] });
  });
});
