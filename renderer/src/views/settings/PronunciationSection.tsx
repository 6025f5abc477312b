// Settings › Pronunciation: the user's dictionary, one row per rule, applied in order to every
// text before it is spoken. The whole list is sent on each change, with the list it was made
// from, so that a change made elsewhere meanwhile is kept; the app checks every rule and
// saves nothing while one is refused, which shows next to its field.
import { ArrowDown, ArrowUp, Plus, X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { MAX_MATCH_CHARS, MAX_REPLACEMENT_CHARS, MAX_RULES, type PronunciationRule } from '../../../../shared/pronunciation';
import type { Bridge } from '../../state/bridge';
import { IconButton } from '../player/IconButton';
import { emptyRuleRow, issuesByRow, movedRow, rowsOfRules, rulesOfRows, withFlag, type RuleRow } from './pronunciation-rows';
import { Card, Section } from './Section';
import { TryPronunciation } from './TryPronunciation';
import './pronunciation.css';

/** Where the focus goes once the rows have re-rendered. */
type FocusTarget = { key: number; on: 'match' | 'up' | 'down' };

/** The Pronunciation section. */
export function PronunciationSection({ bridge }: { bridge: Bridge }) {
  const [rows, setRows] = useState<RuleRow[] | null>(null);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const lastSent = useRef('');
  /** The app's list as this window last knew it: what its next change is made from. */
  const known = useRef<PronunciationRule[]>([]);
  /** Saves of this window on their way: their answers bring the list as it is then. */
  const sending = useRef(0);
  const focusNext = useRef<FocusTarget | null>(null);
  const id = useId();
  const controlId = (on: string, key: number): string => `${id}-${on}-${key}`;

  useEffect(() => {
    bridge.pronunciations().then(
      (rules) => {
        const loaded = rowsOfRules(rules);
        // As commit() writes it: the same list reads the same.
        lastSent.current = JSON.stringify(rulesOfRows(loaded).rules);
        known.current = rulesOfRows(loaded).rules;
        setRows(loaded);
      },
      (error: Error) => setStatus(`The dictionary could not be loaded: ${error.message}`),
    );
  }, [bridge]);

  // Changed elsewhere (the file by hand, another window or tab): shown at once, unless this
  // list holds something not saved (a draft, a refusal), which is saved over them when done.
  const shown = useRef({ rows, issues });
  shown.current = { rows, issues };
  useEffect(
    () =>
      bridge.onPronunciations((rules) => {
        if (sending.current > 0) return;
        const { rows: now, issues: refused } = shown.current;
        const kept = now && rulesOfRows(now).rules;
        const unsaved = !now || !kept || Object.keys(refused).length > 0 || kept.length !== now.length || JSON.stringify(kept) !== lastSent.current;
        const loaded = rowsOfRules(rules);
        const body = JSON.stringify(rulesOfRows(loaded).rules);
        if (unsaved || body === lastSent.current) return;
        lastSent.current = body;
        known.current = rulesOfRows(loaded).rules;
        setRows(loaded);
      }),
    [bridge],
  );

  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target) document.getElementById(controlId(target.on, target.key))?.focus();
  });

  if (!rows) {
    return (
      <Section id="settings-pronunciation">
        <Card>
          <p role="status">{status || 'Loading…'}</p>
        </Card>
      </Section>
    );
  }

  /** Shows `next` and sends it, unless it says what was sent last. */
  const commit = (next: RuleRow[], focus?: FocusTarget): void => {
    setRows(next);
    focusNext.current = focus ?? null;
    const sent = rulesOfRows(next);
    const body = JSON.stringify(sent.rules);
    if (body === lastSent.current && !Object.keys(issues).length) return;
    lastSent.current = body;
    const base = known.current;
    known.current = sent.rules;
    sending.current++;
    const answered = bridge.updatePronunciations({ rules: sent.rules, base }).finally(() => sending.current--);
    answered.then(
      (result) => {
        if (lastSent.current !== body) return;
        if (result.ok) {
          known.current = result.rules;
          setIssues({});
          // As commit() writes it: the same list reads the same.
          const savedRows = rowsOfRules(result.rules);
          const saved = JSON.stringify(rulesOfRows(savedRows).rules);
          if (saved === body) return setStatus('Saved.');
          // Rules were added or removed elsewhere meanwhile (the file, another window): kept, and shown.
          lastSent.current = saved;
          setRows(savedRows);
          setStatus('Saved, with the changes made elsewhere meanwhile.');
        } else {
          known.current = base;
          setIssues(issuesByRow(sent.rows, result.issues));
          setStatus('Not saved: correct the rule marked below.');
          // A refused list was not saved: sending it again must not be skipped.
          lastSent.current = '';
        }
      },
      (error: Error) => {
        known.current = base;
        setStatus(`Not saved: ${error.message}`);
      },
    );
  };
  const edit = (key: number, change: Partial<RuleRow>): RuleRow[] => rows.map((row) => (row.key === key ? { ...row, ...change } : row));
  const draft = rulesOfRows(rows).rules;

  return (
    <Section id="settings-pronunciation">
      <Card title="Pronunciation dictionary">
        <p className="hint">
          Each rule replaces a word, or what a regular expression matches, with what the voice should say instead: in order, before the text is spoken. A
          replacement may be a phoneme entry such as <code>[Kokoro](/kˈOkəɹO/)</code>, which Kokoro servers read as written; other voices say its word.
        </p>
        <p className="notice" role="status" data-testid="pronunciation-status">
          {status}
        </p>
        {issues.list && (
          <small role="alert" className="error">
            {issues.list}
          </small>
        )}
        {!rows.length && <p className="hint">No rules yet: every word is said as written.</p>}
        <ol className="rule-rows" aria-label="Rules, applied in this order" hidden={!rows.length}>
          {rows.map((row, index) => (
            <RuleRowView
              key={row.key}
              row={row}
              index={index}
              count={rows.length}
              issues={issues}
              controlId={controlId}
              onEdit={(change) => setRows(edit(row.key, change))}
              onCommit={(change) => commit(edit(row.key, change))}
              onLeave={() => commit(rows)}
              onMove={(by) => commit(movedRow(rows, index, by), { key: row.key, on: (by < 0 ? index === 1 : index === rows.length - 2) ? 'match' : by < 0 ? 'up' : 'down' })}
              onRemove={() => {
                const next = rows.filter((r) => r.key !== row.key);
                commit(next, next.length ? { key: next[Math.min(index, next.length - 1)].key, on: 'match' } : undefined);
              }}
            />
          ))}
        </ol>
        <span className="actions">
          <button
            type="button"
            data-testid="pronunciation-add"
            disabled={rows.length >= MAX_RULES}
            onClick={() => {
              const added = emptyRuleRow();
              setRows([...rows, added]);
              focusNext.current = { key: added.key, on: 'match' };
            }}
          >
            <Plus aria-hidden="true" focusable="false" className="icon" />
            Add rule
          </button>
          {rows.length >= MAX_RULES && <small className="hint">A dictionary holds {MAX_RULES} rules at most.</small>}
        </span>
        <TryPronunciation bridge={bridge} rules={draft} />
      </Card>
    </Section>
  );
}

