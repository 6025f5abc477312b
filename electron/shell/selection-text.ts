// "Speak selection": the text selected in the focused application, read the best way each OS
// allows. Linux (X11, XWayland) has it in the PRIMARY selection; Windows and macOS through
// selection-hook (UI Automation, Accessibility); elsewhere a simulated copy that puts the
// clipboard back. Every OS path comes in as a parameter (tests/shell/selection-text.test.ts).
import { textTooLong } from '../../shared/text-limit';
import { readClipboardForSpeech } from './clipboard-text';
import { copyPreservingClipboard, type ClipboardAccess, type CopyOptions, type NewClipboardItem, type PressCopy } from './selection-copy';

/** selection-hook as Utter uses it (selection-hook.ts wraps the package). */
export interface SelectionHookReader {
  /**
   * The focused application's selected text, or null when it has none. With `copy`, the hook
   * may fall back to its own Ctrl+C / ⌘C (which releases held modifiers first).
   */
  read(copy: boolean): string | null;
  /** Releases the hook's native resources. */
  close?(): void;
}

/** How the text was had, for the caller's logs and tests. */
export type SelectionSource = 'primary' | 'accessibility' | 'copy' | 'clipboard';

/** The text to speak (with a notice the user must see, if any), or the message to show instead. */
export type SelectionSpeech = { ok: true; text: string; via: SelectionSource; notice?: string } | { ok: false; message: string };

/** The ways into the OS, each optional where a platform lacks it. */
export interface SelectionPaths {
  platform: NodeJS.Platform;
  /** Linux: the PRIMARY selection's text (Electron: clipboard.selection.readText()). */
  readPrimary?: () => Promise<string>;
  /** Windows and macOS: selection-hook, loaded on first use; null when not installed or it failed to load. */
  loadHook?: () => Promise<SelectionHookReader | null>;
  /** macOS: whether Utter may use Accessibility now. */
  isTrusted?: () => boolean;
  /** macOS: explains why Accessibility is needed, then asks the OS; resolves to whether it is granted. */
  askTrust?: () => Promise<boolean>;
  clipboard: ClipboardAccess;
  newItem: NewClipboardItem;
  /** The platform's copy keystroke, for when selection-hook is missing; null when there is none. */
  pressCopy?: PressCopy | null;
  copyOptions?: CopyOptions;
  warn?: (message: string) => void;
}

export const NOTHING_SELECTED = 'Nothing is selected. Select some text, then use Speak selection again.';

export const MAC_REFUSED =
  'Utter may not read the selection without the Accessibility permission, so it read the clipboard instead. ' +
  'To speak the selection, allow Utter in System Settings › Privacy & Security › Accessibility.';

/** Reads the selection for speaking; keeps the loaded hook and asks macOS for the permission once per run. */
export class SelectionReader {
  private hook: Promise<SelectionHookReader | null> | null = null;
  private askedTrust = false;

  constructor(private readonly paths: SelectionPaths) {}

  /** Never rejects: every failure becomes a message. */
  async read(): Promise<SelectionSpeech> {
    try {
      return this.paths.platform === 'linux' ? await this.readLinux() : await this.readWithHook();
    } catch (error) {
      return { ok: false, message: `The selection could not be read: ${reasonOf(error)}` };
    }
  }

  /** Releases selection-hook, if it was loaded (at quit). */
  async close(): Promise<void> {
    (await this.hook)?.close?.();
  }

  private async readLinux(): Promise<SelectionSpeech> {
    const { readPrimary } = this.paths;
    if (readPrimary) {
      try {
        return found(await readPrimary(), 'primary');
      } catch (error) {
        this.paths.warn?.(`the PRIMARY selection could not be read (${reasonOf(error)}); trying a copy`);
      }
    }
    return this.simulatedCopy(null);
  }

  private async readWithHook(): Promise<SelectionSpeech> {
    if (this.paths.platform === 'darwin' && !(await this.trusted())) {
      const clipboard = await readClipboardForSpeech(this.paths.clipboard);
      return clipboard.ok ? { ok: true, text: clipboard.text, via: 'clipboard', notice: MAC_REFUSED } : { ok: false, message: `${MAC_REFUSED} ${clipboard.message}` };
    }
    const hook = await this.loadHook();
    if (hook) {
      try {
        const text = hook.read(false);
        if (text !== null && text.trim() !== '') return found(text, 'accessibility');
      } catch (error) {
        this.paths.warn?.(`selection-hook could not read the selection (${reasonOf(error)}); trying a copy`);
      }
    }
    return this.simulatedCopy(hook);
  }

  /** The copy keystroke: selection-hook's own where it loaded, else the platform's command. */
  private async simulatedCopy(hook: SelectionHookReader | null): Promise<SelectionSpeech> {
    const press: PressCopy | null = hook ? () => Promise.resolve(hook.read(true) ?? '') : (this.paths.pressCopy ?? null);
    if (!press) {
      return { ok: false, message: `Utter cannot read the selection here: ${cannotCopyReason(this.paths.platform)} Copy the text and use Speak clipboard instead.` };
    }
    const copied = await copyPreservingClipboard(this.paths.clipboard, this.paths.newItem, press, { ...this.paths.copyOptions, clearFirst: !hook });
    if (!copied.ok) return { ok: false, message: `The selection could not be copied: ${copied.reason}.` };
    return found(copied.text, 'copy');
  }

  private loadHook(): Promise<SelectionHookReader | null> {
    this.hook ??= (this.paths.loadHook?.() ?? Promise.resolve(null)).catch((error: unknown) => {
      this.paths.warn?.(`selection-hook could not be loaded: ${reasonOf(error)}`);
      return null;
    });
    return this.hook;
  }

  /** macOS: asks once per run, with the explanation first; a refusal is not asked again until restart. */
  private async trusted(): Promise<boolean> {
    if (this.paths.isTrusted?.()) return true;
    if (this.askedTrust || !this.paths.askTrust) return false;
    this.askedTrust = true;
    return this.paths.askTrust();
  }
}

function found(text: string, via: SelectionSource): SelectionSpeech {
  if (text.trim() === '') return { ok: false, message: NOTHING_SELECTED };
  const refused = textTooLong(text, 'The selected text');
  return refused ? { ok: false, message: refused } : { ok: true, text, via };
}

function cannotCopyReason(platform: NodeJS.Platform): string {
  if (platform === 'linux') return 'the PRIMARY selection could not be read, and no copy keystroke tool (xdotool) is installed.';
  return 'the selection-hook package is not installed or did not load, and no copy keystroke could be sent.';
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
