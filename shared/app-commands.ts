/**
 * What the main process asks the player page to do (tray, hotkeys, a second launch), and
 * what the page reports back for the tray. Plain data over IPC.
 */
export type AppCommand =
  | { type: 'speak'; text: string; source: 'clipboard' | 'file' | 'second-instance' }
  | { type: 'stop' }
  | { type: 'pause-resume' }
  | { type: 'skip' };

/** The player's state as the tray shows it. */
export interface PlayerStatusReport {
  status: 'idle' | 'speaking' | 'paused' | 'error';
  /** The sentence being heard. */
  reading?: string;
  error?: string;
}

/** Checks a status report from the page (untrusted): null when malformed. */
export function parseStatusReport(value: unknown): PlayerStatusReport | null {
  if (!value || typeof value !== 'object') return null;
  const report = value as Record<string, unknown>;
  if (!['idle', 'speaking', 'paused', 'error'].includes(report.status as string)) return null;
  const text = (field: unknown): string | undefined => (typeof field === 'string' ? field.slice(0, 500) : undefined);
  return { status: report.status as PlayerStatusReport['status'], reading: text(report.reading), error: text(report.error) };
}
