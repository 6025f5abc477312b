// Settings › Voice › Voices: the provider's voices to choose and preview, a field for a
// voice id the server does not list, and "Test voice".
import { useEffect, useState } from 'react';
import type { VoiceOption } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';
import { Field } from './Field';
import { Card } from './Section';
import { TestVoice } from './TestVoice';
import type { SectionProps } from './use-settings';
import { VoicePicker } from './VoicePicker';

/** The provider's voices, asked again whenever the provider or its servers change. */
function useVoices(bridge: Bridge, settings: SectionProps['settings']) {
  const [voices, setVoices] = useState<VoiceOption[]>([]);
  const [note, setNote] = useState('');
  const source = `${settings.provider}|${settings.baseUrls.join()}`;
  useEffect(() => {
    let current = true;
    bridge.voices().then(
      ({ voices: list, unread }) => {
        if (!current) return;
        setVoices(list);
        // A list that could not be read is said: its voices are missing, not absent.
        if (unread.length) setNote(`${unread.join(' ')} Type one of its voices here.`);
        else setNote(list.length ? '' : 'This server does not list its voices: type one.');
      },
      (e: Error) => current && setNote(e.message),
    );
    return () => {
      current = false;
    };
  }, [bridge, source]);
  return { voices, note, source };
}

/** The card of the voice: chosen from the provider's list or typed, and tried. */
export function VoiceCard({ bridge, settings, issues, change }: SectionProps & { bridge: Bridge }) {
  const { voices, note, source } = useVoices(bridge, settings);
  return (
    <Card title="Voices">
      {/* A new list starts unfiltered and short: a language or length chosen for the last one means nothing here. */}
      <VoicePicker key={source} bridge={bridge} format={settings.format} voices={voices} selected={settings.voice} choose={(voice) => change({ voice })} />
      <Field label="Voice id" name="voice" issues={issues} hint={note || 'For a voice the server has but does not list; empty for the default.'}>
        {/* Remounted when the voice changes elsewhere (the list above), so it shows the saved one. */}
        <input key={settings.voice} data-testid="setting-voice" list="voices" defaultValue={settings.voice} onBlur={(e) => void change({ voice: e.target.value })} />
        <datalist id="voices">
          {voices.map((v) => (
            <option key={v.id} value={v.id}>
              {[v.name, v.language].filter(Boolean).join(' · ')}
            </option>
          ))}
        </datalist>
      </Field>
      <TestVoice bridge={bridge} format={settings.format} />
    </Card>
  );
}
