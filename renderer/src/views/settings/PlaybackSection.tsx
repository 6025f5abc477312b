// Settings › Playback: how texts are read (format, speed, what a new text does to the one
// being read, Markdown, instructions) and, in the app, starting at login.
import { AUDIO_FORMATS } from '../../../../shared/audio-format';
import { Field } from './Field';
import { rangeOf } from './ranges';
import { Card, Section } from './Section';
import type { SectionProps } from './use-settings';
import { SavedInput, SavedTextarea } from './SavedInput';

/** Models known not to take instructions (the engine leaves them out for these). */
const NO_INSTRUCTIONS = /^tts-1/;

/** The Playback section: format, speed, a new text while speaking, Markdown, instructions, start at login. */
export function PlaybackSection({ settings, issues, change, changeNumber }: SectionProps) {
  return (
    <Section id="settings-playback">
      <Card title="Reading">
        <Field label="Format" name="format" issues={issues} hint="The audio format asked of the server; the player's own selector changes it too.">
          <select data-testid="setting-format" value={settings.format} onChange={(e) => void change({ format: e.target.value })}>
            {AUDIO_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </Field>
        {/* Two speeds: this one the voice's, asked of the server; the player's − and + stretch on top of it. */}
        <Field
          label={`Voice speed (${rangeOf('speed')})`}
          name="speed"
          issues={issues}
          hint={`How fast the voice itself reads. The player's − and + change the playback speed on top of it, ${rangeOf('playbackRate')}×.`}
        >
          <SavedInput data-testid="setting-speed" type="number" step="0.05" saved={settings.speed} onBlur={(e) => void changeNumber('speed', e.target.value)} />
        </Field>
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
        {settings.provider === 'openai' && !NO_INSTRUCTIONS.test(settings.model) && (
          <Field label="Instructions (for models that take them)" name="instructions" issues={issues}>
            <SavedTextarea rows={2} saved={settings.instructions} onBlur={(e) => void change({ instructions: e.target.value })} />
          </Field>
        )}
      </Card>
      {settings.openAtLogin !== undefined && (
        <Card title="General">
          <label className="check">
            <input type="checkbox" data-testid="setting-openAtLogin" checked={settings.openAtLogin} onChange={(e) => void change({ openAtLogin: e.target.checked })} />
            Start Utter when I log in (in the tray)
          </label>
        </Card>
      )}
    </Section>
  );
}
