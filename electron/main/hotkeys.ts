// Global hotkeys (issue 4 §1): accelerators are checked here before Electron sees them, and
// every registration that fails is reported with a reason a user can act on.
// Electron objects come in as parameters, so tests/shell/hotkeys.test.ts runs without Electron.
import type { CommandLine, GlobalShortcut } from 'electron';

/** What a global hotkey can do. */
export type HotkeyAction = 'speakClipboard' | 'stop' | 'pauseResume';

/** One accelerator per action; an empty string turns that hotkey off. */
export type HotkeyBindings = Record<HotkeyAction, string>;

/** Registration order: when two actions share a shortcut, the earlier one keeps it. */
export const HOTKEY_ACTIONS: readonly HotkeyAction[] = ['speakClipboard', 'pauseResume', 'stop'];

/** How the settings and the error messages name each action. */
export const HOTKEY_LABELS: Readonly<Record<HotkeyAction, string>> = {
  speakClipboard: 'Speak clipboard',
  pauseResume: 'Pause/Resume',
  stop: 'Stop',
};

/** Ctrl+Alt (Cmd+Option on macOS) plus a letter: rarely taken by desktops or other apps. */
export const DEFAULT_HOTKEYS: Readonly<HotkeyBindings> = {
  speakClipboard: 'CommandOrControl+Alt+S',
  stop: 'CommandOrControl+Alt+X',
  pauseResume: 'CommandOrControl+Alt+P',
};

// The accelerator grammar of Electron's shell/common/keyboard_util.cc (KeyboardCodeFromStr)
// and shell/browser/ui/accelerator_util.cc, lower-cased as Electron compares it
// (docs: https://electronjs.org/docs/api/accelerator). Electron itself is lenient: it skips
// empty parts, treats an unknown word as "no key" and keeps the last of two keys, so
// "Ctrl+Sift+S" would quietly become Ctrl+S. We refuse those instead.
type Modifier = 'ctrl' | 'alt' | 'shift' | 'altgr' | 'meta' | 'cmdorctrl';
const MODIFIERS: Record<string, Modifier> = {
  control: 'ctrl',
  ctrl: 'ctrl',
  alt: 'alt',
  option: 'alt',
  shift: 'shift',
  altgr: 'altgr',
  // Electron maps all four to one key code (VKEY_COMMAND).
  command: 'meta',
  cmd: 'meta',
  super: 'meta',
  meta: 'meta',
  commandorcontrol: 'cmdorctrl',
  cmdorctrl: 'cmdorctrl',
};

/** Named keys, each mapped to one spelling so aliases compare equal. */
const NAMED_KEYS: Record<string, string> = {
  ...Object.fromEntries(
    [
      'backspace', 'capslock', 'delete', 'down', 'end', 'escape', 'home', 'insert', 'left',
      'medianexttrack', 'mediaplaypause', 'mediaprevioustrack', 'mediastop', 'numadd', 'numdec',
      'numdiv', 'numlock', 'nummult', 'numsub', 'pagedown', 'pageup', 'printscreen', 'right',
      'scrolllock', 'space', 'tab', 'up', 'volumedown', 'volumemute', 'volumeup',
      ...Array.from({ length: 24 }, (_, i) => `f${i + 1}`),
      ...Array.from({ length: 10 }, (_, i) => `num${i}`),
    ].map((key) => [key, key]),
  ),
  enter: 'enter',
  return: 'enter',
  esc: 'escape',
  plus: '+',
};

/** Single characters Electron knows; a shifted one is its base key with Shift. */
const UNSHIFTED = "abcdefghijklmnopqrstuvwxyz0123456789,-./;=[\\]'`";
const SHIFTED: Record<string, string> = {
  '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
  ':': ';', '+': '=', '<': ',', '_': '-', '>': '.', '?': '/', '~': '`', '{': '[', '|': '\\', '}': ']', '"': "'",
};

/** Keys that may be global on their own; any other key alone would be lost to every other app. */
const BARE_KEY_OK = /^(f\d+|media\w+|volume\w+|printscreen|scrolllock)$/;

interface ParsedAccelerator {
  modifiers: Set<Modifier>;
  key: string;
}

