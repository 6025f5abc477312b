import { describe, expect, it, vi, type Mock } from 'vitest';
import {
  HELD_ELSEWHERE,
  describeHotkeyFailure,
  enableChromiumFeature,
  registerHotkeys,
  waylandGlobalShortcutsSwitch,
  type GlobalShortcutApi,
  type HotkeyBindings,
} from '../../electron/shell/hotkeys';
import { canonicalAccelerator, validateAccelerator } from '../../shared/accelerator';
import { DEFAULT_SETTINGS, HOTKEY_ACTIONS, type HotkeyAction } from '../../shared/config/schema';

const DEFAULT_HOTKEYS = DEFAULT_SETTINGS.hotkeys;

/**
 * globalShortcut as Electron documents it: register() returns false when the OS refuses
 * (another app holds the shortcut, or this app already registered it), throws when it
 * cannot convert the accelerator, and refuses everything while suspended.
 */
class FakeGlobalShortcut implements GlobalShortcutApi {
  readonly callbacks = new Map<string, () => void>();
  readonly attempts: string[] = [];
  suspended = false;
  constructor(
    private readonly heldByOthers: string[] = [],
    private readonly unconvertible: string[] = [],
  ) {}
  register(accelerator: string, callback: () => void): boolean {
    this.attempts.push(accelerator);
    if (this.unconvertible.includes(accelerator)) {
      throw new TypeError(`Error processing argument at index 0, conversion failure from ${accelerator}`);
    }
    const key = accelerator.toLowerCase();
    if (this.suspended || this.heldByOthers.includes(key) || this.callbacks.has(key)) return false;
    this.callbacks.set(key, callback);
    return true;
  }
  unregister(accelerator: string): void {
    this.callbacks.delete(accelerator.toLowerCase());
  }
  isSuspended(): boolean {
    return this.suspended;
  }
  press(accelerator: string): void {
    this.callbacks.get(accelerator.toLowerCase())?.();
  }
}

const handlers = (): Record<HotkeyAction, Mock<() => void>> => ({
  speakClipboard: vi.fn(),
  speakSelection: vi.fn(),
  stop: vi.fn(),
  pauseResume: vi.fn(),
  faster: vi.fn(),
  slower: vi.fn(),
  normalRate: vi.fn(),
});

describe('DEFAULT_HOTKEYS', () => {
  it('are valid and distinct on every platform', () => {
    for (const action of HOTKEY_ACTIONS) expect(validateAccelerator(DEFAULT_HOTKEYS[action]), action).toBeNull();
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const shortcuts = HOTKEY_ACTIONS.map((action) => canonicalAccelerator(DEFAULT_HOTKEYS[action], platform));
      expect(new Set(shortcuts).size, platform).toBe(HOTKEY_ACTIONS.length);
    }
  });
});

describe('validateAccelerator', () => {
  it("accepts Electron's documented forms, in any case and spacing", () => {
    for (const text of [
      'CommandOrControl+A',
      'CommandOrControl+Shift+Z',
      'cmdorctrl+alt+s',
      'Ctrl + Alt + S',
      'Super+Space',
      'Meta+Option+Return',
      'Ctrl+Plus',
      'Ctrl+Shift+/',
      'AltGr+Num5',
      'F13',
      'MediaPlayPause',
      'VolumeMute',
    ]) {
      expect(validateAccelerator(text), text).toBeNull();
    }
  });

  it('refuses malformed accelerators with a reason', () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['   ', /is empty/],
      ['Ctrl+Alt', /no key, only modifiers/],
      ['Ctrl+Sift+S', /"Sift" is not a key or modifier/],
      ['Ctrl+F25', /"F25" is not a key/],
      ['Ctrl+constructor', /"constructor" is not a key/],
      ['Ctrl+toString', /"toString" is not a key/],
      ['Ctrl+Control+S', /same modifier twice \(Control\)/],
      ['Cmd+Super+S', /same modifier twice \(Super\)/],
      ['Option+Alt+S', /same modifier twice/],
      ['Ctrl+A+B', /more than one key \(A, B\)/],
      ['Ctrl++', /empty part.*Plus/],
      ['Ctrl+', /empty part/],
      ['+S', /empty part/],
      ['Ctrl+é', /ASCII/],
      ['S', /needs a modifier/],
      ['Shift+S', /needs a modifier/],
      ['Space', /needs a modifier/],
    ];
    for (const [text, reason] of cases) {
      const error = validateAccelerator(text);
      expect(error, text).toMatch(reason);
      expect(error).toContain(`"${text}" is not a valid shortcut`);
    }
  });
});

