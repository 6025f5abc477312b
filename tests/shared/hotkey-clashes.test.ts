import { describe, expect, it } from 'vitest';
import { sameShortcut } from '../../shared/accelerator';
import { DEFAULT_SETTINGS, formatSettingsIssues, validateSettings } from '../../shared/config/schema';

/**
 * Two actions on one shortcut: the app would register it for one only, so the one schema
 * (the app, `utter web` and the CLI) refuses it, naming the other action at each field.
 */
const hotkeys = (patch: Partial<typeof DEFAULT_SETTINGS.hotkeys>) => ({ hotkeys: { ...DEFAULT_SETTINGS.hotkeys, ...patch } });

describe('two shortcuts on the same keys', () => {
  it('are refused, each naming the action that has the keys already', () => {
    const result = validateSettings(hotkeys({ stop: 'CommandOrControl+Alt+S' }));
    expect(result).toEqual({
      ok: false,
      issues: [
        { setting: 'hotkeys.speakClipboard', value: 'CommandOrControl+Alt+S', message: 'Ctrl+Alt+S is already the shortcut for Stop' },
        { setting: 'hotkeys.stop', value: 'CommandOrControl+Alt+S', message: 'Ctrl+Alt+S is already the shortcut for Speak clipboard' },
      ],
    });
    expect(formatSettingsIssues(result.ok ? [] : result.issues)).toContain('hotkeys.stop = "CommandOrControl+Alt+S" (Ctrl+Alt+S is already the shortcut for Speak clipboard)');
  });

  it('count as the same whatever the spelling, case or order of the modifiers', () => {
    for (const spelling of ['Ctrl+Alt+S', 'Alt+CommandOrControl+s', 'control+option+S', 'CmdOrCtrl+Alt+s']) {
      const result = validateSettings(hotkeys({ pauseResume: spelling }));
      expect(result.ok ? [] : result.issues.map((i) => [i.setting, i.message.replace(/^.* is/, '… is')])).toEqual([
        ['hotkeys.speakClipboard', '… is already the shortcut for Pause / resume'],
        ['hotkeys.pauseResume', '… is already the shortcut for Speak clipboard'],
      ]);
    }
    // A shifted symbol is its key with Shift; Cmd is the same keys as CommandOrControl on a Mac.
    expect(sameShortcut('Ctrl+Shift+1', 'Ctrl+!')).toBe(true);
    expect(sameShortcut('Cmd+Alt+S', 'CommandOrControl+Alt+S')).toBe(true);
    expect(sameShortcut('Ctrl+Alt+S', 'Ctrl+Shift+S')).toBe(false);
  });

  it('leaves apart shortcuts turned off, distinct ones, and bad ones to their own message', () => {
    expect(validateSettings(hotkeys({ stop: '', pauseResume: ' ', faster: '' }))).toMatchObject({ ok: true });
    expect(validateSettings(hotkeys({ stop: 'Ctrl+Shift+F9', slower: 'Ctrl+Alt+F9' }))).toMatchObject({ ok: true });
    const bad = validateSettings(hotkeys({ stop: 'Ctrl+Sift+S', faster: 'Ctrl+Sift+S' }));
    expect(bad.ok ? [] : bad.issues.map((i) => i.setting)).toEqual(['hotkeys.stop', 'hotkeys.faster']);
    expect(bad.ok ? '' : bad.issues[0].message).toMatch(/not a key or modifier/);
  });

  it('never throws on hostile input', () => {
    for (const value of [null, 5, 'x', [], { stop: 7 }, { stop: 'Ctrl+Alt+S', speakClipboard: null }, { constructor: 'Ctrl+Alt+S' }]) {
      expect(() => validateSettings({ hotkeys: value })).not.toThrow();
      expect(validateSettings({ hotkeys: value }).ok).toBe(false);
    }
  });
});
