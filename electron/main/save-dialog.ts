// Where "Save audio…" writes in the app: the OS's save dialog, which confirms replacing a file.
import { join } from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import { SAVE_EXTENSIONS, SAVE_FORMAT_NAMES, SAVE_FORMATS, saveFormatOf, saveFormatRefusal, type SaveFormat } from '../../shared/save';
import type { SaveTarget } from '../save/save-jobs';

/**
 * Asks the user where to save `name` (in `folder`, the preferred `format` first among the
 * filters). Null when the dialog is cancelled; throws with why when the name is one Utter
 * cannot write. A name typed without an extension gets the preferred format's.
 */
export async function chooseSavePath(name: string, format: SaveFormat, folder: string, parent?: BrowserWindow | null): Promise<SaveTarget | null> {
  const formats = [format, ...SAVE_FORMATS.filter((f) => f !== format)];
  const options: Electron.SaveDialogOptions = {
    title: 'Save audio',
    buttonLabel: 'Save',
    defaultPath: join(folder, name),
    filters: formats.map((f) => ({ name: SAVE_FORMAT_NAMES[f], extensions: [...SAVE_EXTENSIONS[f]] })),
    // Linux's dialog asks before replacing a file only when told to (macOS and Windows always do).
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  };
  const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  const path = result.filePath;
  const typedExtension = /\.[^./\\]+$/.test(path.split(/[\\/]/).at(-1) ?? '');
  // A name typed without an extension: the file is new to the dialog, so nothing was confirmed.
  if (!typedExtension) return { path: `${path}.${SAVE_EXTENSIONS[format][0]}`, format, overwrite: false };
  const chosen = saveFormatOf(path);
  if (!chosen) throw new Error(saveFormatRefusal(path)!);
  return { path, format: chosen, overwrite: true };
}
