import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` once a file has settled after a change: its folder is watched, not the
 * file, as editors and atomic writes replace a file by renaming another over it (a watch
 * on the old file would see nothing after the first save). A burst of events, as an editor
 * saves, comes as one call. Returns the function that stops watching; where the folder
 * cannot be watched, nothing is watched (the file is still read before each save).
 */
export function watchFile(file: string, onChange: () => void, settleMs = 150): () => void {
  const name = basename(file);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      // Some systems do not say which file changed: then any change is looked at.
      if (changed !== null && changed.toString() !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, settleMs);
    });
  } catch {
    return () => {};
  }
  watcher.on('error', () => watcher.close());
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