/** Parses an accelerator, or returns why it is not one. */
function parseAccelerator(text: string): ParsedAccelerator | string {
  if (text.trim() === '') return 'it is empty';
  // eslint-disable-next-line no-control-regex -- the check is exactly "ASCII only", as in Electron
  if (/[^\x00-\x7f]/.test(text)) return 'it may only use ASCII letters, digits and symbols';
  const parts = text.split('+').map((part) => part.trim());
  if (parts.some((part) => part === '')) return 'it has an empty part between "+" signs (write Plus for the + key)';
  const modifiers = new Set<Modifier>();
  const keys: string[] = [];
  for (const part of parts) {
    const word = part.toLowerCase();
    // hasOwn, not `in`: "constructor" or "toString" must not pass as a key.
    if (Object.hasOwn(MODIFIERS, word)) {
      const modifier = MODIFIERS[word];
      if (modifiers.has(modifier)) return `it names the same modifier twice (${part})`;
      modifiers.add(modifier);
    } else if (word.length === 1 && (UNSHIFTED.includes(word) || Object.hasOwn(SHIFTED, word))) {
      keys.push(part);
    } else if (Object.hasOwn(NAMED_KEYS, word)) {
      keys.push(part);
    } else {
      return `"${part}" is not a key or modifier Electron knows`;
    }
  }
  if (keys.length === 0) return 'it has no key, only modifiers';
  if (keys.length > 1) return `it has more than one key (${keys.join(', ')}); a shortcut has one key`;
  let key = keys[0].toLowerCase();
  if (Object.hasOwn(NAMED_KEYS, key)) key = NAMED_KEYS[key];
  if (Object.hasOwn(SHIFTED, key)) {
    modifiers.add('shift');
    key = SHIFTED[key];
  }
  const onlyShift = [...modifiers].every((modifier) => modifier === 'shift');
  if (onlyShift && !BARE_KEY_OK.test(key)) {
    return `"${keys[0]}" needs a modifier such as CommandOrControl or Alt, or it would stop working in every other application`;
  }
  return { modifiers, key };
}

/**
 * Why `text` is not a usable global accelerator (unknown key or modifier, no key, two keys,
 * a repeated modifier, a typing key without a modifier), or null when it is fine.
 */
export function validateAccelerator(text: string): string | null {
  const parsed = parseAccelerator(text);
  return typeof parsed === 'string' ? `"${text}" is not a valid shortcut: ${parsed}.` : null;
}

/**
 * One spelling per physical shortcut on `platform`, so "Ctrl+Alt+S" and
 * "CommandOrControl+Option+s" compare equal off macOS. Null when not valid.
 */
export function canonicalAccelerator(text: string, platform: NodeJS.Platform): string | null {
  const parsed = parseAccelerator(text);
  return typeof parsed === 'string' ? null : canonical(parsed, platform);
}

function canonical(parsed: ParsedAccelerator, platform: NodeJS.Platform): string {
  const modifiers = [...parsed.modifiers].map((modifier): string =>
    modifier === 'cmdorctrl' ? (platform === 'darwin' ? 'meta' : 'ctrl') : modifier,
  );
  return [...[...new Set(modifiers)].sort(), parsed.key].join('+');
}

/** A hotkey that is not active, and why, in words for the user. */
export interface HotkeyFailure {
  action: HotkeyAction;
  accelerator: string;
  reason: string;
}

/** The outcome of {@link registerHotkeys}: nothing is left out. */
export interface HotkeyReport {
  registered: { action: HotkeyAction; accelerator: string }[];
  failures: HotkeyFailure[];
  /** Actions whose binding is empty: turned off by the user, not an error. */
  disabled: HotkeyAction[];
}

/** The part of Electron's globalShortcut that hotkeys use. */
export type GlobalShortcutApi = Pick<GlobalShortcut, 'register' | 'unregister' | 'isSuspended'>;

/** What this module registered last time, per globalShortcut object. */
const registeredBefore = new WeakMap<object, string[]>();

/** The reason given when register() says no: the OS does not tell who holds the shortcut. */
export const HELD_ELSEWHERE = 'already used by another application or the system';

/**
 * Registers one global shortcut per action, after unregistering the ones this function
 * registered before (Electron refuses to register an accelerator the app already holds).
 * Shortcuts registered by other code are left alone. Call after app 'ready'.
 */
