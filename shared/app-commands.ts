import { z } from 'zod';

/**
 * What the main process asks the player page to do (tray, hotkeys, a second launch), and
 * what the page reports back for the tray. Plain data over IPC.
 */
export type AppCommand =
  | { type: 'speak'; text: string; source: 'clipboard' | 'file' | 'second-instance' }
  /** After what is playing and queued (more files from one open or drop). */
  | { type: 'queue'; text: string }
  | { type: 'stop' }
  | { type: 'pause-resume' }
  | { type: 'skip' };

/** The player's state as the tray shows it. */
export interface PlayerStatusReport {
  status: 'idle' | 'speaking' | 'paused' | 'error';
  /** The sentence being heard. */
  reading?: string;
  error?: string;
  /** A retry or failover the user should hear of when no window is open. */
  notice?: string;
  /** How opening the audio output went, once the page has tried (for Diagnostics). */
  audio?: { ok: boolean; detail: string };
}

/** A status report from the page (untrusted): long texts are cut to what a tooltip shows. */
export const statusReportSchema = z.object({
  status: z.enum(['idle', 'speaking', 'paused', 'error']),
  reading: z.string().max(100_000).optional().transform((text) => text?.slice(0, 500)),
  error: z.string().max(100_000).optional().transform((text) => text?.slice(0, 500)),
  notice: z.string().max(100_000).optional().transform((text) => text?.slice(0, 500)),
  audio: z.object({ ok: z.boolean(), detail: z.string().max(1000) }).optional(),
});
