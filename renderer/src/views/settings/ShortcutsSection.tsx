// Settings › Shortcuts: the global shortcuts, each recorded from the keys pressed in it.
import { HOTKEY_ACTIONS, HOTKEY_LABELS, type HotkeyAction } from '../../../../shared/config/schema';
import { Field } from './Field';
import { Card, Section } from './Section';
import { ShortcutInput } from './ShortcutField';
import type { SectionProps } from './use-settings';

/** What an action does, where its label alone does not say it. */
const ABOUT: Partial<Record<HotkeyAction, string>> = {
  speakSelection: 'Reads the text selected in any application, without copying it.',
};

/** The Shortcuts section: one field per global shortcut. */
export function ShortcutsSection({ settings, issues, change }: SectionProps) {
  return (
    <Section id="settings-shortcuts">
      <Card>
        {HOTKEY_ACTIONS.map((action) => (
          <Field
            key={action}
            label={HOTKEY_LABELS[action]}
            name={`hotkeys.${action}`}
            issues={issues}
            hint={
              settings.hotkeyProblems?.[action]
                ? `Not active: ${settings.hotkeyProblems[action]}.`
                : [ABOUT[action], 'Press the keys to use; Backspace clears.'].filter(Boolean).join(' ')
            }
          >
            <ShortcutInput action={action} saved={settings.hotkeys[action]} save={(value) => void change({ hotkeys: { ...settings.hotkeys, [action]: value } })} />
          </Field>
        ))}
      </Card>
    </Section>
  );
}