export function registerHotkeys(
  globalShortcut: GlobalShortcutApi,
  bindings: HotkeyBindings,
  handlers: Record<HotkeyAction, () => void>,
  platform: NodeJS.Platform = process.platform,
): HotkeyReport {
  for (const accelerator of registeredBefore.get(globalShortcut) ?? []) globalShortcut.unregister(accelerator);
  const report: HotkeyReport = { registered: [], failures: [], disabled: [] };
  const owners = new Map<string, HotkeyAction>();
  for (const action of HOTKEY_ACTIONS) {
    const accelerator = bindings[action].trim();
    if (accelerator === '') {
      report.disabled.push(action);
      continue;
    }
    const fail = (reason: string): void => void report.failures.push({ action, accelerator, reason });
    const parsed = parseAccelerator(accelerator);
    if (typeof parsed === 'string') {
      fail(`not a valid shortcut: ${parsed}`);
      continue;
    }
    const shortcut = canonical(parsed, platform);
    const owner = owners.get(shortcut);
    if (owner) {
      fail(`the same shortcut is already set for ${HOTKEY_LABELS[owner]}`);
      continue;
    }
    let ok: boolean;
    try {
      ok = globalShortcut.register(accelerator, handlers[action]);
    } catch (error) {
      // Electron throws when it cannot convert the accelerator (our check disagreed with it).
      fail(`not a valid shortcut: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (!ok) {
      fail(whyRefused(globalShortcut, shortcut, platform));
      continue;
    }
    owners.set(shortcut, action);
    report.registered.push({ action, accelerator });
  }
  registeredBefore.set(globalShortcut, report.registered.map((entry) => entry.accelerator));
  return report;
}

/** Why register() returned false: Electron only says "no", so name the likely causes. */
function whyRefused(globalShortcut: GlobalShortcutApi, shortcut: string, platform: NodeJS.Platform): string {
  if (globalShortcut.isSuspended()) return 'shortcuts are paused while a new one is being recorded';
  // electron.d.ts (globalShortcut.register): since macOS 10.14 the media keys need the app to
  // be a trusted accessibility client.
  if (platform === 'darwin' && /(^|\+)media/.test(shortcut)) {
    return 'macOS lets only apps allowed under Privacy & Security › Accessibility use media keys';
  }
  return HELD_ELSEWHERE;
}

/** "Speak clipboard (CommandOrControl+Alt+S): already used by another application or the system." */
export function describeHotkeyFailure(failure: HotkeyFailure): string {
  return `${HOTKEY_LABELS[failure.action]} (${failure.accelerator}): ${failure.reason}.`;
}

/**
 * The Chromium feature that routes globalShortcut through the xdg-desktop-portal
 * GlobalShortcuts interface, or null where it is not needed (anything but a Linux Wayland
 * session). Wayland gives no app a global key grab, so without the portal the hotkeys only
 * fire while Utter has focus.
 *
 * Sources: Electron's docs (docs/api/global-shortcut.md) show
 * `app.commandLine.appendSwitch('enable-features', 'GlobalShortcutsPortal')` "for cases when
 * the app runs in a Wayland session"; the feature came with electron/electron#45171
 * (Electron 34/35: "Electron must be run with --enable-features=GlobalShortcutsPortal").
 * Since electron/electron#48301 (Electron 38) the Wayland backend is chosen from
 * XDG_SESSION_TYPE, so an explicit "x11" session runs under X11 and needs no portal.
 * Through the portal the desktop may ask the user to confirm or bind the shortcuts in its
 * own settings (KDE, GNOME), and register() returning true does not prove a key is bound.
 */
export function waylandGlobalShortcutsSwitch(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  if (platform !== 'linux') return null;
  const session = env.XDG_SESSION_TYPE?.toLowerCase();
  const wayland = session === 'wayland' || (session !== 'x11' && Boolean(env.WAYLAND_DISPLAY));
  return wayland ? 'GlobalShortcutsPortal' : null;
}

/**
 * Adds `feature` to the enable-features switch, keeping features already there: Chromium
 * honours only the last --enable-features value (a known clobber, see
 * aaddrick/claude-desktop-debian#690), so a second appendSwitch would drop the first.
 * Must run before app 'ready'.
 */
export function enableChromiumFeature(commandLine: Pick<CommandLine, 'getSwitchValue' | 'appendSwitch'>, feature: string): void {
  const current = commandLine.getSwitchValue('enable-features').split(',').filter((name) => name !== '');
  if (current.includes(feature)) return;
  commandLine.appendSwitch('enable-features', [...current, feature].join(','));
}
