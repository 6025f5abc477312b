import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { loadSelectionHook } from '../../electron/shell/selection-hook';
import { copyKeystrokeCommand, pressCopyWith } from '../../electron/shell/selection-keystroke';

/** selection-hook's class as its index.d.ts describes it, with what it was asked recorded. */
function fakeHookClass(options: { starts?: boolean; text?: string | null } = {}) {
  const made: FakeHook[] = [];
  class FakeHook extends EventEmitter {
    config: unknown;
    clipboard = true;
    clipboardWhenRead: boolean[] = [];
    cleaned = false;
    constructor() {
      super();
      made.push(this);
    }
    start(config: unknown) {
      this.config = config;
      this.clipboard = (config as { enableClipboard: boolean }).enableClipboard;
      return options.starts ?? true;
    }
    getCurrentSelection() {
      this.clipboardWhenRead.push(this.clipboard);
      return options.text === null ? null : { text: options.text ?? 'selected', programName: 'notepad.exe' };
    }
    enableClipboard() {
      this.clipboard = true;
      return true;
    }
    disableClipboard() {
      this.clipboard = false;
      return true;
    }
    cleanup() {
      this.cleaned = true;
    }
  }
  return { Class: FakeHook, made };
}

describe('loadSelectionHook', () => {
  it('starts the hook in passive mode with its clipboard fallback off, and turns the fallback on only for a copy', async () => {
    const { Class, made } = fakeHookClass({ text: 'From the hook.' });
    const warnings: string[] = [];
    const reader = (await loadSelectionHook((m) => warnings.push(m), async () => ({ default: Class })))!;
    expect(made[0].config).toEqual({ selectionPassiveMode: true, enableClipboard: false });
    expect(reader.read(false)).toBe('From the hook.');
    expect(reader.read(true)).toBe('From the hook.');
    expect(made[0].clipboardWhenRead).toEqual([false, true]);
    expect(made[0].clipboard).toBe(false);
    // An 'error' event with no listener would throw out of the hook; here it is a warning.
    made[0].emit('error', new Error('UIA call failed'));
    expect(warnings).toEqual(['selection-hook: UIA call failed']);
    reader.close?.();
    expect(made[0].cleaned).toBe(true);
  });

  it('answers null for no selection', async () => {
    const { Class } = fakeHookClass({ text: null });
    const reader = (await loadSelectionHook(() => {}, async () => Class))!;
    expect(reader.read(false)).toBeNull();
  });

  it('is absent, with a warning, when the package is not installed (as on Linux)', async () => {
    const warnings: string[] = [];
    // The real import: selection-hook has no Linux build, so npm leaves it out here.
    expect(await loadSelectionHook((m) => warnings.push(m))).toBeNull();
    expect(warnings).toEqual(['selection-hook is not installed']);
  });

  it('is absent when its native module did not load (start() says false) or its import throws', async () => {
    const { Class, made } = fakeHookClass({ starts: false });
    const warnings: string[] = [];
    expect(await loadSelectionHook((m) => warnings.push(m), async () => ({ default: Class }))).toBeNull();
    expect(made[0].cleaned).toBe(true);
    expect(await loadSelectionHook((m) => warnings.push(m), () => Promise.reject(new Error('invalid ELF header')))).toBeNull();
    expect(await loadSelectionHook((m) => warnings.push(m), async () => ({ default: 42 }))).toBeNull();
    expect(warnings).toEqual([
      'selection-hook did not start (its native module may be missing for this platform)',
      'selection-hook failed to load: invalid ELF header',
      'selection-hook did not export its class',
    ]);
  });
});

describe('the copy keystroke without selection-hook', () => {
  it('is the platform\'s own command, and none on Linux without an X display', () => {
    expect(copyKeystrokeCommand('darwin', {})).toEqual(['osascript', '-e', 'tell application "System Events" to keystroke "c" using {command down}']);
    expect(copyKeystrokeCommand('win32', {})?.[0]).toBe('powershell.exe');
    expect(copyKeystrokeCommand('linux', { DISPLAY: ':0' })).toEqual(['xdotool', 'key', '--clearmodifiers', 'ctrl+c']);
    expect(copyKeystrokeCommand('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeNull();
  });

  it('runs the command, names a missing tool, and stops it when the copy is given up on', async () => {
    expect(await pressCopyWith([process.execPath, '-e', '0'])(new AbortController().signal)).toBeNull();
    await expect(pressCopyWith(['utter-no-such-tool', 'key'])(new AbortController().signal)).rejects.toThrow('utter-no-such-tool is not installed');
    const abort = new AbortController();
    const started = Date.now();
    const pressing = pressCopyWith([process.execPath, '-e', 'setTimeout(() => {}, 20000)'])(abort.signal);
    setTimeout(() => abort.abort(), 100);
    await expect(pressing).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
