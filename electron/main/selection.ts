// "Speak selection" on Electron: the OS paths of selection-text.ts, from Electron's objects.
import { clipboard, ClipboardItem, dialog, systemPreferences } from 'electron';
import { loadSelectionHook } from '../shell/selection-hook';
import { copyKeystrokeCommand, pressCopyWith } from '../shell/selection-keystroke';
import { SelectionReader } from '../shell/selection-text';

/** The selection reader for this platform; `warn` takes what only a log needs to hear. */
export function createSelectionReader(warn: (message: string) => void): SelectionReader {
  const keystroke = copyKeystrokeCommand(process.platform, process.env);
  return new SelectionReader({
    platform: process.platform,
    // Linux only: the PRIMARY selection, which X11 and XWayland keep for every selection.
    readPrimary: process.platform === 'linux' ? () => clipboard.selection.readText() : undefined,
    loadHook: process.platform === 'linux' ? undefined : () => loadSelectionHook(warn),
    isTrusted: () => systemPreferences.isTrustedAccessibilityClient(false),
    askTrust: askAccessibility,
    clipboard,
    newItem: (entries) => new ClipboardItem(entries as ConstructorParameters<typeof ClipboardItem>[0]),
    pressCopy: keystroke ? pressCopyWith(keystroke) : null,
    warn,
  });
}

/** macOS: says why the permission is needed before the system asks for it. */
async function askAccessibility(): Promise<boolean> {
  const { response } = await dialog.showMessageBox({
    type: 'info',
    message: 'Allow Utter to read the selected text?',
    detail:
      'To speak the text you select in other apps, macOS must let Utter use Accessibility. Utter reads the selection only when you ' +
      'use Speak selection, and never stores it. Choose Open System Settings, then turn Utter on under Privacy & Security › ' +
      'Accessibility. Until then, Speak selection reads the clipboard.',
    buttons: ['Open System Settings', 'Not Now'],
    defaultId: 0,
    cancelId: 1,
  });
  // With prompt true macOS adds Utter to the list and shows its own dialog; the answer is the state now.
  return response === 0 ? systemPreferences.isTrustedAccessibilityClient(true) : false;
}
