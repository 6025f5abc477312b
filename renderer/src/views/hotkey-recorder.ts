// Turns a key press in a shortcut field into an Electron accelerator, so users press the
// keys they want instead of spelling "CommandOrControl+Alt+S" by hand.

/** The parts of a KeyboardEvent the recorder reads. */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/** What a press in a shortcut field means. */
export type Recorded =
  | { kind: 'shortcut'; accelerator: string }
  | { kind: 'clear' }
  /** Let the browser have it (Tab moves focus; Escape leaves the field as it was). */
  | { kind: 'pass' }
  /** A modifier on its own, or a key Electron cannot bind: keep waiting. */
  | { kind: 'wait' };

// KeyboardEvent.code (the physical key, so Shift or a layout does not change it) → Electron's name.
const NAMED: Record<string, string> = {
  Space: 'Space', Enter: 'Enter', NumpadEnter: 'Enter', Backspace: 'Backspace', Delete: 'Delete',
  Insert: 'Insert', Home: 'Home', End: 'End', PageUp: 'PageUp', PageDown: 'PageDown',
  ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right', Escape: 'Escape', Tab: 'Tab',
  Minus: '-', Equal: '=', BracketLeft: '[', BracketRight: ']', Backslash: '\\', Semicolon: ';',
  Quote: "'", Comma: ',', Period: '.', Slash: '/', Backquote: '`',
  NumpadAdd: 'numadd', NumpadSubtract: 'numsub', NumpadMultiply: 'nummult', NumpadDivide: 'numdiv', NumpadDecimal: 'numdec',
  MediaPlayPause: 'MediaPlayPause', MediaStop: 'MediaStop', MediaTrackNext: 'MediaNextTrack', MediaTrackPrevious: 'MediaPreviousTrack',
  AudioVolumeUp: 'VolumeUp', AudioVolumeDown: 'VolumeDown', AudioVolumeMute: 'VolumeMute', PrintScreen: 'PrintScreen', ScrollLock: 'ScrollLock',
};

function keyName(code: string): string | null {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return letter[1];
  const digit = /^Digit(\d)$/.exec(code);
  if (digit) return digit[1];
  const numpad = /^Numpad(\d)$/.exec(code);
  if (numpad) return `num${numpad[1]}`;
  if (/^F([1-9]|1\d|2[0-4])$/.test(code)) return code;
  return NAMED[code] ?? null;
}

/** The accelerator for a press, in the spelling the settings store keeps. */
export function recordKeyPress(press: KeyPress, mac: boolean): Recorded {
  const modified = press.ctrlKey || press.altKey || press.metaKey;
  if (!modified && !press.shiftKey && (press.key === 'Backspace' || press.key === 'Delete')) return { kind: 'clear' };
  if (!modified && (press.key === 'Tab' || press.key === 'Escape')) return { kind: 'pass' };
  const key = keyName(press.code);
  if (!key) return { kind: 'wait' };
  const modifiers: string[] = [];
  // The app's own default spells the primary modifier CommandOrControl, so the same settings
  // file means ⌘ on a Mac and Ctrl elsewhere.
  if (mac ? press.metaKey : press.ctrlKey) modifiers.push('CommandOrControl');
  if (mac && press.ctrlKey) modifiers.push('Control');
  if (!mac && press.metaKey) modifiers.push('Super');
  if (press.altKey) modifiers.push('Alt');
  if (press.shiftKey) modifiers.push('Shift');
  return { kind: 'shortcut', accelerator: [...modifiers, key].join('+') };
}

