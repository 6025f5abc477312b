// The provider's voices as a list to choose from, filtered by language, each with a button
// that speaks a sample in it. The voice list is one Tab stop (arrows move in a radio
// group) and so is its Preview (the chosen voice's), so the rest of the page stays near.
// A long list shows its first voices and the chosen one until asked for all: the page
// scrolls, the list does not (a box scrolling inside it clips rows in half).
import { Play } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import type { AudioFormat } from '../../../../shared/audio-format';
import type { VoiceOption } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';
import { IconButton } from '../player/IconButton';
import { ALL_LANGUAGES, languageChoices, languageGroupOf } from './voice-languages';

const SAMPLE = 'This is how this voice sounds.';

/** Rows shown before "Show all": enough for a server's usual list, short for eSpeak's hundred. */
const FIRST_ROWS = 8;

/** The provider's own default, as the voice setting spells it. */
const DEFAULT_VOICE: VoiceOption = { id: '', name: "The provider's default" };

function labelOf(voice: VoiceOption): string {
  return voice.name || voice.id;
}

/** What a row says beside the voice's name: its id and its language, each when it adds something. */
function detailOf(voice: VoiceOption): string {
  const id = voice.name && voice.id !== voice.name ? voice.id : '';
  const language = voice.language && voice.language !== voice.id ? voice.language : '';
  return [id, language].filter(Boolean).join(' · ');
}

/**
 * The list. `choose` saves the voice setting; a preview chooses its voice first, since a
 * speak request carries no voice of its own, then speaks through the session like any text.
 */
export function VoicePicker(props: { bridge: Bridge; format: AudioFormat; voices: VoiceOption[]; selected: string; choose: (voice: string) => Promise<boolean> }) {
  const { bridge, format, voices, selected, choose } = props;
  const [language, setLanguage] = useState(ALL_LANGUAGES);
  // Shown checked at once, before the saved setting comes back.
  const [chosen, setChosen] = useState(selected);
  useEffect(() => setChosen(selected), [selected]);
  const [note, setNote] = useState('');
  const [showAll, setShowAll] = useState(false);
  const name = useId();

  const choices = languageChoices(voices);
  const shown = [DEFAULT_VOICE, ...voices.filter((v) => language === ALL_LANGUAGES || languageGroupOf(v.language) === language)];
  const listed = showAll ? shown : shown.filter((v, i) => i < FIRST_ROWS || v.id === chosen);
  const previewStop = listed.some((v) => v.id === chosen) ? chosen : listed[0].id;

  const pick = async (voice: VoiceOption): Promise<boolean> => {
    setChosen(voice.id);
    // A refusal shows at the voice field below.
    return voice.id === selected || choose(voice.id);
  };
  const preview = async (voice: VoiceOption): Promise<void> => {
    setNote(`Speaking a sample with ${labelOf(voice)}…`);
    if (!(await pick(voice))) return setNote('');
    bridge.speak({ texts: [SAMPLE], format }).then(
      () => setNote(`${labelOf(voice)}: the sample plays in the player.`),
      (error: Error) => setNote(error.message),
    );
  };

  return (
    <div className="voice-picker">
      {choices.length > 1 && (
        <label className="field">
          <span className="label">Language</span>
          <select data-testid="voice-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value={ALL_LANGUAGES}>All languages</option>
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset className="voice-list">
        <legend className="label">Voices this provider lists</legend>
        <ul id={`${name}-list`} data-testid="voice-list">
          {listed.map((voice) => (
            <li key={voice.id || '(default)'} data-testid="voice-option" data-voice={voice.id} data-language={voice.language ?? ''}>
              <label>
                <input type="radio" data-testid="voice-choice" name={name} value={voice.id} checked={chosen === voice.id} onChange={() => void pick(voice)} />
                <span className="voice-text">
                  <span className="voice-name">{labelOf(voice)}</span>
                  {detailOf(voice) && <small className="hint">{detailOf(voice)}</small>}
                </span>
              </label>
              <IconButton
                icon={Play}
                label={`Preview ${labelOf(voice)}`}
                data-testid="voice-preview"
                aria-describedby={`${name}-preview-hint`}
                tabIndex={voice.id === previewStop ? 0 : -1}
                onClick={() => void preview(voice)}
              />
            </li>
          ))}
        </ul>
      </fieldset>
      {shown.length > FIRST_ROWS + 1 && (
        <span className="actions">
          <button type="button" aria-expanded={showAll} aria-controls={`${name}-list`} onClick={() => setShowAll(!showAll)}>
            {showAll ? 'Show fewer voices' : `Show all ${shown.length - 1} voices`}
          </button>
        </span>
      )}
      <small className="hint" id={`${name}-preview-hint`}>
        Preview makes a voice the one in use, then speaks a sample with it in the player.
      </small>
      <p className="notice" role="status" data-testid="preview-result">
        {note}
      </p>
    </div>
  );
}