describe('canonicalAccelerator', () => {
  it('resolves CommandOrControl per platform and folds aliases and shifted symbols', () => {
    expect(canonicalAccelerator('CmdOrCtrl+Alt+S', 'linux')).toBe(canonicalAccelerator('Control+Option+s', 'linux'));
    expect(canonicalAccelerator('CmdOrCtrl+Alt+S', 'darwin')).toBe(canonicalAccelerator('Command+Alt+S', 'darwin'));
    expect(canonicalAccelerator('CmdOrCtrl+Alt+S', 'darwin')).not.toBe(canonicalAccelerator('Ctrl+Alt+S', 'darwin'));
    expect(canonicalAccelerator('Ctrl+Plus', 'linux')).toBe(canonicalAccelerator('Ctrl+Shift+=', 'linux'));
    expect(canonicalAccelerator('Alt+Esc', 'win32')).toBe(canonicalAccelerator('Alt+Escape', 'win32'));
    expect(canonicalAccelerator('Ctrl+A+B', 'linux')).toBeNull();
  });
});

describe('registerHotkeys', () => {
  it('registers every action and calls its handler when pressed', () => {
    const shortcuts = new FakeGlobalShortcut();
    const calls = handlers();
    const report = registerHotkeys(shortcuts, DEFAULT_HOTKEYS, calls, 'linux');
    expect(report.failures).toEqual([]);
    expect(report.registered.map((entry) => entry.action).sort()).toEqual([...HOTKEY_ACTIONS].sort());
    shortcuts.press('CommandOrControl+Alt+X');
    expect(calls.stop).toHaveBeenCalledOnce();
    expect(calls.speakClipboard).not.toHaveBeenCalled();
    // The playback rate: faster, slower and back to normal, each on its own keys.
    shortcuts.press('CommandOrControl+Alt+=');
    shortcuts.press('CommandOrControl+Alt+-');
    shortcuts.press('CommandOrControl+Alt+0');
    expect([calls.faster, calls.slower, calls.normalRate].map((call) => call.mock.calls.length)).toEqual([1, 1, 1]);
    shortcuts.press('CommandOrControl+Alt+A');
    expect(calls.speakSelection).toHaveBeenCalledOnce();
    expect(calls.speakClipboard).not.toHaveBeenCalled();
  });

  it('gives Speak selection its own shortcut, Ctrl+Alt+A (Cmd+Option+A on a Mac), beside Speak clipboard', () => {
    expect(DEFAULT_HOTKEYS.speakSelection).toBe('CommandOrControl+Alt+A');
    expect(DEFAULT_HOTKEYS.speakClipboard).toBe('CommandOrControl+Alt+S');
    expect(canonicalAccelerator(DEFAULT_HOTKEYS.speakSelection, 'darwin')).toBe('alt+meta+a');
    expect(canonicalAccelerator(DEFAULT_HOTKEYS.speakSelection, 'win32')).toBe('alt+ctrl+a');
  });

  it("reports Speak selection rebound onto another action's shortcut as a conflict, and one another application holds", () => {
    const clash = registerHotkeys(new FakeGlobalShortcut(), { ...DEFAULT_HOTKEYS, speakSelection: 'Ctrl+Alt+S' }, handlers(), 'linux');
    expect(clash.failures).toEqual([{ action: 'speakSelection', accelerator: 'Ctrl+Alt+S', reason: 'the same shortcut is already set for Speak clipboard' }]);
    expect(describeHotkeyFailure(clash.failures[0], 'linux')).toBe('Speak selection (Ctrl+Alt+S): the same shortcut is already set for Speak clipboard.');
    const held = registerHotkeys(new FakeGlobalShortcut(['commandorcontrol+alt+a']), DEFAULT_HOTKEYS, handlers(), 'linux');
    expect(held.failures).toEqual([{ action: 'speakSelection', accelerator: 'CommandOrControl+Alt+A', reason: HELD_ELSEWHERE }]);
    // Rebound to a free shortcut, it works.
    const calls = handlers();
    const shortcuts = new FakeGlobalShortcut();
    expect(registerHotkeys(shortcuts, { ...DEFAULT_HOTKEYS, speakSelection: 'Alt+Shift+F2' }, calls, 'linux').failures).toEqual([]);
    shortcuts.press('Alt+Shift+F2');
    expect(calls.speakSelection).toHaveBeenCalledOnce();
  });

  it('reports a shortcut another application holds and still registers the others', () => {
    const shortcuts = new FakeGlobalShortcut(['commandorcontrol+alt+p']);
    const report = registerHotkeys(shortcuts, DEFAULT_HOTKEYS, handlers(), 'linux');
    expect(report.failures).toEqual([{ action: 'pauseResume', accelerator: 'CommandOrControl+Alt+P', reason: HELD_ELSEWHERE }]);
    expect(report.registered.map((entry) => entry.action).sort()).toEqual(HOTKEY_ACTIONS.filter((action) => action !== 'pauseResume').sort());
  });

  it('never hands an invalid accelerator to Electron', () => {
    const shortcuts = new FakeGlobalShortcut();
    const report = registerHotkeys(shortcuts, { ...DEFAULT_HOTKEYS, stop: 'Ctrl+Sift+X' }, handlers(), 'linux');
    expect(shortcuts.attempts).not.toContain('Ctrl+Sift+X');
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ action: 'stop', accelerator: 'Ctrl+Sift+X' });
    expect(report.failures[0].reason).toMatch(/^not a valid shortcut: "Sift" is not a key/);
  });

  it('turns an exception from Electron into a failure', () => {
    const shortcuts = new FakeGlobalShortcut([], ['CommandOrControl+Alt+S']);
    const report = registerHotkeys(shortcuts, DEFAULT_HOTKEYS, handlers(), 'linux');
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].reason).toBe('not a valid shortcut: Error processing argument at index 0, conversion failure from CommandOrControl+Alt+S');
    expect(report.registered).toHaveLength(HOTKEY_ACTIONS.length - 1);
  });

  it('reports two actions on one shortcut as a conflict (spelled differently, same keys)', () => {
    const bindings: HotkeyBindings = { speakClipboard: 'Ctrl+Alt+S', pauseResume: 'CommandOrControl+Option+s', stop: 'Ctrl+Alt+X', speakSelection: 'Ctrl+Alt+A', faster: '', slower: '', normalRate: '' };
    const onLinux = registerHotkeys(new FakeGlobalShortcut(), bindings, handlers(), 'linux');
    expect(onLinux.failures).toEqual([
      { action: 'pauseResume', accelerator: 'CommandOrControl+Option+s', reason: 'the same shortcut is already set for Speak clipboard' },
    ]);
    // On macOS CommandOrControl is Command, so these are two different shortcuts.
    const onMac = registerHotkeys(new FakeGlobalShortcut(), bindings, handlers(), 'darwin');
    expect(onMac.failures).toEqual([]);
  });

  it('unregisters what it registered before, and nothing else', () => {
    const shortcuts = new FakeGlobalShortcut();
    shortcuts.register('Ctrl+Shift+F9', () => {}); // someone else's shortcut
    const first = handlers();
    registerHotkeys(shortcuts, DEFAULT_HOTKEYS, first, 'linux');
    const second = handlers();
    // Same bindings again: Electron would refuse them if they were still registered.
    const again = registerHotkeys(shortcuts, { ...DEFAULT_HOTKEYS, stop: 'Ctrl+Alt+Q' }, second, 'linux');
    expect(again.failures).toEqual([]);
    shortcuts.press('CommandOrControl+Alt+S');
    expect(second.speakClipboard).toHaveBeenCalledOnce();
    expect(first.speakClipboard).not.toHaveBeenCalled();
    expect(shortcuts.callbacks.has('commandorcontrol+alt+x')).toBe(false);
    expect(shortcuts.callbacks.has('ctrl+shift+f9')).toBe(true);
  });

  it('leaves an empty binding off without calling it a failure', () => {
    const shortcuts = new FakeGlobalShortcut();
    const report = registerHotkeys(shortcuts, { ...DEFAULT_HOTKEYS, stop: '  ' }, handlers(), 'linux');
    expect(report.disabled).toEqual(['stop']);
    expect(report.failures).toEqual([]);
    expect(shortcuts.attempts).toHaveLength(HOTKEY_ACTIONS.length - 1);
  });

  it('explains a refusal while shortcuts are suspended, and media keys on macOS', () => {
    const suspended = new FakeGlobalShortcut();
    suspended.suspended = true;
    const report = registerHotkeys(suspended, DEFAULT_HOTKEYS, handlers(), 'linux');
    expect(report.failures.map((failure) => failure.reason)).toEqual(Array(HOTKEY_ACTIONS.length).fill('shortcuts are paused while a new one is being recorded'));

    const mac = new FakeGlobalShortcut(['mediaplaypause']);
    const media = registerHotkeys(mac, { ...DEFAULT_HOTKEYS, pauseResume: 'MediaPlayPause' }, handlers(), 'darwin');
    expect(media.failures[0].reason).toMatch(/Accessibility/);
  });

  it('describes a failure for the user', () => {
    const failure = { action: 'speakClipboard', accelerator: 'CommandOrControl+Alt+S', reason: HELD_ELSEWHERE } as const;
    expect(describeHotkeyFailure(failure, 'linux')).toBe('Speak clipboard (Ctrl+Alt+S): already used by another application or the system.');
    expect(describeHotkeyFailure(failure, 'darwin')).toBe('Speak clipboard (Cmd+Alt+S): already used by another application or the system.');
  });
});

