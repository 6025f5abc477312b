// The settings as the window holds them: loaded once, changed one patch at a time through
// the one schema in the main process (or `utter web`), with each refusal kept by setting.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SettingsIssue } from '../../../../shared/config/schema';
import type { PublicSettings } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';
import { rangeOf, type NumericSetting } from './ranges';

/** Sends a patch; resolves true once it is saved, false when refused. */
export type ChangeSettings = (patch: Record<string, unknown>) => Promise<boolean>;

/** Sends a number field's text as its setting; resolves as ChangeSettings does. */
export type ChangeNumber = (name: NumericSetting, text: string) => Promise<boolean>;

/** What each section of the window is given. */
export interface SectionProps {
  settings: PublicSettings;
  issues: Record<string, string>;
  change: ChangeSettings;
  changeNumber: ChangeNumber;
}

/** Settings that decide whether the key reaches the servers: a change to one is worth a new provider check. */
const KEY_SETTINGS = ['apiKey', 'apiKeyConfirm'];

/** The issues left once a patch's settings (and their parts) have been sent again. */
function withoutPatched(issues: Record<string, string>, patch: Record<string, unknown>): Record<string, string> {
  const names = Object.keys(patch);
  return Object.fromEntries(Object.entries(issues).filter(([k]) => !names.some((name) => k === name || k.startsWith(`${name}.`))));
}

/** True when every setting in the patch already has its value: a field left as it was. */
function changesNothing(settings: PublicSettings | null, patch: Record<string, unknown>): boolean {
  return settings !== null && Object.entries(patch).every(([name, value]) => Object.hasOwn(settings, name) && Object.is((settings as Record<string, unknown>)[name], value));
}

/** The window's settings, their refusals, the saved line, and `change`. */
export function useSettings(bridge: Bridge) {
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [loadError, setLoadError] = useState('');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState('');
  /** Counts the key's saves: the flag `apiKeySet` alone does not change when a key replaces another. */
  const [keyRevision, setKeyRevision] = useState(0);
  /** The settings as last loaded or saved, and the changes on their way: what a patch is compared with. */
  const latest = useRef<PublicSettings | null>(null);
  const sending = useRef(0);

  useEffect(() => {
    bridge.settings().then(
      (loaded) => {
        latest.current = loaded;
        setSettings(loaded);
      },
      (e: Error) => setLoadError(e.message),
    );
  }, [bridge]);

  // Changed elsewhere (settings.json in an editor, another window or tab, the tray): shown
  // at once. Not while a change of its own is on its way: its answer brings the settings as
  // they are then. A field the user is typing in keeps their text (SavedInput).
  useEffect(
    () =>
      bridge.onSettings((pushed) => {
        if (sending.current > 0) return;
        latest.current = pushed;
        setSettings(pushed);
      }),
    [bridge],
  );

  const change = useCallback<ChangeSettings>(
    async (patch) => {
      // A field entered and left as it was saves nothing, so says nothing; a refusal next to it
      // goes, as it shows the value in force. With a change on its way, that value is not known yet.
      if (sending.current === 0 && changesNothing(latest.current, patch)) {
        setIssues((current) => withoutPatched(current, patch));
        return true;
      }
      let result;
      sending.current++;
      try {
        result = await bridge.updateSettings(patch);
      } catch (error) {
        setSaved(`Not saved: ${(error as Error).message}`);
        return false;
      } finally {
        sending.current--;
      }
      if (result.ok) {
        latest.current = result.settings;
        setSettings(result.settings);
        setIssues((current) => withoutPatched(current, patch));
        setSaved(result.notSaved ?? 'Saved.');
        if (KEY_SETTINGS.some((name) => Object.hasOwn(patch, name))) setKeyRevision((n) => n + 1);
        return true;
      }
      const refused = Object.fromEntries(result.issues.map((i: SettingsIssue) => [i.setting, i.message]));
      setIssues((current) => ({ ...withoutPatched(current, patch), ...refused }));
      setSaved('');
      return false;
    },
    [bridge],
  );

  // An emptied field (or one holding no number: a number input reads as empty then) sends
  // nothing: it says what it needs and what is still in force, rather than "Saved.".
  const changeNumber = useCallback<ChangeNumber>(
    async (name, text) => {
      if (text.trim() !== '') return change({ [name]: Number(text) });
      setIssues((current) => ({ ...withoutPatched(current, { [name]: null }), [name]: `must be a number (${rangeOf(name)}): it is still ${settings?.[name] ?? 'as it was'}` }));
      setSaved('');
      return false;
    },
    [change, settings],
  );

  return { settings, loadError, issues, saved, change, changeNumber, keyRevision };
}
