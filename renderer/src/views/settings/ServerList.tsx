// The servers in failover order, one row each: type a URL (saved when the row is left),
// move a row up, remove it, add one. A refusal shows under the list and marks its row.
import { ArrowUp, Plus, X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { IconButton } from '../player/IconButton';
import { useDescription } from './Field';
import { emptyRow, movedUp, refusedRow, rowsOf, sameList, urlsOf, type ServerRow } from './server-rows';

/** Where the focus goes once the rows have re-rendered: a row's input or its move-up button. */
type FocusTarget = { key: number; on: 'input' | 'up' };

/** The editable list; `save` sends the whole list, the one schema checks each URL. */
export function ServerList({ urls, issues, save }: { urls: string[]; issues: Record<string, string>; save: (urls: string[]) => Promise<boolean> }) {
  const [rows, setRows] = useState<ServerRow[]>(() => rowsOf(urls));
  const { describedBy, notes } = useDescription('baseUrls', issues, 'The first server that answers speaks; when it fails, the next one is asked.');
  const id = useId();
  const labelId = `${id}-label`;
  /** A row's input or move-up button, by the row's key: focus follows a row wherever it moves. */
  const controlId = (on: FocusTarget['on'], key: number): string => `${id}-${on}-${key}`;
  const focusNext = useRef<FocusTarget | null>(null);
  /** Saves of these rows not answered yet: until they are, an older list coming back is no news. */
  const saving = useRef(0);

  // A list changed elsewhere (a preset, a found server) replaces the rows. The rows' own
  // save comes back as the same list and keeps them, with the empty row being typed in.
  const saved = urls.join('\n');
  useEffect(() => {
    if (saving.current > 0) return;
    setRows((current) => (sameList(urlsOf(current), urls) ? current : rowsOf(urls)));
    // Keyed by the list's content: a new array with the same servers is no change.
  }, [saved]);

  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target) document.getElementById(controlId(target.on, target.key))?.focus();
  });

  const commit = (next: ServerRow[], focus?: FocusTarget): void => {
    setRows(next);
    focusNext.current = focus ?? null;
    if (sameList(urlsOf(next), urls)) return;
    saving.current++;
    void save(urlsOf(next)).finally(() => saving.current--);
  };
  const issueKeys = Object.keys(issues);

  return (
    <div className="field" role="group" aria-labelledby={labelId} aria-describedby={describedBy}>
      <span className="label" id={labelId}>
        Servers, in failover order
      </span>
      <ol className="server-rows">
        {rows.map((row, index) => {
          const number = index + 1;
          return (
            <li key={row.key}>
              <input
                id={controlId('input', row.key)}
                type="url"
                aria-label={`Server ${number}`}
                data-testid={index === 0 ? 'setting-baseUrls' : undefined}
                placeholder="https://…/v1"
                spellCheck={false}
                aria-describedby={describedBy}
                aria-invalid={refusedRow(issueKeys, rows, index) || undefined}
                value={row.url}
                onChange={(e) => setRows(rows.map((r) => (r.key === row.key ? { ...r, url: e.target.value } : r)))}
                onBlur={() => commit(rows)}
              />
              <IconButton
                id={controlId('up', row.key)}
                icon={ArrowUp}
                label={`Move server ${number} up`}
                disabled={index === 0}
                // Once first, its button is disabled: the focus stays on the row, in its input.
                onClick={() => commit(movedUp(rows, index), { key: row.key, on: index === 1 ? 'input' : 'up' })}
              />
              <IconButton
                icon={X}
                label={`Remove server ${number}`}
                // The schema wants one server at least.
                disabled={rows.length === 1}
                onClick={() => {
                  const next = rows.filter((r) => r.key !== row.key);
                  commit(next, { key: next[Math.min(index, next.length - 1)].key, on: 'input' });
                }}
              />
            </li>
          );
        })}
      </ol>
      <span className="actions">
        <button
          type="button"
          onClick={() => {
            const added = emptyRow();
            setRows([...rows, added]);
            focusNext.current = { key: added.key, on: 'input' };
          }}
        >
          <Plus aria-hidden="true" focusable="false" className="icon" />
          Add server
        </button>
      </span>
      {notes}
    </div>
  );
}
