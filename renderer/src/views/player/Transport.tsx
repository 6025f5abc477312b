import { Pause, Play, SkipBack, SkipForward, Square } from 'lucide-react';
import { displayAccelerator } from '../../../../shared/accelerator';
import type { Settings } from '../../../../shared/config/schema';
import type { ControlAction } from '../../../../shared/session';
import { usePlayerStore } from '../../state/player-store';
import { IconButton } from './IconButton';
import { PAGE_KEYS } from './page-keys';
import { RateControl, type RateShortcuts } from './RateControl';

/** The shortcuts the tooltips show: the page's own keys and the app's global ones. */
export interface TransportShortcuts extends RateShortcuts {
  pauseResume?: string;
  stop?: string;
  previous?: string;
  skip?: string;
}

/**
 * The tooltips' shortcuts: the page's keys (Escape where it stops here too) and, where they
 * work (`global`: the app, not a browser tab), the settings' global hotkeys after them.
 */
export function transportShortcuts(hotkeys: Settings['hotkeys'] | undefined, { global, escapeStops }: { global: boolean; escapeStops: boolean }): TransportShortcuts {
  const mac = navigator.platform.startsWith('Mac');
  const keys = (page: string | false, accelerator: string | undefined): string | undefined =>
    [page, global && accelerator && displayAccelerator(accelerator, mac)].filter(Boolean).join('; ') || undefined;
  return {
    pauseResume: keys(PAGE_KEYS.pauseResume, hotkeys?.pauseResume),
    stop: keys(escapeStops && PAGE_KEYS.stop, hotkeys?.stop),
    previous: PAGE_KEYS.previous,
    skip: PAGE_KEYS.skip,
    faster: keys(false, hotkeys?.faster),
    slower: keys(false, hotkeys?.slower),
    normalRate: keys(false, hotkeys?.normalRate),
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
      <IconButton icon={SkipBack} label="Previous" shortcut={shortcuts.previous} data-testid="previous" disabled={!busy} onClick={() => control('previous')} />
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
      <IconButton icon={SkipForward} label="Skip" shortcut={shortcuts.skip} data-testid="skip" disabled={!busy} onClick={() => control('skip')} />
      <IconButton icon={Square} label="Stop" shortcut={shortcuts.stop} data-testid="stop" disabled={!busy} onClick={() => control('stop')} />
      <RateControl change={changeRate} shortcuts={shortcuts} />
    </div>
  );
}
