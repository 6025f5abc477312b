import { Download, X } from 'lucide-react';
import { describeSaveOutcome, describeSaveProgress, SAVE_FORMAT_NAMES, SAVE_FORMATS, type SaveFormat } from '../../../../shared/save';
import type { Bridge } from '../../state/bridge';
import { saveText, useSaveStore } from '../../state/save-audio';

/** "Save audio…" for the text in the box, with the format to save in. */
export function SaveAudioButton({ bridge, text }: { bridge: Bridge; text: string }) {
  const format = useSaveStore((s) => s.format);
  const saving = useSaveStore((s) => s.shown.state === 'saving');
  return (
    <div className="save-audio" role="group" aria-label="Save audio">
      <label>
        <span className="visually-hidden">Save as</span>
        <select data-testid="save-format" value={format} title="The format to save audio in" onChange={(e) => useSaveStore.getState().set({ format: e.target.value as SaveFormat })}>
          {SAVE_FORMATS.map((f) => (
            <option key={f} value={f}>
              {SAVE_FORMAT_NAMES[f]}
            </option>
          ))}
        </select>
      </label>
      <button type="button" data-testid="save-audio" disabled={saving || !text.trim()} onClick={() => void saveText(bridge, { text })}>
        <Download aria-hidden="true" focusable="false" className="icon" />
        Save audio…
      </button>
    </div>
  );
}

/** Where the save stands: its progress and Cancel while it runs, then where the file went or why not. */
export function SaveStatusLine({ bridge }: { bridge: Bridge }) {
  const shown = useSaveStore((s) => s.shown);
  if (shown.state === 'idle') return null;
  if (shown.state === 'saving') {
    const { progress } = shown;
    return (
      <div className="save-status" data-testid="save-status" data-state="saving">
        <label className="save-progress">
          <span role="status">
            Saving “{shown.name}”. {describeSaveProgress(progress)}
          </span>
          <progress data-testid="save-progress" data-phase={progress.phase} max={progress.total || 1} value={progress.done} />
        </label>
        <button type="button" data-testid="save-cancel" onClick={() => bridge.cancelSave()}>
          <X aria-hidden="true" focusable="false" className="icon" />
          Cancel
        </button>
      </div>
    );
  }
  const failed = shown.state === 'failed';
  const download = shown.state === 'saved' ? shown.download : undefined;
  return (
    <p className={failed ? 'save-status error' : 'save-status'} data-testid="save-status" data-state={shown.state} role={failed ? 'alert' : 'status'}>
      {describeSaveOutcome(shown)}
      {/* Under utter web: again, for a download the browser lost or a page that did not ask. */}
      {download && ' '}
      {download && (
        <a href={download} download={shown.state === 'saved' ? shown.name : undefined} data-testid="save-download">
          Download again
        </a>
      )}
    </p>
  );
}
