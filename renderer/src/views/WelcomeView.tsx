import { useEffect, useId, useRef, useState } from 'react';
import { displayAccelerator } from '../../../shared/accelerator';
import type { LocalServer, PublicSettings, SettingsUpdateResult } from '../../../shared/renderer-api';
import type { SessionView } from '../../../shared/session';
import type { Bridge } from '../state/bridge';
import './welcome.css';

const OPENAI_URL = 'https://api.openai.com/v1';
const SAMPLE = 'Hello! This is how Utter sounds. Copy any text and press the shortcut to hear it.';

/** The voice the settings speak with, as the welcome's choices name it. */
function choiceOf(settings: PublicSettings, found: LocalServer[]): string {
  if (settings.provider === 'local') return 'embedded';
  const url = settings.baseUrls[0];
  if (url === OPENAI_URL) return 'openai';
  return found.find((server) => server.baseUrl === url)?.baseUrl ?? 'other';
}

/**
 * The first run: what Utter does, its shortcut as keys, a voice to choose (the built-in
 * one works now, offline), Try it, and Start at login. In the app it is a window of its
 * own; under `utter web` the player page shows it in a dialog.
 */
export function WelcomeView({ bridge, onDone }: { bridge: Bridge; onDone: () => void }) {
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [found, setFound] = useState<LocalServer[]>([]);
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState('');
  const [tried, setTried] = useState('');
  const asked = useRef(false);
  const heading = useId();

  useEffect(() => {
    bridge.settings().then(setSettings, (e: Error) => setProblem(e.message));
    bridge.localServers().then(setFound, () => setFound([]));
    // What "Try it" did: heard, or why not.
    const follow = (view: SessionView): void => {
      if (!asked.current || !view.current || bridge.textOf(view.current.textId) !== SAMPLE) return;
      if (view.error) setTried(view.error);
      else if (view.state === 'playing') setTried('Speaking…');
    };
    // Asked, not only followed: the app sends its view only to a page that asks for it.
    void bridge.sessionView().then(follow, () => {});
    return bridge.onSession(follow);
  }, [bridge]);

  if (!settings) return <p>{problem || 'Loading…'}</p>;

  const apply = async (patch: Record<string, unknown>): Promise<void> => {
    const result: SettingsUpdateResult = await bridge.updateSettings(patch);
    if (result.ok) {
      setSettings(result.settings);
      setProblem('');
    } else setProblem(result.issues.map((issue) => issue.message).join(' '));
  };
  const choice = choiceOf(settings, found);
  const shortcut = settings.hotkeys.speakClipboard;
  const keys = shortcut ? displayAccelerator(shortcut, navigator.platform.startsWith('Mac')).split('+') : [];

  return (
    <section className="welcome" aria-labelledby={heading}>
      <h1 id={heading}>Utter speaks text from anywhere</h1>
      <p className="welcome-lead">
        Copy text in any app, then press{' '}
        {keys.length ? (
          <span className="keys" data-testid="welcome-shortcut">
            {keys.map((k, i) => (
              <span key={k}>
                {i > 0 && <span className="visually-hidden"> plus </span>}
                <kbd>{k}</kbd>
              </span>
            ))}
          </span>
        ) : (
          'the shortcut you choose in Settings'
        )}
        . Utter reads it aloud as it arrives.
      </p>
      <fieldset className="welcome-voices">
        <legend>Voice</legend>
        <label className="choice">
          <input type="radio" name="voice" data-testid="welcome-embedded" checked={choice === 'embedded'} onChange={() => void apply({ provider: 'local' })} />
          <span>
            Built-in voice <small>works now, offline</small>
          </span>
        </label>
        <label className="choice">
          <input type="radio" name="voice" data-testid="welcome-openai" checked={choice === 'openai'} onChange={() => void apply({ provider: 'openai', baseUrls: [OPENAI_URL] })} />
          <span>
            OpenAI <small>natural voices, needs an API key</small>
          </span>
        </label>
        {choice === 'openai' && (
          <div className="welcome-key">
            <label>
              API key {settings.apiKeySet ? '(one is set)' : ''}
              <input type="password" autoComplete="off" data-testid="welcome-key" value={key} onChange={(e) => setKey(e.target.value)} />
            </label>
            <button type="button" disabled={!key} onClick={() => void apply({ apiKey: key }).then(() => setKey(''))}>
              Save key
            </button>
          </div>
        )}
        {found.map((server) => (
          <label className="choice" key={server.baseUrl}>
            <input
              type="radio"
              name="voice"
              data-testid="welcome-found"
              checked={choice === server.baseUrl}
              onChange={() => void apply({ provider: 'openai', baseUrls: [server.baseUrl], ...(server.voices?.length ? { voice: server.voices[0] } : {}) })}
            />
            <span>
              {server.label} <small>found on this computer</small>
            </span>
          </label>
        ))}
      </fieldset>
      <p role="alert" className="error" data-testid="welcome-problem">
        {problem}
      </p>
      <div className="welcome-try">
        <button
          type="button"
          data-testid="welcome-try"
          onClick={() => {
            asked.current = true;
            setTried('Starting…');
            bridge.speak({ texts: [SAMPLE] }).catch((e: Error) => setTried(e.message));
          }}
        >
          Try it
        </button>
        <span role="status" data-testid="welcome-tried">
          {tried}
        </span>
      </div>
      {settings.openAtLogin !== undefined && (
        <label className="check">
          <input type="checkbox" data-testid="welcome-openAtLogin" checked={settings.openAtLogin} onChange={(e) => void apply({ openAtLogin: e.target.checked })} />
          Start Utter when I log in
        </label>
      )}
      <div className="welcome-done">
        <button type="button" className="primary" data-testid="welcome-done" onClick={onDone}>
          Start using Utter
        </button>
      </div>
    </section>
  );
}
