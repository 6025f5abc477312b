// Settings › About: the version, and where the app's own updates stand, with the one
// action that fits (check, download, restart to install). Nothing happens unless the user
// presses it.
import { useEffect, useState } from 'react';
import { describeUpdateStatus, type UpdateAction, type UpdateStatus } from '../../../../shared/updates';
import type { Bridge } from '../../state/bridge';

const ACTION: Partial<Record<UpdateStatus['state'], { action: UpdateAction; label: string; busy: string }>> = {
  idle: { action: 'check', label: 'Check now', busy: 'Checking for updates…' },
  'up-to-date': { action: 'check', label: 'Check now', busy: 'Checking for updates…' },
  error: { action: 'check', label: 'Check again', busy: 'Checking for updates…' },
  available: { action: 'download', label: 'Download', busy: 'Downloading and checking the update…' },
  ready: { action: 'install', label: 'Restart and install', busy: 'Restarting…' },
};

/** The version line, the update status and its action, and the daily check's switch. */
export function Updates({ bridge, automatic, setAutomatic }: { bridge: Bridge; automatic: boolean; setAutomatic: (on: boolean) => void }) {
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  const [version, setVersion] = useState('');
  const [busy, setBusy] = useState('');
  useEffect(() => {
    bridge.updateStatus().then(setStatus, (e: Error) => setStatus({ state: 'off', reason: e.message }));
    bridge.appInfo().then((info) => setVersion(info.version), () => {});
  }, [bridge]);
  if (!status) return null;
  const next = ACTION[status.state];
  const act = (action: UpdateAction, doing: string): void => {
    setBusy(doing);
    bridge
      .updateAction(action)
      .then(setStatus, (e: Error) => setStatus({ state: 'off', reason: e.message }))
      .finally(() => setBusy(''));
  };
  return (
    <>
      <p className="app-version" data-testid="app-version">
        Utter {version}
      </p>
      <p role="status" data-testid="update-status">
        {busy || describeUpdateStatus(status)}
      </p>
      {next && (
        <span className="actions">
          <button type="button" data-testid="update-action" disabled={Boolean(busy)} onClick={() => act(next.action, next.busy)}>
            {next.label}
          </button>
        </span>
      )}
      {status.state !== 'off' && (
        <label className="check">
          <input type="checkbox" checked={automatic} onChange={(e) => setAutomatic(e.target.checked)} />
          Check for updates at start and once a day
        </label>
      )}
    </>
  );
}
