import { Pause, Play, SkipBack, SkipForward, Square } from 'lucide-react';
import { displayAccelerator } from '../../../../shared/accelerator';
import type { Settings } from '../../../../shared/config/schema';
import type { ControlAction } from '../../../../shared/session';
import { usePlayerStore } from '../../state/player-store';
import { IconButton } from './IconButton';

/** The shortcuts the tooltips show: the page's own keys and the app's global ones. */
export interface TransportShortcuts {
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
  };
}

/**
 * Previous, play/pause, next, stop: the same four in the full and the mini player. Pause is
 * a toggle (aria-pressed), so its name stays while its icon shows what a press will do.
 */
export function Transport({ control, shortcuts = {} }: { control: (action: ControlAction) => void; shortcuts?: TransportShortcuts }) {
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
    </div>
  );
}
