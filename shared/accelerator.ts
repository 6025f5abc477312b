// The accelerator grammar the settings schema and the hotkey registration share, so a
// malformed shortcut is refused next to its field before Electron ever sees it.

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

export interface ParsedAccelerator {
  modifiers: Set<Modifier>;
  key: string;
}

/** Parses an accelerator, or returns why it is not one. */
export function parseAccelerator(text: string): ParsedAccelerator | string {
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
    return `"${keys[0]}" needs a modifier such as Ctrl (⌘ on a Mac) or Alt, or it would stop working in every other application`;
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
export function canonicalAccelerator(text: string, platform: string): string | null {
  const parsed = parseAccelerator(text);
  return typeof parsed === 'string' ? null : canonical(parsed, platform);
}

/**
 * True when `a` and `b` are the same keys on a Mac or elsewhere ("Ctrl+Alt+S" and
 * "Alt+CommandOrControl+s" are one off macOS): a settings file may move between the two.
 */
export function sameShortcut(a: string, b: string): boolean {
  return ['darwin', 'linux'].some((platform) => {
    const first = canonicalAccelerator(a, platform);
    return first !== null && first === canonicalAccelerator(b, platform);
  });
}

/** One spelling of a parsed accelerator on `platform` (sorted modifiers, then the key). */
export function canonical(parsed: ParsedAccelerator, platform: string): string {
  const modifiers = [...parsed.modifiers].map((modifier): string =>
    modifier === 'cmdorctrl' ? (platform === 'darwin' ? 'meta' : 'ctrl') : modifier,
  );
  return [...[...new Set(modifiers)].sort(), parsed.key].join('+');
}

// How the platform's own menus spell the modifiers; each is still an accelerator Electron reads
// the same way on that platform.
const SHOWN: Record<string, string> = { commandorcontrol: 'Ctrl', cmdorctrl: 'Ctrl', control: 'Ctrl', command: 'Cmd', cmd: 'Cmd', option: 'Alt' };

/** An accelerator as a person reads it: "Ctrl+Alt+S" (or "Cmd+Alt+S" on a Mac), not "CommandOrControl+Alt+S". */
export function displayAccelerator(accelerator: string, mac: boolean): string {
  return accelerator
    .split('+')
    .map((part) => {
      const word = part.trim().toLowerCase();
      if (mac && (word === 'commandorcontrol' || word === 'cmdorctrl')) return 'Cmd';
      return Object.hasOwn(SHOWN, word) ? SHOWN[word] : part.trim();
    })
    .join('+');
}
