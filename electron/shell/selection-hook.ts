// selection-hook (an optional dependency: Windows and macOS builds only) behind the small
// SelectionHookReader that selection-text.ts uses. It is loaded on first use, and any way it
// can fail to load (not installed, no native build, start() refused) means "cannot read".
// Its API: node_modules/selection-hook/index.d.ts (passive mode: getCurrentSelection() on demand).
import type { SelectionHookReader } from './selection-text';

/** The part of selection-hook's class Utter uses; typed here because the package is absent on Linux. */
export interface SelectionHookInstance {
  start(config?: { selectionPassiveMode?: boolean; enableClipboard?: boolean; debug?: boolean }): boolean;
  getCurrentSelection(): { text: string } | null;
  enableClipboard(): boolean;
  disableClipboard(): boolean;
  cleanup(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const PACKAGE = 'selection-hook';

/** The package's default export (module.exports = SelectionHook), through a dynamic import. */
async function importPackage(): Promise<unknown> {
  // A variable, so neither TypeScript nor the bundler insists on a package that may be absent.
  const name = PACKAGE;
  return import(name);
}

/**
 * Loads and starts selection-hook in passive mode (no selection events, no global
 * polling: the text is asked for when the shortcut is pressed), with its clipboard fallback
 * off except while Utter asks for a copy. Resolves to null, after a warning, when it cannot.
 */
export async function loadSelectionHook(warn: (message: string) => void, load: () => Promise<unknown> = importPackage): Promise<SelectionHookReader | null> {
  let loaded: unknown;
  try {
    loaded = await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    warn(code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? `${PACKAGE} is not installed` : `${PACKAGE} failed to load: ${(error as Error).message}`);
    return null;
  }
  const Hook = (loaded as { default?: unknown }).default ?? loaded;
  if (typeof Hook !== 'function') {
    warn(`${PACKAGE} did not export its class`);
    return null;
  }
  let hook: SelectionHookInstance;
  try {
    hook = new (Hook as new () => SelectionHookInstance)();
    // An EventEmitter with no 'error' listener throws on 'error'; here it is only a warning.
    hook.on('error', (error) => warn(`${PACKAGE}: ${error.message}`));
    // start() returns false when its native module did not load (it only logs that).
    if (!hook.start({ selectionPassiveMode: true, enableClipboard: false })) {
      warn(`${PACKAGE} did not start (its native module may be missing for this platform)`);
      hook.cleanup();
      return null;
    }
  } catch (error) {
    warn(`${PACKAGE} failed to start: ${(error as Error).message}`);
    return null;
  }
  return {
    read(copy) {
      if (copy) hook.enableClipboard();
      try {
        return hook.getCurrentSelection()?.text ?? null;
      } finally {
        if (copy) hook.disableClipboard();
      }
    },
    close: () => hook.cleanup(),
  };
}
