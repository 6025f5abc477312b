// The dot beside the provider picker: whether the provider in use answers, said in words
// too (the colour alone would leave out who cannot tell it apart).
import { useEffect, useState } from 'react';
import type { ProviderStatus } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';

const LABELS: Record<ProviderStatus['status'] | 'checking', string> = {
  checking: 'Checking…',
  reachable: 'Reachable',
  'key-refused': 'Key refused',
  unreachable: 'Unreachable',
  'offline-voice': 'Offline voice',
};

/**
 * Checks the provider on open and whenever `subject` (the provider, its servers, its key)
 * changes; an answer to an older subject is dropped.
 */
export function ProviderStatusDot({ bridge, subject }: { bridge: Bridge; subject: string }) {
  const [result, setResult] = useState<ProviderStatus | null>(null);
  useEffect(() => {
    let current = true;
    setResult(null);
    bridge.checkProvider().then(
      (answer) => current && setResult(answer),
      (error: Error) => current && setResult({ status: 'unreachable', detail: error.message }),
    );
    return () => {
      current = false;
    };
  }, [bridge, subject]);
  const status = result?.status ?? 'checking';
  return (
    <span className="provider-status" role="status" data-testid="provider-status" data-status={status}>
      <span className={`status-dot ${status}`} aria-hidden="true" />
      <span className="status-label">{LABELS[status]}</span>
      {result?.detail && <small className="hint">{result.detail}</small>}
    </span>
  );
}
