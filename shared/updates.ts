import { z } from 'zod';

/** Where the app's own updates stand, as Settings › About and updates, the tray and `utter doctor` say it. */
export type UpdateStatus =
  /** This copy cannot update itself, and why (no feed in the build, run from source, utter web). */
  | { state: 'off'; reason: string }
  | { state: 'idle'; feed: string }
  | { state: 'checking'; feed: string }
  | { state: 'up-to-date'; feed: string; version: string; checkedAt: number }
  | { state: 'available'; feed: string; version: string }
  | { state: 'downloading'; feed: string; version: string }
  /** Downloaded and verified: installs when the user says so (never on its own). */
  | { state: 'ready'; feed: string; version: string }
  | { state: 'error'; feed: string; message: string };

/** What the user may ask of the updater: updates are offered, never forced. */
export const updateActionSchema = z.enum(['check', 'download', 'install'], { error: 'must be check, download or install' });
export type UpdateAction = z.infer<typeof updateActionSchema>;

/** One line for the tray, the notification and the settings page. */
export function describeUpdateStatus(status: UpdateStatus): string {
  switch (status.state) {
    case 'off':
      return `Updates are off: ${status.reason}.`;
    case 'idle':
      return 'Not checked yet.';
    case 'checking':
      return 'Checking for updates…';
    case 'up-to-date':
      return `Utter ${status.version} is the newest version.`;
    case 'available':
      return `Utter ${status.version} is available.`;
    case 'downloading':
      return `Downloading Utter ${status.version}…`;
    case 'ready':
      return `Utter ${status.version} is downloaded and checked: restart to install it.`;
    case 'error':
      return status.message;
  }
}