/** One rule's controls: kind, word or pattern, replacement, case or flags, move, remove. */
function RuleRowView(props: {
  row: RuleRow;
  index: number;
  count: number;
  issues: Record<string, string>;
  controlId: (on: string, key: number) => string;
  onEdit: (change: Partial<RuleRow>) => void;
  onCommit: (change: Partial<RuleRow>) => void;
  onLeave: () => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const { row, index, count, issues, controlId, onEdit, onCommit, onLeave } = props;
  const number = index + 1;
  const matchIssue = issues[`${row.key}:match`];
  const replacementIssue = issues[`${row.key}:replacement`];
  const flagsIssue = issues[`${row.key}:flags`];
  const matchIssueId = controlId('match-issue', row.key);
  const replacementIssueId = controlId('replacement-issue', row.key);
  return (
    <li className="rule-row" data-testid="pronunciation-rule">
      <div className="rule-fields">
        <label className="field">
          <span className="label">Rule {number}</span>
          <select aria-label={`Rule ${number}: kind`} data-testid={`pron-kind-${index}`} value={row.kind} onChange={(e) => onCommit({ kind: e.target.value as RuleRow['kind'] })}>
            <option value="word">Whole word</option>
            <option value="regex">Regular expression</option>
          </select>
        </label>
        <label className="field">
          <span className="label">{row.kind === 'word' ? 'Word' : 'Pattern'}</span>
          <input
            id={controlId('match', row.key)}
            data-testid={`pron-match-${index}`}
            spellCheck={false}
            maxLength={MAX_MATCH_CHARS}
            placeholder={row.kind === 'word' ? 'GUI' : '(\\d+)\\s?km'}
            aria-label={`Rule ${number}: ${row.kind === 'word' ? 'word' : 'pattern'}`}
            aria-invalid={matchIssue ? true : undefined}
            aria-describedby={matchIssue ? matchIssueId : undefined}
            value={row.match}
            onChange={(e) => onEdit({ match: e.target.value })}
            onBlur={onLeave}
          />
          {matchIssue && (
            <small role="alert" className="error" id={matchIssueId} data-testid={`pron-issue-${index}-match`}>
              {matchIssue}
            </small>
          )}
        </label>
        <label className="field">
          <span className="label">Say instead</span>
          <input
            data-testid={`pron-replacement-${index}`}
            spellCheck={false}
            maxLength={MAX_REPLACEMENT_CHARS}
            placeholder={row.kind === 'word' ? 'gooey' : '$1 kilometres'}
            aria-label={`Rule ${number}: say instead`}
            aria-invalid={replacementIssue ? true : undefined}
            aria-describedby={replacementIssue ? replacementIssueId : undefined}
            value={row.replacement}
            onChange={(e) => onEdit({ replacement: e.target.value })}
            onBlur={onLeave}
          />
          {replacementIssue && (
            <small role="alert" className="error" id={replacementIssueId} data-testid={`pron-issue-${index}-replacement`}>
              {replacementIssue}
            </small>
          )}
        </label>
      </div>
      <div className="rule-options">
        {row.kind === 'word' ? (
          <label className="check">
            <input type="checkbox" data-testid={`pron-case-${index}`} checked={row.caseSensitive} onChange={(e) => onCommit({ caseSensitive: e.target.checked })} />
            Match case
          </label>
        ) : (
          <>
            <label className="check">
              <input type="checkbox" data-testid={`pron-flag-i-${index}`} checked={row.flags.includes('i')} onChange={(e) => onCommit({ flags: withFlag(row.flags, 'i', e.target.checked) })} />
              Ignore case (i)
            </label>
            <label className="check">
              <input type="checkbox" data-testid={`pron-flag-u-${index}`} checked={row.flags.includes('u')} onChange={(e) => onCommit({ flags: withFlag(row.flags, 'u', e.target.checked) })} />
              Unicode, for \p{'{…}'} (u)
            </label>
          </>
        )}
        {flagsIssue && (
          <small role="alert" className="error">
            {flagsIssue}
          </small>
        )}
        <span className="actions">
          <IconButton id={controlId('up', row.key)} icon={ArrowUp} label={`Move rule ${number} up`} disabled={index === 0} onClick={() => props.onMove(-1)} />
          <IconButton id={controlId('down', row.key)} icon={ArrowDown} label={`Move rule ${number} down`} disabled={index === count - 1} onClick={() => props.onMove(1)} />
          <IconButton icon={X} label={`Remove rule ${number}`} data-testid={`pron-remove-${index}`} onClick={props.onRemove} />
        </span>
      </div>
    </li>
  );
}
