// Settings › Voice › Voices: the voice (the provider's listed ones offered as it is typed),
// and "Test voice".
import { useEffect, useState } from 'react';
import type { VoiceOption } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';
import { Field } from './Field';
import { Card } from './Section';
import { TestVoice } from './TestVoice';
import type { SectionProps } from './use-settings';

/** The provider's voices, asked again whenever the provider or its servers change. */
function useVoices(bridge: Bridge, settings: SectionProps['settings']) {
  const [voices, setVoices] = useState<VoiceOption[]>([]);
  const [note, setNote] = useState('');
  const source = `${settings.provider}|${settings.baseUrls.join()}`;
  useEffect(() => {
    let current = true;
    bridge.voices().then(
      (list) => {
        if (!current) return;
        setVoices(list);
        setNote(list.length ? '' : 'This server does not list its voices: type one.');
      },
      (e: Error) => current && setNote(e.message),
    );
    return () => {
      current = false;
    };
  }, [bridge, source]);
  return { voices, note };
}

/** The card of the voice: chosen from the provider's list or typed, and tried. */
export function VoiceCard({ bridge, settings, issues, change }: SectionProps & { bridge: Bridge }) {
  const { voices, note } = useVoices(bridge, settings);
  return (
    <Card title="Voices">
      <Field label="Voice" name="voice" issues={issues} hint={note}>
        <input data-testid="setting-voice" list="voices" defaultValue={settings.voice} onBlur={(e) => void change({ voice: e.target.value })} />
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
