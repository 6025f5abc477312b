import { useEffect, useMemo, useRef, useState } from 'react';
import { AUDIO_FORMATS, isAudioFormat } from '../../../shared/audio-format';
import type { PublicSettings } from '../../../shared/renderer-api';
import type { Bridge } from '../state/bridge';
import { LiveMeters } from './LiveMeters';
import { QueueAndHistory } from './QueueAndHistory';
import { AudioPlayer } from '../audio/audio-player';
import { PlayerController } from '../state/player-controller';
import { usePlayerStore } from '../state/player-store';

/**
 * The player page: text, Speak / Stop / Pause / Skip, the format, and live metrics. The
 * data-testids are a public contract (listed in the README): anyone can automate this page.
 */
export function App({ bridge, isolated = globalThis.crossOriginIsolated === true }: { bridge: Bridge; isolated?: boolean }) {
  const controller = useMemo(() => new PlayerController(bridge, AudioPlayer.create), [bridge]);
  const text = usePlayerStore((s) => s.text);
  const setText = (value: string): void => usePlayerStore.getState().set({ text: value });
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const format = usePlayerStore((s) => s.format);
  const error = usePlayerStore((s) => s.error);
  const notice = usePlayerStore((s) => [s.notice, s.refusals].filter(Boolean).join(' '));
  const busy = usePlayerStore((s) => s.busy);
  const segment = usePlayerStore((s) => s.segment);
  const reading = usePlayerStore((s) => s.reading);
  const paused = usePlayerStore((s) => s.paused);
  const resumable = usePlayerStore((s) => s.resumable);

  useEffect(() => {
    controller.init().then(setSettings, (e: Error) => usePlayerStore.getState().set({ error: e.message }));
    // This page plays what the session hands it, and shows the session's state.
    return controller.attach();
  }, [controller]);

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

  // Keyboard: Ctrl+Enter (⌘↩) in the text box speaks, Escape stops.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && usePlayerStore.getState().busy) controller.control('stop');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

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
      <h1>Utter</h1>
      {!isolated && (
        <p role="alert" className="alert" data-testid="not-isolated">
          This window is not cross-origin isolated, so Utter cannot play audio here.
        </p>
      )}
      <label htmlFor="text-input">Text to speak</label>
      <textarea
        id="text-input"
        ref={textBox}
        data-testid="text-input"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) {
            e.preventDefault();
            speak();
          }
        }}
        rows={8}
        aria-describedby="text-input-help"
      />
      <small id="text-input-help">Ctrl+Enter speaks; Escape stops.</small>
      {resumable && !busy && (
        <p className="resume">
          <button type="button" data-testid="resume-reading" onClick={() => controller.control('resume-saved')}>
            Resume reading “{resumable.title}”
          </button>
        </p>
      )}
      {busy && segment && <Reading text={reading} segment={segment} />}
      <div className="controls">
        <button type="button" data-testid="speak" onClick={speak} disabled={!isolated || !text.trim()}>
          Speak
        </button>
        <button type="button" data-testid="stop" onClick={() => controller.control('stop')} disabled={!busy}>
          Stop
        </button>
        <button
          type="button"
          data-testid="pause"
          aria-pressed={paused}
          disabled={!busy}
          onClick={() => controller.control('pause-resume')}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" data-testid="previous" onClick={() => controller.control('previous')} disabled={!busy}>
          Previous
        </button>
        <button type="button" data-testid="skip" onClick={() => controller.control('skip')} disabled={!busy}>
          Skip
        </button>
        <button type="button" data-testid="open-settings" onClick={() => bridge.openSettings()}>
          Settings…
        </button>
        <label className="open-file">
          Open file…
          <input
            type="file"
            data-testid="open-file"
            multiple
            accept=".txt,.md,.markdown,text/*"
            onChange={(event) => {
              const files = [...(event.target.files ?? [])];
              event.target.value = '';
              if (files.length) void controller.speakFiles(files);
            }}
          />
        </label>
        <label>
          Format{' '}
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
      </div>
      <p role="alert" className="error" data-testid="error">
        {error}
      </p>
      {/* Always in the page, so screen readers announce each new notice. */}
      <p className="notice" role="status" data-testid="notice">
        {notice}
      </p>
      <LiveMeters controller={controller} maxBufferMs={(settings?.streamMaxBuffer ?? 2) * 1000} />
      <QueueAndHistory controller={controller} />
      {settings && !settings.streamingEnabled && <p className="notice">Streaming is off: each segment is downloaded whole before it plays.</p>}
    </main>
  );
}

/** The sentence being heard, with the word being heard marked where the voice reports words. */
function Reading({ text, segment }: { text: string; segment: { start: number; end: number } }) {
  const word = usePlayerStore((s) => s.word);
  const inside = word && word.start >= segment.start && word.end <= segment.end ? word : null;
  return (
    <p className="reading" data-testid="reading" aria-live="off">
      {inside ? (
        <>
          {text.slice(segment.start, inside.start)}
          <mark data-testid="word">{text.slice(inside.start, inside.end)}</mark>
          {text.slice(inside.end, segment.end)}
        </>
      ) : (
        text.slice(segment.start, segment.end)
      )}
    </p>
  );
}
