// The Electron adapter of Speak selection (electron/main/selection.ts) under a mocked Electron:
// which OS path each platform gets, and macOS's explanation before the Accessibility prompt.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAC_REFUSED } from '../../electron/shell/selection-text';

const electron = vi.hoisted(() => ({
  primary: '',
  clipboardText: '',
  trusted: false,
  trustCalls: [] as boolean[],
  dialogs: [] as { message: string; detail?: string; buttons?: string[] }[],
  response: 1,
  written: [] as unknown[],
}));

vi.mock('electron', () => ({
  clipboard: {
    readText: async () => electron.clipboardText,
    read: async () => [],
    write: async (items: unknown[]) => void electron.written.push(...items),
    clear: () => {},
    selection: { readText: async () => electron.primary },
  },
  ClipboardItem: class {
    constructor(readonly entries: Record<string, unknown>) {}
  },
  systemPreferences: {
    isTrustedAccessibilityClient: (prompt: boolean) => {
      electron.trustCalls.push(prompt);
      return electron.trusted;
    },
  },
  dialog: {
    showMessageBox: async (options: { message: string; detail?: string; buttons?: string[] }) => {
      electron.dialogs.push(options);
      return { response: electron.response };
    },
  },
}));

const { createSelectionReader } = await import('../../electron/main/selection');
const realPlatform = process.platform;
const onPlatform = (platform: NodeJS.Platform) => Object.defineProperty(process, 'platform', { value: platform });

beforeEach(() => {
  electron.trustCalls = [];
  electron.dialogs = [];
});
afterEach(() => onPlatform(realPlatform));

describe('createSelectionReader', () => {
  it('reads the PRIMARY selection on Linux', async () => {
    onPlatform('linux');
    electron.primary = 'Highlighted in an X application.';
    electron.clipboardText = 'Not this.';
    expect(await createSelectionReader(() => {}).read()).toEqual({ ok: true, text: 'Highlighted in an X application.', via: 'primary' });
  });

  it('on macOS explains why Accessibility is needed before the system asks, and on "Not Now" reads the clipboard and says so', async () => {
    onPlatform('darwin');
    electron.trusted = false;
    electron.response = 1;
    electron.clipboardText = 'From the clipboard.';
    const selection = createSelectionReader(() => {});
    expect(await selection.read()).toEqual({ ok: true, text: 'From the clipboard.', via: 'clipboard', notice: MAC_REFUSED });
    expect(electron.dialogs).toHaveLength(1);
    expect(electron.dialogs[0].message).toBe('Allow Utter to read the selected text?');
    expect(electron.dialogs[0].detail).toMatch(/Privacy & Security › Accessibility/);
    expect(electron.dialogs[0].buttons).toEqual(['Open System Settings', 'Not Now']);
    // "Not Now" never triggers the system's own prompt.
    expect(electron.trustCalls).toEqual([false]);
    // Not asked again in this run.
    await selection.read();
    expect(electron.dialogs).toHaveLength(1);
  });

  it('on macOS asks the system (prompt) after Open System Settings, and uses the answer', async () => {
    onPlatform('darwin');
    electron.trusted = false;
    electron.response = 0;
    electron.clipboardText = 'From the clipboard.';
    const result = await createSelectionReader(() => {}).read();
    expect(electron.trustCalls).toEqual([false, true]);
    // Still not trusted (the user has not switched Utter on yet): the clipboard, said.
    expect(result).toMatchObject({ ok: true, via: 'clipboard', notice: MAC_REFUSED });
  });

  it('on Windows without selection-hook (not installed here) warns once and says what to do when no keystroke can be sent', async () => {
    onPlatform('win32');
    const warnings: string[] = [];
    const selection = createSelectionReader((message) => warnings.push(message));
    const result = await selection.read();
    // powershell.exe does not exist here: the copy fails, said in words, and the clipboard is kept.
    expect(result).toEqual({ ok: false, message: 'The selection could not be copied: the copy failed: powershell.exe is not installed.' });
    expect(warnings).toEqual(['selection-hook is not installed']);
  });
});
