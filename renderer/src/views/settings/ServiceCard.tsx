// Settings › Voice › Speech service: which provider speaks (a preset, with whether it
// answers), servers found on this computer, and for a server: its failover list, its key
// and its model.
import { useState } from 'react';
import type { LocalServer } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';
import { Field } from './Field';
import { FoundServers } from './FoundServers';
import { PRESETS, presetOf } from './presets';
import { ProviderStatusDot } from './ProviderStatusDot';
import { Card } from './Section';
import { ServerList } from './ServerList';
import type { SectionProps } from './use-settings';
import { SavedInput } from './SavedInput';

/** The speech service's card: provider, servers, key, model. */
export function ServiceCard({ bridge, settings, issues, change, keyRevision }: SectionProps & { bridge: Bridge; keyRevision: number }) {
  const [key, setKey] = useState('');
  const server = settings.provider === 'openai';
  // What a check depends on: a new provider, list of servers or key is checked again.
  const checked = [settings.provider, settings.baseUrls.join(' '), settings.apiKeySet, keyRevision].join('|');
  const inUse = (found: LocalServer): boolean => server && settings.baseUrls[0] === found.baseUrl;
  const saveKey = (): void => {
    if (key) void change({ apiKey: key }).then(() => setKey(''));
  };

  return (
    <Card title="Speech service">
      <Field label="Provider" name="provider" issues={issues} actions={<ProviderStatusDot bridge={bridge} subject={checked} />}>
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
      <FoundServers bridge={bridge} inUse={inUse} use={(found) => void change({ provider: 'openai', baseUrls: [found.baseUrl] })} />
      {server && (
        <>
          <ServerList urls={settings.baseUrls} issues={issues} save={(baseUrls) => change({ baseUrls })} />
          <Field
            label={settings.apiKeySet ? 'API key (one is set)' : 'API key (none set)'}
            name="apiKey"
            issues={issues}
            actions={
              <>
                <button type="button" disabled={!key} onClick={saveKey}>
                  Save key
                </button>
                <button type="button" disabled={!settings.apiKeySet} onClick={() => void change({ apiKey: '' })}>
                  Clear key
                </button>
              </>
            }
          >
            <input
              data-testid="setting-apiKey"
              type="password"
              autoComplete="off"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              // Enter saves it, as in any field that has its own Save.
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                saveKey();
              }}
            />
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
            <SavedInput data-testid="setting-model" saved={settings.model} onBlur={(e) => void change({ model: e.target.value })} />
          </Field>
        </>
      )}
    </Card>
  );
}
