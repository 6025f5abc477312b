import { Children, cloneElement, createContext, isValidElement, useContext, useEffect, useId, useMemo, useState, type ReactElement, type ReactNode } from 'react';
import { AUDIO_FORMATS } from '../../shared/audio-format';
import { HOTKEY_ACTIONS, HOTKEY_LABELS, type SettingsIssue } from '../../shared/config/schema';
import type { PublicSettings, VoiceOption } from '../../shared/renderer-api';
import type { Bridge } from './bridge';
import { displayAccelerator } from '../../shared/accelerator';
import { recordKeyPress } from './hotkey-recorder';
import { PlayerController } from './player-controller';
import { usePlayerStore } from './player-store';

/** ⌘ is the primary modifier on a Mac, Ctrl elsewhere (the shortcut fields record with it). */
const MAC = /Mac/.test(navigator.userAgent);

/** Provider presets: each sets the provider and its failover list. */
const PRESETS = [
  { id: 'embedded', label: 'Embedded voice (offline)', provider: 'local', baseUrls: null },
  { id: 'openai', label: 'OpenAI', provider: 'openai', baseUrls: ['https://api.openai.com/v1'] },
  { id: 'kokoro', label: 'Kokoro-FastAPI', provider: 'openai', baseUrls: ['http://127.0.0.1:8880/v1'] },
  { id: 'custom', label: 'Custom server', provider: 'openai', baseUrls: null },
] as const;

function presetOf(settings: PublicSettings): string {
  if (settings.provider === 'local') return 'embedded';
  const match = PRESETS.find((p) => p.baseUrls && p.baseUrls.join() === settings.baseUrls.join());
  return match?.id ?? 'custom';
}

/**
 * The settings window: every change is sent at once, validated by the one schema in the
 * main process (or `utter web`), and a refused value is shown next to its field with the
 * accepted range. The API key is write-only: the page only learns whether one is set.
 */
