import { useEffect, useState } from 'react';
import { AUDIO_FORMATS } from '../../../shared/audio-format';
import { HOTKEY_ACTIONS, HOTKEY_LABELS, type SettingsIssue } from '../../../shared/config/schema';
import type { PublicSettings, VoiceOption } from '../../../shared/renderer-api';
import type { Bridge } from '../state/bridge';
import { Field, SetByEnvironment } from './settings/Field';
import { PRESETS, presetOf } from './settings/presets';
import { rangeOf } from './settings/ranges';
import { ShortcutInput } from './settings/ShortcutField';
import { TestVoice } from './settings/TestVoice';
import { Updates } from './settings/Updates';
import './settings/settings.css';

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
              {settings.apiKeyWithheldFrom?.length ? (
                // The key goes only to the servers it was entered for: a new one needs the user's word.
                <p className="notice" role="status" data-testid="key-withheld">
                  The API key is not sent to {settings.apiKeyWithheldFrom.join(', ')}: it was entered for other servers.{' '}
                  <button type="button" data-testid="confirm-key" onClick={() => void change({ apiKeyConfirm: true })}>
                    Use the key with {settings.apiKeyWithheldFrom.length > 1 ? 'these servers' : 'this server'}
                  </button>
                </p>
              ) : null}
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
          <Field label={`Speed (${rangeOf('speed')})`} name="speed" issues={issues}>
            <input data-testid="setting-speed" type="number" step="0.05" defaultValue={settings.speed} onBlur={(e) => number('speed', e.target.value)} />
          </Field>
          {settings.provider === 'openai' && !/^tts-1/.test(settings.model) && (
            <Field label="Instructions (for models that take them)" name="instructions" issues={issues}>
              <textarea rows={2} defaultValue={settings.instructions} onBlur={(e) => void change({ instructions: e.target.value })} />
            </Field>
          )}
          <TestVoice bridge={bridge} format={settings.format} />
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
          <Field label={`Initial buffer, ms (${rangeOf('streamBufferMs')})`} name="streamBufferMs" issues={issues}>
            <input data-testid="setting-streamBufferMs" type="number" defaultValue={settings.streamBufferMs} onBlur={(e) => number('streamBufferMs', e.target.value)} />
          </Field>
          <label className="check">
            <input type="checkbox" data-testid="setting-adaptiveBuffer" checked={settings.adaptiveBuffer} onChange={(e) => void change({ adaptiveBuffer: e.target.checked })} />
            Learn each server&apos;s network and size the initial buffer from it
          </label>
          <label className="check">
            <input type="checkbox" data-testid="setting-qualityFallback" checked={settings.qualityFallback} onChange={(e) => void change({ qualityFallback: e.target.checked })} />
            On a link too slow for pcm or wav, ask for opus (or mp3) until it recovers
          </label>
          <label className="check">
            <input type="checkbox" data-testid="setting-hedgeRequests" checked={settings.hedgeRequests} onChange={(e) => void change({ hedgeRequests: e.target.checked })} />
            When a server is slower than usual to answer, ask the next server in the list too
          </label>
          <Field label={`Most audio held ahead, s (${rangeOf('streamMaxBuffer')})`} name="streamMaxBuffer" issues={issues}>
            <input data-testid="setting-streamMaxBuffer" type="number" step="0.1" defaultValue={settings.streamMaxBuffer} onBlur={(e) => number('streamMaxBuffer', e.target.value)} />
          </Field>
          <Field label={`Largest chunk, bytes (${rangeOf('streamChunkSize')})`} name="streamChunkSize" issues={issues}>
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
              <ShortcutInput action={action} saved={settings.hotkeys[action]} save={(value) => void change({ hotkeys: { ...settings.hotkeys, [action]: value } })} />
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
        <Updates bridge={bridge} automatic={settings.checkForUpdates} setAutomatic={(on) => void change({ checkForUpdates: on })} />
      </main>
    </SetByEnvironment.Provider>
  );
}
