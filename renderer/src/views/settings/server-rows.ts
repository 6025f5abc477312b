// The server list's rows as the user edits them: an empty row is one being typed into, so
// it is shown but not saved, and a refusal's index counts saved rows only.

/** One row: a stable key (focus and React follow the row when it moves) and what it holds. */
export interface ServerRow {
  key: number;
  url: string;
}

let nextKey = 1;

/** Rows for a saved list. */
export function rowsOf(urls: readonly string[]): ServerRow[] {
  return urls.map((url) => ({ key: nextKey++, url }));
}

/** An empty row, for "Add server". */
export function emptyRow(): ServerRow {
  return { key: nextKey++, url: '' };
}

/** The list to save: the rows' URLs, trimmed, without the empty rows. */
export function urlsOf(rows: readonly ServerRow[]): string[] {
  return rows.map((row) => row.url.trim()).filter(Boolean);
}

/** Whether two lists name the same servers in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((url, i) => url === b[i]);
}

/** The rows with row `index` moved one place up. */
export function movedUp(rows: readonly ServerRow[], index: number): ServerRow[] {
  if (index <= 0) return [...rows];
  const next = [...rows];
  [next[index - 1], next[index]] = [next[index], next[index - 1]];
  return next;
}

/**
 * Whether a refusal (keyed `baseUrls` for the whole list, `baseUrls.N` for its Nth saved
 * server) falls on row `index`.
 */
export function refusedRow(issueKeys: readonly string[], rows: readonly ServerRow[], index: number): boolean {
  if (issueKeys.includes('baseUrls')) return true;
  if (!rows[index]?.url.trim()) return false;
  const saved = rows.slice(0, index).filter((row) => row.url.trim()).length;
  return issueKeys.includes(`baseUrls.${saved}`);
}
