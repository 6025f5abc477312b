import { Maximize2, Pin, PinOff } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo, PublicSettings } from '../../../shared/renderer-api';
import type { SinkLevel } from '../../../shared/session';
import { AudioPlayer } from '../audio/audio-player';
import type { Bridge } from '../state/bridge';
import { PlayerController } from '../state/player-controller';
import { usePlayerStore } from '../state/player-store';
import { BufferBar, type BufferReading } from './player/BufferBar';
import { IconButton } from './player/IconButton';
import { NowPlaying } from './player/NowPlaying';
import { usePageKeys } from './player/page-keys';
import { Transport, transportShortcuts } from './player/Transport';
import { useConnectionTrouble } from './connection-trouble';
import './mini.css';

/**
 * The mini player, a popover by the tray icon: what is being read, the transport, the
 * buffer, the voice and the speed. It plays nothing itself: it shows the session, and the
 * buffer and word the playing page reports.
 */
export function MiniPlayer({ bridge }: { bridge: Bridge }) {
  const controller = useMemo(() => new PlayerController(bridge, AudioPlayer.create), [bridge]);
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [pinned, setPinned] = useState(false);
  const error = usePlayerStore((s) => s.error);
  const trouble = useConnectionTrouble(bridge);
  const level = useRef<SinkLevel | null>(null);

  useEffect(() => {
    controller.init().then(setSettings, (e: Error) => usePlayerStore.getState().set({ error: e.message }));
    // The voice or the speed may change in the settings while this stays open.
    const stopSettings = controller.followSettings(setSettings);
    bridge.appInfo().then(setInfo, () => {});
    const stop = controller.follow((next) => (level.current = next));
    return () => {
      stopSettings();
      stop();
    };
  }, [bridge, controller]);

  // The page's keys as in the full player, but Escape: this is a popover, not the player.
  usePageKeys(controller, false);

  const readBuffer = useCallback((): BufferReading | undefined => {
    const last = level.current;
    const state = usePlayerStore.getState();
    if (!last || !state.busy || last.id !== state.utteranceId) return undefined;
    return { bufferedMs: last.bufferedMs, prerollMs: last.prerollMs, underruns: last.underruns, due: !state.paused };
  }, []);

  const voice = settings ? (settings.provider === 'local' ? 'Embedded voice' : settings.voice || 'Default voice') : '';
  const pin = (on: boolean): void => {
    setPinned(on);
    bridge.pinMini(on);
  };
  return (
    <main className="mini">
      <header className="mini-bar">
        <h1 className="mini-brand">Utter</h1>
        <span className="mini-voice" data-testid="mini-voice">
          {/* The voice's own speed, when not 1: the playback rate is the control below. */}
          {settings && (settings.speed === 1 ? voice : `${voice} at ${settings.speed}×`)}
        </span>
        <BufferBar read={readBuffer} maxMs={(settings?.streamMaxBuffer ?? 2) * 1000} labelled />
        {info?.shell === 'electron' && (
          <IconButton icon={pinned ? PinOff : Pin} label="Keep open" aria-pressed={pinned} data-testid="pin" onClick={() => pin(!pinned)} />
        )}
        <IconButton icon={Maximize2} label="Open the full player" data-testid="open-player" onClick={() => bridge.showPlayer()} />
      </header>
      <section className="mini-now" aria-label="Now playing">
        <NowPlaying speed={settings?.speed ?? 1} />
      </section>
      <Transport
        control={(action) => controller.control(action)}
        changeRate={(to) => controller.changeRate(to)}
        shortcuts={transportShortcuts(settings?.hotkeys, { global: info?.shell === 'electron', escapeStops: false })}
      />
      <p role="alert" className="error" data-testid="error">
        {[trouble, error].filter(Boolean).join(' ')}
      </p>
    </main>
  );
}
