// A global shortcut's field: records the keys pressed in it (Backspace clears, Escape
// keeps the saved one), shown as the platform spells it; what is saved keeps CommandOrControl.
import { displayAccelerator } from '../../../../shared/accelerator';
import type { HotkeyAction } from '../../../../shared/config/schema';
import { recordKeyPress } from '../hotkey-recorder';
import { useSavedValue } from './SavedInput';

/** ⌘ is the primary modifier on a Mac, Ctrl elsewhere (the shortcut fields record with it). */
export const MAC = /Mac/.test(navigator.userAgent);

/** The input for one action's shortcut; `save` gets the accelerator ('' for none). The field's aria props go on the input. */
export function ShortcutInput(props: { action: HotkeyAction; saved: string; save: (accelerator: string) => void; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) {
  const { action, saved, save } = props;
  const ref = useSavedValue<HTMLInputElement>(displayAccelerator(saved, MAC));
  return (
    <input
      ref={ref}
      className="shortcut"
      aria-describedby={props['aria-describedby']}
      aria-invalid={props['aria-invalid']}
      data-testid={`setting-hotkey-${action}`}
      defaultValue={displayAccelerator(saved, MAC)}
      placeholder="none"
      onKeyDown={(e) => {
        const recorded = recordKeyPress(e, MAC);
        if (recorded.kind === 'pass') {
          if (e.key === 'Escape') e.currentTarget.value = displayAccelerator(saved, MAC);
          return;
        }
        e.preventDefault();
        if (recorded.kind === 'wait') return;
        const value = recorded.kind === 'clear' ? '' : recorded.accelerator;
        e.currentTarget.value = displayAccelerator(value, MAC);
        save(value);
      }}
      onBlur={(e) => {
        const typed = e.target.value.trim();
        if (typed !== displayAccelerator(saved, MAC)) save(typed);
      }}
    />
  );
}
