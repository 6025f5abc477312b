// Settings › Advanced › Audio cache: how much replayable audio is kept, its cap, and the
// button that empties it. The usage is asked afresh when shown and after each change.
import { useEffect, useState } from 'react';
import type { CacheState } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';
import { Field } from './Field';
import { rangeOf } from './ranges';
import { Card } from './Section';
import type { SectionProps } from './use-settings';
import { SavedInput } from './SavedInput';

/** "12.3 MB" */
export function megabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

function describe(state: CacheState): string {
  if (!state.on) return state.capBytes > 0 ? 'No audio is kept in this session.' : 'Off: every sentence is fetched each time it is read.';
  const segments = `${state.entries} ${state.entries === 1 ? 'sentence group' : 'sentence groups'}`;
  return `${megabytes(state.bytes)} of ${megabytes(state.capBytes)} used, ${segments}.`;
}

/** The cache's use, its cap and "Clear cache". */
export function CacheCard({ bridge, settings, issues, changeNumber }: SectionProps & { bridge: Bridge }) {
  const [state, setState] = useState<CacheState | null>(null);
  const [note, setNote] = useState('');
  useEffect(() => {
    bridge.cacheUsage().then(setState, (e: Error) => setNote(`The cache could not be read: ${e.message}`));
  }, [bridge, settings.audioCacheMb]);
  const clear = (): void => {
    const freed = state?.bytes ?? 0;
    bridge.clearCache().then(
      (after) => {
        setState(after);
        setNote(`Cleared ${megabytes(freed)}.`);
      },
      (e: Error) => setNote(`The cache could not be cleared: ${e.message}`),
    );
  };
  return (
    <Card title="Audio cache">
      <p className="hint">Sentences heard whole are kept on this computer, so replaying them, reading them again and jumping back are instant, cost nothing and work offline. The embedded voice is not cached.</p>
      <Field label={`Largest size, MB (${rangeOf('audioCacheMb')}; 0 keeps nothing)`} name="audioCacheMb" issues={issues}>
        <SavedInput data-testid="setting-audioCacheMb" type="number" saved={settings.audioCacheMb} onBlur={(e) => void changeNumber('audioCacheMb', e.target.value)} />
      </Field>
      <div className="cache-usage">
        <p role="status" data-testid="cache-usage">
          {note || (state ? describe(state) : '')}
        </p>
        <button type="button" data-testid="clear-cache" disabled={!state || state.entries === 0} onClick={clear}>
          Clear cache
        </button>
      </div>
    </Card>
  );
}