export function SettingsView({ bridge }: { bridge: Bridge }) {
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [voices, setVoices] = useState<VoiceOption[]>([]);
  const [voicesNote, setVoicesNote] = useState('');
  const [key, setKey] = useState('');
  const [saved, setSaved] = useState('');
  // "Test voice" plays through the same audio path as the player.
  const tester = useMemo(() => new PlayerController(bridge), [bridge]);
  const testFirstAudio = usePlayerStore((s) => s.firstAudio);
  const testError = usePlayerStore((s) => s.error);
  const testing = usePlayerStore((s) => s.busy);
  useEffect(() => {
    let frame = 0;
    const tick = (): void => {
      tester.frame();
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [tester]);

  useEffect(() => {
    bridge.settings().then(setSettings, (e: Error) => setIssues({ '(settings)': e.message }));
  }, [bridge]);
  // The voice list follows the provider and its servers.
  const voiceSource = settings ? `${settings.provider}|${settings.baseUrls.join()}` : '';
  useEffect(() => {
    if (!voiceSource) return;
    bridge.voices().then(
      (list) => {
        setVoices(list);
        setVoicesNote(list.length ? '' : 'This server does not list its voices: type one.');
      },
      (e: Error) => setVoicesNote(e.message),
    );
  }, [bridge, voiceSource]);

  if (!settings) return <main className="settings">{issues['(settings)'] ?? 'Loading…'}</main>;

  /** Sends a change; shows the refusal next to the field, or the saved state. */
  const change = async (patch: Record<string, unknown>): Promise<void> => {
    const result = await bridge.updateSettings(patch);
    const cleared = { ...issues };
    for (const name of Object.keys(patch)) for (const k of Object.keys(cleared)) if (k === name || k.startsWith(`${name}.`)) delete cleared[k];
    if (result.ok) {
      setSettings(result.settings);
      setIssues(cleared);
      setSaved('Saved.');
    } else {
      setIssues({ ...cleared, ...Object.fromEntries(result.issues.map((i: SettingsIssue) => [i.setting, i.message])) });
      setSaved('');
    }
  };
  const number = (name: string, value: string): void => void change({ [name]: value === '' ? undefined : Number(value) });

  return (
    <SetByEnvironment.Provider value={settings.fromEnvironment ?? {}}>
    <main className="settings">
      <h1>Settings</h1>
      <p className="notice" role="status" data-testid="settings-saved">
        {saved}
      </p>
      <fieldset>
        <legend>Voice</legend>
        <Field label="Provider" name="provider" issues={issues}>
          <select
            data-testid="setting-preset"
            value={presetOf(settings)}
            onChange={(e) => {
              const preset = PRESETS.find((p) => p.id === e.target.value)!;
              void change({ provider: preset.provider, ...(preset.baseUrls ? { baseUrls: [...preset.baseUrls] } : {}) });
            }}
          >
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </Field>
        {settings.provider === 'openai' && (
          <>
            <Field label="Server URLs, in failover order (one per line)" name="baseUrls" issues={issues}>
              <textarea
                // Uncontrolled while typing; a preset that changes the list remounts it.
                key={settings.baseUrls.join('\n')}
                data-testid="setting-baseUrls"
                rows={3}
                defaultValue={settings.baseUrls.join('\n')}
                onBlur={(e) => void change({ baseUrls: e.target.value.split('\n').map((s) => s.trim()).filter(Boolean) })}
              />
            </Field>
            <Field
              label={settings.apiKeySet ? 'API key (one is set)' : 'API key (none set)'}
              name="apiKey"
              issues={issues}
              actions={
                <>
                  <button type="button" disabled={!key} onClick={() => void change({ apiKey: key }).then(() => setKey(''))}>
                    Save key
                  </button>
                  <button type="button" disabled={!settings.apiKeySet} onClick={() => void change({ apiKey: '' })}>
                    Clear key
                  </button>
                </>
              }
            >
              <input data-testid="setting-apiKey" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
            </Field>
            <Field label="Model" name="model" issues={issues}>
              <input data-testid="setting-model" defaultValue={settings.model} onBlur={(e) => void change({ model: e.target.value })} />
            </Field>
          </>
        )}
        <Field label="Voice" name="voice" issues={issues} hint={voicesNote}>
          <input data-testid="setting-voice" list="voices" defaultValue={settings.voice} onBlur={(e) => void change({ voice: e.target.value })} />
          <datalist id="voices">
            {voices.map((v) => (
              <option key={v.id} value={v.id}>
                {[v.name, v.language].filter(Boolean).join(' · ')}
              </option>
            ))}
          </datalist>
        </Field>
        <Field label="Speed (0.25–4)" name="speed" issues={issues}>
          <input data-testid="setting-speed" type="number" step="0.05" defaultValue={settings.speed} onBlur={(e) => number('speed', e.target.value)} />
        </Field>
        {settings.provider === 'openai' && !/^tts-1/.test(settings.model) && (
          <Field label="Instructions (for models that take them)" name="instructions" issues={issues}>
            <textarea rows={2} defaultValue={settings.instructions} onBlur={(e) => void change({ instructions: e.target.value })} />
          </Field>
        )}
        <div className="row">
          <button type="button" data-testid="test-voice" disabled={testing} onClick={() => void tester.speak('This is how I sound with these settings.', settings.format)}>
            Test voice
          </button>
          <span data-testid="test-result" role="status">
            {testError ? testError : testFirstAudio ? `First audio heard after ${testFirstAudio.totalMs} ms.` : testing ? 'Speaking…' : ''}
          </span>
        </div>
        <Field label="Format" name="format" issues={issues}>
          <select data-testid="setting-format" value={settings.format} onChange={(e) => void change({ format: e.target.value })}>
            {AUDIO_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </Field>
      </fieldset>
      <fieldset>
        <legend>Streaming</legend>
        <label className="check">
          <input type="checkbox" data-testid="setting-streamingEnabled" checked={settings.streamingEnabled} onChange={(e) => void change({ streamingEnabled: e.target.checked })} />
          Play while the audio is still arriving
        </label>
        <Field label="Initial buffer, ms (20–5000)" name="streamBufferMs" issues={issues}>
          <input data-testid="setting-streamBufferMs" type="number" defaultValue={settings.streamBufferMs} onBlur={(e) => number('streamBufferMs', e.target.value)} />
        </Field>
        <Field label="Most audio held ahead, s (0.2–60)" name="streamMaxBuffer" issues={issues}>
          <input data-testid="setting-streamMaxBuffer" type="number" step="0.1" defaultValue={settings.streamMaxBuffer} onBlur={(e) => number('streamMaxBuffer', e.target.value)} />
        </Field>
        <Field label="Chunk size, bytes (256–1048576)" name="streamChunkSize" issues={issues}>
          <input data-testid="setting-streamChunkSize" type="number" defaultValue={settings.streamChunkSize} onBlur={(e) => number('streamChunkSize', e.target.value)} />
        </Field>
      </fieldset>
      <fieldset>
        <legend>Keys and behaviour</legend>
        {HOTKEY_ACTIONS.map((action) => (
          <Field
            key={action}
            label={HOTKEY_LABELS[action]}
            name={`hotkeys.${action}`}
            issues={issues}
            hint={settings.hotkeyProblems?.[action] ? `Not active: ${settings.hotkeyProblems[action]}.` : 'Press the keys to use; Backspace clears.'}
          >
            <input
              // Shown as the platform spells it; what is saved keeps CommandOrControl.
              data-testid={`setting-hotkey-${action}`}
              defaultValue={displayAccelerator(settings.hotkeys[action], MAC)}
              placeholder="none"
              onKeyDown={(e) => {
                const recorded = recordKeyPress(e, MAC);
                if (recorded.kind === 'pass') {
                  if (e.key === 'Escape') e.currentTarget.value = displayAccelerator(settings.hotkeys[action], MAC);
                  return;
                }
                e.preventDefault();
                if (recorded.kind === 'wait') return;
                const value = recorded.kind === 'clear' ? '' : recorded.accelerator;
                e.currentTarget.value = displayAccelerator(value, MAC);
                void change({ hotkeys: { ...settings.hotkeys, [action]: value } });
              }}
              onBlur={(e) => {
                const typed = e.target.value.trim();
                if (typed !== displayAccelerator(settings.hotkeys[action], MAC)) void change({ hotkeys: { ...settings.hotkeys, [action]: typed } });
              }}
            />
          </Field>
        ))}
        <Field label="Speak while speaking" name="whileSpeaking" issues={issues}>
          <select value={settings.whileSpeaking} onChange={(e) => void change({ whileSpeaking: e.target.value })}>
            <option value="interrupt">Stop and speak the new text</option>
            <option value="queue">Queue it</option>
          </select>
        </Field>
        <label className="check">
          <input type="checkbox" checked={settings.stripMarkdown} onChange={(e) => void change({ stripMarkdown: e.target.checked })} />
          Read Markdown as plain text
        </label>
        {settings.openAtLogin !== undefined && (
          <label className="check">
            <input type="checkbox" data-testid="setting-openAtLogin" checked={settings.openAtLogin} onChange={(e) => void change({ openAtLogin: e.target.checked })} />
            Start Utter when I log in (in the tray)
          </label>
        )}
      </fieldset>
    </main>
    </SetByEnvironment.Provider>
  );
}

/** Settings an UTTER_* variable sets, by name: their fields say so, since the variable wins. */
const SetByEnvironment = createContext<Partial<Record<string, string>>>({});

/**
 * A labelled field. Its hint and its refusal, if any, describe the control for screen
 * readers, and a refusal marks it invalid and is announced as it appears.
 */
function Field(props: { label: string; name: string; issues: Record<string, string>; hint?: string; actions?: ReactNode; children: ReactNode }) {
  const { label, name, issues, actions, children } = props;
  const variable = useContext(SetByEnvironment)[name];
  const hint = [variable && `Set by ${variable} in the environment, which wins over this field.`, props.hint].filter(Boolean).join(' ');
  const issue = Object.entries(issues).find(([k]) => k === name || k.startsWith(`${name}.`))?.[1];
  const id = useId();
  const describedBy = [hint && `${id}-hint`, issue && `${id}-issue`].filter(Boolean).join(' ') || undefined;
  // The first input, select or textarea among the children is the control described.
  let described = false;
  const control = Children.map(children, (child) => {
    if (described || !isValidElement(child) || !['input', 'select', 'textarea'].includes(child.type as string)) return child;
    described = true;
    return cloneElement(child as ReactElement<Record<string, unknown>>, { 'aria-describedby': describedBy, 'aria-invalid': issue ? true : undefined });
  });
  return (
    <div className="field">
      <label>
        <span>{label}</span>
        {control}
      </label>
      {/* Buttons that act on the control sit outside its label, so they are not part of its name. */}
      {actions && <span className="row">{actions}</span>}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {issue && (
        <small role="alert" className="error" id={`${id}-issue`} data-testid={`issue-${name}`}>
          {issue}
        </small>
      )}
    </div>
  );
}