describe('waylandGlobalShortcutsSwitch', () => {
  it('asks for the GlobalShortcutsPortal feature only in a Linux Wayland session', () => {
    expect(waylandGlobalShortcutsSwitch({ XDG_SESSION_TYPE: 'wayland' }, 'linux')).toBe('GlobalShortcutsPortal');
    expect(waylandGlobalShortcutsSwitch({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe('GlobalShortcutsPortal');
    expect(waylandGlobalShortcutsSwitch({ XDG_SESSION_TYPE: 'x11', WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(waylandGlobalShortcutsSwitch({ XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }, 'linux')).toBeNull();
    expect(waylandGlobalShortcutsSwitch({}, 'linux')).toBeNull();
    expect(waylandGlobalShortcutsSwitch({ XDG_SESSION_TYPE: 'wayland' }, 'darwin')).toBeNull();
  });
});

describe('enableChromiumFeature', () => {
  /** base::CommandLine: appending a switch again replaces its value. */
  const commandLine = (initial: Record<string, string> = {}) => {
    const switches = new Map(Object.entries(initial));
    return {
      switches,
      getSwitchValue: (name: string) => switches.get(name) ?? '',
      appendSwitch: (name: string, value?: string) => void switches.set(name, value ?? ''),
    };
  };

  it('adds the feature and keeps the ones already enabled', () => {
    const line = commandLine({ 'enable-features': 'WebRTCPipeWireCapturer' });
    enableChromiumFeature(line, 'GlobalShortcutsPortal');
    expect(line.switches.get('enable-features')).toBe('WebRTCPipeWireCapturer,GlobalShortcutsPortal');
    enableChromiumFeature(line, 'GlobalShortcutsPortal');
    expect(line.switches.get('enable-features')).toBe('WebRTCPipeWireCapturer,GlobalShortcutsPortal');
  });

  it('works when no feature is enabled yet', () => {
    const line = commandLine();
    enableChromiumFeature(line, 'GlobalShortcutsPortal');
    expect(line.switches.get('enable-features')).toBe('GlobalShortcutsPortal');
  });
});
