import { describe, expect, it, vi } from 'vitest';
import { MAC_REFUSED, NOTHING_SELECTED, SelectionReader, type SelectionHookReader, type SelectionPaths } from '../../electron/shell/selection-text';
import type { PressCopy } from '../../electron/shell/selection-copy';
import { MAX_TEXT_BYTES } from '../../shared/text-limit';
import { contents, FakeClipboard, newItem, richClipboard } from '../support/fake-clipboard';

const fast = { timeoutMs: 150, pollMs: 5 };

/** A selection-hook that answers with `accessible` when asked without copy, and `copied` with it. */
function fakeHook(clipboard: FakeClipboard, accessible: string | null | Error, copied: string | null = null) {
  const hook = {
    calls: [] as boolean[],
    read: vi.fn((copy: boolean) => {
      hook.calls.push(copy);
      if (!copy) {
        if (accessible instanceof Error) throw accessible;
        return accessible;
      }
      // Its clipboard fallback presses Ctrl+C, reads, and restores the clipboard natively.
      const before = clipboard.items;
      if (copied !== null) clipboard.copied(copied);
      clipboard.items = before;
      return copied;
    }),
    close: vi.fn(),
  } satisfies SelectionHookReader & { calls: boolean[] };
  return hook;
}

function reader(overrides: Partial<SelectionPaths> & { clipboard?: FakeClipboard }) {
  const clipboard = overrides.clipboard ?? new FakeClipboard(richClipboard());
  const warnings: string[] = [];
  const paths: SelectionPaths = { platform: 'win32', newItem, copyOptions: fast, warn: (message) => warnings.push(message), ...overrides, clipboard };
  return { selection: new SelectionReader(paths), clipboard, warnings };
}

describe('Speak selection on Linux (X11, XWayland): the PRIMARY selection', () => {
  it('reads exactly the selected text, and never touches the clipboard', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const readSpy = vi.spyOn(clipboard, 'read');
    const { selection } = reader({ platform: 'linux', clipboard, readPrimary: async () => '  Selected, not copied.\n' });
    expect(await selection.read()).toEqual({ ok: true, text: '  Selected, not copied.\n', via: 'primary' });
    expect(readSpy).not.toHaveBeenCalled();
    expect(clipboard.clears).toBe(0);
  });

  it('says that nothing is selected, rather than staying silent', async () => {
    const { selection } = reader({ platform: 'linux', readPrimary: async () => ' \n\t' });
    expect(await selection.read()).toEqual({ ok: false, message: NOTHING_SELECTED });
  });

  it('refuses a selection too long to read, by name', async () => {
    const { selection } = reader({ platform: 'linux', readPrimary: async () => 'a'.repeat(MAX_TEXT_BYTES + 1) });
    const result = await selection.read();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^The selected text is too long/);
  });

  it('copies with the keystroke, keeping the clipboard, when PRIMARY cannot be read', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const press = vi.fn<PressCopy>(async () => {
      clipboard.copied('Copied instead.');
      return null;
    });
    const { selection, warnings } = reader({ platform: 'linux', clipboard, readPrimary: () => Promise.reject(new Error('no X display')), pressCopy: press });
    expect(await selection.read()).toEqual({ ok: true, text: 'Copied instead.', via: 'copy' });
    expect(warnings).toEqual(['the PRIMARY selection could not be read (no X display); trying a copy']);
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('explains when neither PRIMARY nor a copy keystroke is available', async () => {
    const { selection } = reader({ platform: 'linux', readPrimary: () => Promise.reject(new Error('no X display')), pressCopy: null });
    const result = await selection.read();
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^Utter cannot read the selection here: .*xdotool.* Copy the text and use Speak clipboard instead\.$/) });
  });
});

