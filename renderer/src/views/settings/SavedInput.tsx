// Fields that keep what the user types until they leave them (saved on blur), and show the
// saved value again when it changed elsewhere: another window, settings.json in an editor.
import { useEffect, useRef, type InputHTMLAttributes, type TextareaHTMLAttributes } from 'react';

/** A field's element, given `saved` anew whenever it changes, unless the user is in it. */
export function useSavedValue<T extends HTMLInputElement | HTMLTextAreaElement>(saved: string) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const field = ref.current;
    // In the field, the user's own text wins: it is saved, or refused, as they leave.
    if (field && document.activeElement !== field && field.value !== saved) field.value = saved;
  }, [saved]);
  return ref;
}

export function SavedInput({ saved, ...props }: Omit<InputHTMLAttributes<HTMLInputElement>, 'defaultValue' | 'value'> & { saved: string | number }) {
  const ref = useSavedValue<HTMLInputElement>(String(saved));
  return <input ref={ref} defaultValue={saved} {...props} />;
}

export function SavedTextarea({ saved, ...props }: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'defaultValue' | 'value'> & { saved: string }) {
  const ref = useSavedValue<HTMLTextAreaElement>(saved);
  return <textarea ref={ref} defaultValue={saved} {...props} />;
}
