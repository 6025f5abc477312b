import { Minus, Plus } from 'lucide-react';
import { formatRate, MAX_RATE, MIN_RATE } from '../../../../shared/playback-rate';
import { usePlayerStore } from '../../state/player-store';
import { IconButton } from './IconButton';

/** The tooltips' shortcuts for the rate (the app's global ones). */
export interface RateShortcuts {
  faster?: string;
  slower?: string;
  normalRate?: string;
}

/**
 * Slower, the rate, faster: the same compact control in the full and the mini player. The
 * rate itself is a button back to 1×. A change is heard at once, mid-sentence, and kept.
 */
export function RateControl({ change, shortcuts = {} }: { change: (to: 'faster' | 'slower' | 'normal') => void; shortcuts?: RateShortcuts }) {
  const rate = usePlayerStore((s) => s.rate);
  const shown = formatRate(rate);
  return (
    <div className="rate" role="group" aria-label="Playback speed">
      <IconButton icon={Minus} label="Slower" className="rate-step" shortcut={shortcuts.slower} data-testid="rate-slower" disabled={rate <= MIN_RATE} onClick={() => change('slower')} />
      <button
        type="button"
        className="rate-value"
        data-testid="rate"
        aria-label={`Speed ${shown}: back to normal`}
        title={`Speed ${shown}: press for normal speed${shortcuts.normalRate ? ` (${shortcuts.normalRate})` : ''}`}
        onClick={() => change('normal')}
      >
        {shown}
      </button>
      <IconButton icon={Plus} label="Faster" className="rate-step" shortcut={shortcuts.faster} data-testid="rate-faster" disabled={rate >= MAX_RATE} onClick={() => change('faster')} />
    </div>
  );
}
