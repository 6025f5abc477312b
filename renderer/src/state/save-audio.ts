import { create } from 'zustand';
import type { SaveFormat, SaveOutcome, SaveStatus } from '../../../shared/save';
import type { Bridge } from './bridge';

/** "Save audio…" as the player shows it: the format chosen, and how the last save went (or goes). */
interface SaveState {
  format: SaveFormat;
  shown: SaveStatus | SaveOutcome;
  set(patch: Partial<Omit<SaveState, 'set'>>): void;
}

export const useSaveStore = create<SaveState>((set) => ({
  format: 'mp3',
  shown: { state: 'idle' },
  set: (patch) => set(patch),
}));

/** Shows the app's save progress (a save may start from the tray too); returns the unsubscribe. */
export function followSaves(bridge: Bridge): () => void {
  return bridge.onSave((status) => useSaveStore.getState().set({ shown: status }));
}

/**
 * Asks the app to save a text's audio in the chosen format: the text itself (the box's), or
 * one the session holds by its id (the history's). The app asks where (a dialog); under
 * `utter web` the finished file comes as a download.
 */
export async function saveText(bridge: Bridge, what: { text: string } | { textId: number }): Promise<void> {
  const { format, set } = useSaveStore.getState();
  const outcome = await bridge.saveAudio({ ...what, format }).catch((error: Error): SaveOutcome => ({ state: 'not-saved', reason: error.message }));
  set({ shown: outcome });
  if (outcome.state === 'saved' && outcome.download) download(outcome.download, outcome.name);
}

/** Hands a same-origin link to the browser's downloads, with the file's name. */
function download(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