describe('Speak selection on Windows and macOS: selection-hook', () => {
  it('reads the selection through UI Automation / Accessibility, without the clipboard', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const hook = fakeHook(clipboard, 'Read through UI Automation.');
    const { selection } = reader({ clipboard, loadHook: async () => hook });
    expect(await selection.read()).toEqual({ ok: true, text: 'Read through UI Automation.', via: 'accessibility' });
    expect(hook.calls).toEqual([false]);
    expect(clipboard.clears).toBe(0);
  });

  it('falls back to the hook\'s own copy, with every clipboard format kept, when the application does not expose its selection', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const hook = fakeHook(clipboard, null, 'Copied by the hook.');
    const { selection } = reader({ clipboard, loadHook: async () => hook });
    expect(await selection.read()).toEqual({ ok: true, text: 'Copied by the hook.', via: 'copy' });
    expect(hook.calls).toEqual([false, true]);
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
    // The hook restored it natively (every OS format, even those Electron cannot see): Utter wrote nothing.
    expect(clipboard.writes + clipboard.clears).toBe(0);
  });

  it('says that nothing is selected when the hook finds nothing either way', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const { selection } = reader({ clipboard, loadHook: async () => fakeHook(clipboard, null, null) });
    expect(await selection.read()).toEqual({ ok: false, message: NOTHING_SELECTED });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('treats a hook that throws as unable to read, and copies instead', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const hook = fakeHook(clipboard, new Error('UIA element not available'), 'Copied after the throw.');
    const { selection, warnings } = reader({ clipboard, loadHook: async () => hook });
    expect(await selection.read()).toEqual({ ok: true, text: 'Copied after the throw.', via: 'copy' });
    expect(warnings).toEqual(['selection-hook could not read the selection (UIA element not available); trying a copy']);
  });

  it('copies with the platform keystroke when selection-hook is absent, and keeps the clipboard', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const press = vi.fn<PressCopy>(async () => {
      clipboard.copied('Copied by the keystroke.');
      return null;
    });
    const { selection } = reader({ platform: 'win32', clipboard, loadHook: async () => null, pressCopy: press });
    expect(await selection.read()).toEqual({ ok: true, text: 'Copied by the keystroke.', via: 'copy' });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('loads the hook once; one that fails to load counts as absent, with a warning', async () => {
    const loadHook = vi.fn(() => Promise.reject(new Error('The module was compiled against a different Node.js version')));
    const { selection, warnings } = reader({ loadHook, pressCopy: null });
    for (let i = 0; i < 2; i++) {
      expect(await selection.read()).toEqual({ ok: false, message: expect.stringMatching(/^Utter cannot read the selection here: the selection-hook package is not installed or did not load/) });
    }
    expect(loadHook).toHaveBeenCalledOnce();
    expect(warnings).toEqual(['selection-hook could not be loaded: The module was compiled against a different Node.js version']);
  });

  it('says when the copy itself fails, and keeps the clipboard', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const { selection } = reader({ clipboard, loadHook: async () => null, pressCopy: () => Promise.reject(new Error('powershell.exe is not installed')) });
    expect(await selection.read()).toEqual({ ok: false, message: 'The selection could not be copied: the copy failed: powershell.exe is not installed.' });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('releases the hook at quit', async () => {
    const clipboard = new FakeClipboard();
    const hook = fakeHook(clipboard, 'x');
    const { selection } = reader({ clipboard, loadHook: async () => hook });
    await selection.read();
    await selection.close();
    expect(hook.close).toHaveBeenCalledOnce();
  });
});

describe('Speak selection on macOS: the Accessibility permission', () => {
  it('uses the hook without asking when Utter is already trusted', async () => {
    const clipboard = new FakeClipboard();
    const askTrust = vi.fn(async () => true);
    const { selection } = reader({ platform: 'darwin', clipboard, isTrusted: () => true, askTrust, loadHook: async () => fakeHook(clipboard, 'Via AXAPI.') });
    expect(await selection.read()).toEqual({ ok: true, text: 'Via AXAPI.', via: 'accessibility' });
    expect(askTrust).not.toHaveBeenCalled();
  });

  it('asks (with its explanation) when not trusted, and reads the selection once granted', async () => {
    const clipboard = new FakeClipboard();
    const askTrust = vi.fn(async () => true);
    const { selection } = reader({ platform: 'darwin', clipboard, isTrusted: () => false, askTrust, loadHook: async () => fakeHook(clipboard, 'Granted.') });
    expect(await selection.read()).toEqual({ ok: true, text: 'Granted.', via: 'accessibility' });
    expect(askTrust).toHaveBeenCalledOnce();
  });

  it('reads the clipboard when refused and says so, and does not ask again in this run', async () => {
    const clipboard = new FakeClipboard();
    clipboard.copied('What the clipboard holds.');
    const askTrust = vi.fn(async () => false);
    const loadHook = vi.fn(async () => fakeHook(clipboard, 'never read'));
    const { selection } = reader({ platform: 'darwin', clipboard, isTrusted: () => false, askTrust, loadHook });
    for (let i = 0; i < 2; i++) {
      expect(await selection.read()).toEqual({ ok: true, text: 'What the clipboard holds.', via: 'clipboard', notice: MAC_REFUSED });
    }
    expect(askTrust).toHaveBeenCalledOnce();
    // Without the permission the hook could neither read nor press ⌘C.
    expect(loadHook).not.toHaveBeenCalled();
    expect(clipboard.writes + clipboard.clears).toBe(0);
  });

  it('says both things when refused and the clipboard has no text', async () => {
    const { selection } = reader({ platform: 'darwin', clipboard: new FakeClipboard(), isTrusted: () => false, askTrust: async () => false });
    expect(await selection.read()).toEqual({ ok: false, message: `${MAC_REFUSED} The clipboard is empty.` });
  });
});
