import { FolderOpen, Settings as SettingsIcon, Volume2 } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AUDIO_FORMATS, isAudioFormat } from '../../../shared/audio-format';
import type { AppInfo, PublicSettings } from '../../../shared/renderer-api';
import type { Bridge } from '../state/bridge';
import { LiveMeters } from './LiveMeters';
import { QueueAndHistory } from './QueueAndHistory';
import { WelcomeDialog } from './WelcomeDialog';
import { AudioPlayer } from '../audio/audio-player';
import { PlayerController } from '../state/player-controller';
import { usePlayerStore } from '../state/player-store';
import { BufferBar, type BufferReading } from './player/BufferBar';
import { IconButton } from './player/IconButton';
import { NowPlaying } from './player/NowPlaying';
import { usePageKeys } from './player/page-keys';
import { SentenceView } from './player/SentenceView';
import { Transport, transportShortcuts } from './player/Transport';
import { SaveAudioButton, SaveStatusLine } from './player/SaveAudio';
import { followSaves, saveText } from '../state/save-audio';
import { useConnectionTrouble } from './connection-trouble';

/**
 * The full player: the text, what is being read, the transport, the buffer, and the
 * metrics behind Details. The data-testids are a public contract (listed in the README):
 * anyone can automate this page.
 */
export function App({ bridge, isolated = globalThis.crossOriginIsolated === true }: { bridge: Bridge; isolated?: boolean }) {
  const controller = useMemo(() => new PlayerController(bridge, AudioPlayer.create), [bridge]);
  const text = usePlayerStore((s) => s.text);
  const setText = (value: string): void => usePlayerStore.getState().set({ text: value });
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const format = usePlayerStore((s) => s.format);
  // What a drop refused is an error when nothing of it could be read, else a note beside what plays.
  // The page's refusal and the session's error can be the same words (a text with nothing to speak): said once.
  const error = usePlayerStore((s) => saidOnce(s.error, s.refusals?.nothingRead && s.refusals.message));
  const notice = usePlayerStore((s) => saidOnce(s.notice, s.refusals?.nothingRead === false && s.refusals.message));
  // While the page has no connection, what it shows of the session is stale: that comes first.
  const trouble = useConnectionTrouble(bridge);
  const busy = usePlayerStore((s) => s.busy);
  const resumable = usePlayerStore((s) => s.resumable);
  const maxBufferMs = (settings?.streamMaxBuffer ?? 2) * 1000;
  const readBuffer = useCallback((): BufferReading | undefined => {
    const metrics = controller.audio()?.metrics();
    const state = usePlayerStore.getState();
    return metrics && { bufferedMs: metrics.bufferedMs, prerollMs: metrics.prerollMs, underruns: metrics.underruns, due: state.busy && !state.paused };
  }, [controller]);
  // The global shortcuts only where they work: the app, not a browser tab.
  const [shell, setShell] = useState<AppInfo['shell'] | null>(null);
  const shortcuts = transportShortcuts(settings?.hotkeys, { global: shell === 'electron', escapeStops: true });

  // Asked again once a lost connection is back, if it was lost before the settings came.
  useEffect(() => {
    if (settings || trouble) return;
    controller.init().then(setSettings, (e: Error) => usePlayerStore.getState().set({ error: e.message }));
  }, [controller, settings, trouble]);
  // Changed elsewhere (the settings window, the file): the shortcuts shown and the meter's scale follow.
  useEffect(() => controller.followSettings(setSettings), [controller]);
  useEffect(() => {
    // This page plays what the session hands it, and shows the session's state.
    const detach = controller.attach();
    // A reload or a closed tab is not a crash: the page says it is going as it unloads.
    const leave = (): void => controller.leave();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      detach();
    };
  }, [controller]);
  useEffect(() => followSaves(bridge), [bridge]);
  useEffect(() => void bridge.appInfo().then((info) => setShell(info.shell), () => {}), [bridge]);

  const speak = (): void => void controller.speak([text], format);

  // Stop, Pause and Skip disable themselves when speech ends; a keyboard user focused on one
  // would be left on the page's body, so focus goes back to the text. Chromium moves the
  // focus off a disabled button only at its next frame, so either state can be seen here.
  const textBox = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const active = document.activeElement;
    const lost = active === null || active === document.body || (active instanceof HTMLButtonElement && active.disabled);
    if (!busy && lost && textBox.current) textBox.current.focus();
  }, [busy]);

  // Keyboard: Ctrl+Enter (⌘↩) in the text box speaks; Escape stops, and outside the fields
  // and buttons Space or K pauses and the arrows move by sentence.
  usePageKeys(controller, true);

  const [dragging, setDragging] = useState(false);
  const drop = (event: React.DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length) void controller.speakFiles(files);
  };

  return (
    <main
      className={dragging ? 'player dragging' : 'player'}
      data-testid="drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
    >
      <header className="topbar">
        <h1 className="brand">Utter</h1>
        <div className="topbar-actions">
          <label className="format-choice">
            <span>Format</span>
            <select
              data-testid="format-select"
              value={format}
              onChange={(e) => isAudioFormat(e.target.value) && controller.chooseFormat(e.target.value)}
            >
              {AUDIO_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
          <label className="open-file icon-button" title="Open text files">
            <FolderOpen aria-hidden="true" focusable="false" className="icon" />
            <span className="visually-hidden">Open file…</span>
            <input
              type="file"
              data-testid="open-file"
              multiple
              accept=".txt,.md,.markdown,.html,.htm,text/*"
              onChange={(event) => {
                const files = [...(event.target.files ?? [])];
                event.target.value = '';
                if (files.length) void controller.speakFiles(files);
              }}
            />
          </label>
          <IconButton icon={SettingsIcon} label="Settings" data-testid="open-settings" onClick={() => bridge.openSettings()} />
        </div>
      </header>
      {!isolated && (
        <p role="alert" className="alert" data-testid="not-isolated">
          This window is not cross-origin isolated, so Utter cannot play audio here.
        </p>
      )}
      <section className="card compose" aria-label="Text">
        <label htmlFor="text-input" className="field-label">
          Text to speak
        </label>
        <textarea
          id="text-input"
          ref={textBox}
          data-testid="text-input"
          dir="auto"
          value={text}
          placeholder="Type or paste text, or drop a text file here."
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) {
              e.preventDefault();
              speak();
            }
          }}
          rows={6}
          aria-describedby="text-input-help"
        />
        <div className="compose-actions">
          <small id="text-input-help">Ctrl+Enter speaks; Escape stops.</small>
          <button type="button" className="primary" data-testid="speak" title="Speak (Ctrl+Enter)" onClick={speak} disabled={!isolated || !text.trim()}>
            <Volume2 aria-hidden="true" focusable="false" className="icon" />
            Speak
          </button>
        </div>
        <SaveAudioButton bridge={bridge} text={text} />
        <SaveStatusLine bridge={bridge} />
      </section>
      {resumable && !busy && (
        <p className="resume">
          <button type="button" data-testid="resume-reading" onClick={() => controller.control('resume-saved')}>
            Resume reading “{resumable.title}”
          </button>
        </p>
      )}
      <section className="card now-playing" aria-label="Now playing">
        <NowPlaying speed={settings?.speed ?? 1} />
        <BufferBar read={readBuffer} maxMs={maxBufferMs} labelled={false} />
        <Transport control={(action) => controller.control(action)} changeRate={(to) => controller.changeRate(to)} shortcuts={shortcuts} />
      </section>
      {busy && <SentenceView readFrom={(offset) => controller.readFrom(offset)} />}
      <p role="alert" className="error" data-testid="error">
        {[trouble, error].filter(Boolean).join(' ')}
      </p>
      {/* Always in the page, so screen readers announce each new notice. */}
      <p className="notice" role="status" data-testid="notice">
        {notice}
      </p>
      {settings && !settings.streamingEnabled && <p className="notice">Streaming is off: each segment is downloaded whole before it plays.</p>}
      <LiveMeters controller={controller} maxBufferMs={maxBufferMs} />
      <QueueAndHistory controller={controller} onSave={(textId) => void saveText(bridge, { textId })} />
      <WelcomeDialog bridge={bridge} />
    </main>
  );
}

/** The messages given, each once, in order. */
function saidOnce(...messages: (string | false | undefined | null)[]): string {
  return [...new Set(messages.filter(Boolean))].join(' ');
}
