// What `utter doctor` and the tray's "Diagnostics…" say: one line per check, each with
// ok, warning or fail, and the fix in words. Plain data, so the app can hand its checks to
// the CLI over the app socket.
import { z } from 'zod';

/** How a check came out; 'skipped' means it cannot be run from here (said in the detail). */
export type CheckStatus = 'ok' | 'warning' | 'fail' | 'skipped';

/** One check's outcome. */
export interface CheckResult {
  /** Stable name for scripts: 'node', 'provider:http://…', 'hotkeys', … */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about it, when there is something to do. */
  fix?: string;
}

/** Checks a result list from the app socket (untrusted bytes): null when malformed. */
export function parseCheckResults(value: unknown): CheckResult[] | null {
  const result = z
    .array(
      z.object({
        id: z.string().max(500),
        title: z.string().max(500),
        status: z.enum(['ok', 'warning', 'fail', 'skipped']),
        detail: z.string().max(5000),
        fix: z.string().max(5000).optional(),
      }),
    )
    .max(100)
    .safeParse(value);
  return result.success ? result.data : null;
}

const ORDER: CheckStatus[] = ['skipped', 'ok', 'warning', 'fail'];

/** The worst status in the list ('ok' for an empty one). */
export function worstStatus(results: readonly CheckResult[]): CheckStatus {
  return results.reduce<CheckStatus>((worst, r) => (ORDER.indexOf(r.status) > ORDER.indexOf(worst) ? r.status : worst), 'ok');
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok', warning: 'warning', fail: 'FAIL', skipped: 'skipped' };

/** The report as text: one aligned line a check, its fix indented below, and a summary line. */
export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => LABEL[r.status].length));
  const lines = results.flatMap((r) => {
    const head = `${LABEL[r.status].padEnd(width)}  ${r.title}: ${r.detail}`;
    return r.fix ? [head, `${' '.repeat(width)}  → ${r.fix}`] : [head];
  });
  const count = (status: CheckStatus): number => results.filter((r) => r.status === status).length;
  lines.push('', `${count('ok')} ok, ${count('warning')} warning, ${count('fail')} failed, ${count('skipped')} skipped`);
  return lines.join('\n') + '\n';
}
