// Settings › Shortcuts: the global shortcuts, each recorded from the keys pressed in it.
import { HOTKEY_ACTIONS, HOTKEY_LABELS } from '../../../../shared/config/schema';
import { Field } from './Field';
import { Card, Section } from './Section';
import { ShortcutInput } from './ShortcutField';
import type { SectionProps } from './use-settings';

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
            hint={settings.hotkeyProblems?.[action] ? `Not active: ${settings.hotkeyProblems[action]}.` : 'Press the keys to use; Backspace clears.'}
          >
            <ShortcutInput action={action} saved={settings.hotkeys[action]} save={(value) => void change({ hotkeys: { ...settings.hotkeys, [action]: value } })} />
          </Field>
        ))}
      </Card>
    </Section>
  );
}
