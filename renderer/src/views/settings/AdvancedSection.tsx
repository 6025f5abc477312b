// Settings › Advanced: the streaming knobs (docs/streaming-spec.md, sections B, C, E, P).
import type { Bridge } from '../../state/bridge';
import { CacheCard } from './CacheCard';
import { Field } from './Field';
import { rangeOf } from './ranges';
import { Card, Section } from './Section';
import type { SectionProps } from './use-settings';
import { SavedInput } from './SavedInput';

/** A checkbox and what it does, in a sentence. */
function Check(props: { name: 'streamingEnabled' | 'adaptiveBuffer' | 'qualityFallback' | 'hedgeRequests'; children: string } & Pick<SectionProps, 'settings' | 'change'>) {
  const { name, settings, change, children } = props;
  return (
    <label className="check">
      <input type="checkbox" data-testid={`setting-${name}`} checked={settings[name]} onChange={(e) => void change({ [name]: e.target.checked })} />
      {children}
    </label>
  );
}

/** The Advanced section: how audio is streamed and buffered, and the audio cache. */
export function AdvancedSection({ settings, issues, change, changeNumber, bridge }: SectionProps & { bridge: Bridge }) {
  const check = { settings, change };
  return (
    <Section id="settings-advanced">
      <Card title="Streaming">
        <Check name="streamingEnabled" {...check}>
          Play while the audio is still arriving
        </Check>
        <Field label={`Initial buffer, ms (${rangeOf('streamBufferMs')})`} name="streamBufferMs" issues={issues}>
          <SavedInput data-testid="setting-streamBufferMs" type="number" saved={settings.streamBufferMs} onBlur={(e) => void changeNumber('streamBufferMs', e.target.value)} />
        </Field>
        <Check name="adaptiveBuffer" {...check}>
          Learn each server&apos;s network and size the initial buffer from it
        </Check>
        <Check name="qualityFallback" {...check}>
          On a link too slow for pcm or wav, ask for opus (or mp3) until it recovers
        </Check>
        <Check name="hedgeRequests" {...check}>
          When a server is slower than usual to answer, ask the next server in the list too
        </Check>
        <Field label={`Most audio held ahead, s (${rangeOf('streamMaxBuffer')})`} name="streamMaxBuffer" issues={issues}>
          <SavedInput data-testid="setting-streamMaxBuffer" type="number" step="0.1" saved={settings.streamMaxBuffer} onBlur={(e) => void changeNumber('streamMaxBuffer', e.target.value)} />
        </Field>
        <Field label={`Largest chunk, bytes (${rangeOf('streamChunkSize')})`} name="streamChunkSize" issues={issues}>
          <SavedInput data-testid="setting-streamChunkSize" type="number" saved={settings.streamChunkSize} onBlur={(e) => void changeNumber('streamChunkSize', e.target.value)} />
        </Field>
      </Card>
      <CacheCard bridge={bridge} settings={settings} issues={issues} change={change} changeNumber={changeNumber} />
    </Section>
  );
}
