import { describe, expect, it } from 'vitest';
import { canonicalAccelerator, displayAccelerator, validateAccelerator } from '../../shared/accelerator';
import { recordKeyPress, type KeyPress } from '../../renderer/src/views/hotkey-recorder';

const press = (code: string, mods: Partial<KeyPress> = {}, key = code): KeyPress => ({ key, code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });

describe('recording a shortcut from a key press', () => {
  it('spells the primary modifier CommandOrControl: Ctrl off a Mac, ⌘ on one', () => {
    expect(recordKeyPress(press('KeyS', { ctrlKey: true, altKey: true }, 's'), false)).toEqual({ kind: 'shortcut', accelerator: 'CommandOrControl+Alt+S' });
    expect(recordKeyPress(press('KeyS', { metaKey: true, altKey: true }, 'ß'), true)).toEqual({ kind: 'shortcut', accelerator: 'CommandOrControl+Alt+S' });
    expect(recordKeyPress(press('KeyS', { ctrlKey: true }, 's'), true)).toEqual({ kind: 'shortcut', accelerator: 'Control+S' });
    expect(recordKeyPress(press('KeyS', { metaKey: true }, 's'), false)).toEqual({ kind: 'shortcut', accelerator: 'Super+S' });
  });

  it('names the physical key, whatever Shift or the layout makes of it', () => {
    expect(recordKeyPress(press('Digit1', { ctrlKey: true, shiftKey: true }, '!'), false)).toEqual({ kind: 'shortcut', accelerator: 'CommandOrControl+Shift+1' });
    expect(recordKeyPress(press('ArrowUp', { altKey: true }, 'ArrowUp'), false)).toEqual({ kind: 'shortcut', accelerator: 'Alt+Up' });
    expect(recordKeyPress(press('F9'), false)).toEqual({ kind: 'shortcut', accelerator: 'F9' });
    expect(recordKeyPress(press('MediaPlayPause'), false)).toEqual({ kind: 'shortcut', accelerator: 'MediaPlayPause' });
    expect(recordKeyPress(press('Numpad7', { ctrlKey: true }, '7'), false)).toEqual({ kind: 'shortcut', accelerator: 'CommandOrControl+num7' });
  });

  it('records only what the accelerator grammar accepts, and leaves the bare-key refusal to the schema', () => {
    const codes = ['KeyA', 'Digit0', 'F1', 'F24', 'Space', 'Enter', 'Backspace', 'Delete', 'Home', 'PageDown', 'ArrowLeft', 'Minus', 'Equal', 'BracketLeft', 'Backslash', 'Semicolon', 'Quote', 'Comma', 'Period', 'Slash', 'Backquote', 'NumpadAdd', 'NumpadDecimal', 'Numpad0', 'AudioVolumeUp', 'MediaTrackNext', 'PrintScreen'];
    for (const code of codes) {
      const recorded = recordKeyPress(press(code, { ctrlKey: true, altKey: true }, 'x'), false);
      expect(recorded.kind, code).toBe('shortcut');
      if (recorded.kind === 'shortcut') expect(validateAccelerator(recorded.accelerator), recorded.accelerator).toBeNull();
    }
    const bare = recordKeyPress(press('KeyQ', {}, 'q'), false);
    expect(bare).toEqual({ kind: 'shortcut', accelerator: 'Q' });
    expect(validateAccelerator('Q')).toMatch(/needs a modifier such as Ctrl \(⌘ on a Mac\) or Alt/);
  });

  it('waits through modifiers alone and unknown keys; Backspace or Delete clears; Tab and Escape pass', () => {
    expect(recordKeyPress(press('ControlLeft', { ctrlKey: true }, 'Control'), false)).toEqual({ kind: 'wait' });
    expect(recordKeyPress(press('IntlRo', { ctrlKey: true }, 'ろ'), false)).toEqual({ kind: 'wait' });
    expect(recordKeyPress(press('Backspace'), false)).toEqual({ kind: 'clear' });
    expect(recordKeyPress(press('Delete'), false)).toEqual({ kind: 'clear' });
    expect(recordKeyPress(press('Tab'), false)).toEqual({ kind: 'pass' });
    expect(recordKeyPress(press('Tab', { shiftKey: true }), false)).toEqual({ kind: 'pass' });
    expect(recordKeyPress(press('Escape'), false)).toEqual({ kind: 'pass' });
    // With a modifier they are shortcuts like any other.
    expect(recordKeyPress(press('Backspace', { ctrlKey: true }), false)).toEqual({ kind: 'shortcut', accelerator: 'CommandOrControl+Backspace' });
  });
});

describe('showing a shortcut', () => {
  it('spells the modifiers as the platform does, and stays an accelerator that means the same there', () => {
    expect(displayAccelerator('CommandOrControl+Alt+S', false)).toBe('Ctrl+Alt+S');
    expect(displayAccelerator('CommandOrControl+Alt+S', true)).toBe('Cmd+Alt+S');
    expect(displayAccelerator('CmdOrCtrl+Option+Shift+num7', true)).toBe('Cmd+Alt+Shift+num7');
    expect(displayAccelerator('Control+Super+F9', false)).toBe('Ctrl+Super+F9');
    expect(displayAccelerator('', false)).toBe('');
    expect(displayAccelerator('Constructor+S', false)).toBe('Constructor+S');
    for (const shown of ['Ctrl+Alt+S', 'Cmd+Alt+S', 'Cmd+Alt+Shift+num7', 'Ctrl+Super+F9']) expect(validateAccelerator(shown), shown).toBeNull();
    expect(canonicalAccelerator(displayAccelerator('CommandOrControl+Alt+S', true), 'darwin')).toBe(canonicalAccelerator('CommandOrControl+Alt+S', 'darwin'));
    expect(canonicalAccelerator(displayAccelerator('CommandOrControl+Alt+S', false), 'linux')).toBe(canonicalAccelerator('CommandOrControl+Alt+S', 'linux'));
  });
});
