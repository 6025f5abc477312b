import { Pause, Play, SkipBack, SkipForward, Square } from 'lucide-react';
import { displayAccelerator } from '../../../../shared/accelerator';
import type { Settings } from '../../../../shared/config/schema';
import type { ControlAction } from '../../../../shared/session';
import { usePlayerStore } from '../../state/player-store';
import { IconButton } from './IconButton';
import { RateControl, type RateShortcuts } from './RateControl';

/** The shortcuts the tooltips show: the page's own keys and the app's global ones. */
export interface TransportShortcuts extends RateShortcuts {
  pauseResume?: string;
  stop?: string;
}

/** The tooltips' shortcuts from the settings' hotkeys; `escapeStops` where the page's Escape stops too. */
export function transportShortcuts(hotkeys: Settings['hotkeys'] | undefined, escapeStops: boolean): TransportShortcuts {
  const mac = navigator.platform.startsWith('Mac');
  const shown = (accelerator: string | undefined): string => (accelerator ? displayAccelerator(accelerator, mac) : '');
  return {
    pauseResume: shown(hotkeys?.pauseResume) || undefined,
    stop: [escapeStops && 'Esc', shown(hotkeys?.stop)].filter(Boolean).join('; ') || undefined,
    faster: shown(hotkeys?.faster) || undefined,
    slower: shown(hotkeys?.slower) || undefined,
    normalRate: shown(hotkeys?.normalRate) || undefined,
  };
}

/**
 * Previous, play/pause, next, stop, and the rate: the same in the full and the mini player.
 * Pause is a toggle (aria-pressed), so its name stays while its icon shows what a press will do.
 */
export function Transport({ control, changeRate, shortcuts = {} }: { control: (action: ControlAction) => void; changeRate: (to: 'faster' | 'slower' | 'normal') => void; shortcuts?: TransportShortcuts }) {
  const busy = usePlayerStore((s) => s.busy);
  const paused = usePlayerStore((s) => s.paused);
  return (
    <div className="transport" role="group" aria-label="Playback controls">
      <IconButton icon={SkipBack} label="Previous" data-testid="previous" disabled={!busy} onClick={() => control('previous')} />
      <IconButton
        icon={paused ? Play : Pause}
        label="Pause"
        className="play-pause"
        data-testid="pause"
        aria-pressed={paused}
        title={`${paused ? 'Resume' : 'Pause'}${shortcuts.pauseResume ? ` (${shortcuts.pauseResume})` : ''}`}
        disabled={!busy}
        onClick={() => control('pause-resume')}
      />
      <IconButton icon={SkipForward} label="Skip" data-testid="skip" disabled={!busy} onClick={() => control('skip')} />
      <IconButton icon={Square} label="Stop" shortcut={shortcuts.stop} data-testid="stop" disabled={!busy} onClick={() => control('stop')} />
      <RateControl change={changeRate} shortcuts={shortcuts} />
    </div>
  );
}
