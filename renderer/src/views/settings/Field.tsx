// A labelled settings field: its hint, the variable that sets it, and its refusal.
import { Children, cloneElement, createContext, isValidElement, useContext, useId, type ReactElement, type ReactNode } from 'react';

/** Settings an UTTER_* variable sets, by name: their fields say so, since the variable wins. */
export const SetByEnvironment = createContext<Partial<Record<string, string>>>({});

/** The refusal of a setting or of one of its parts (`hotkeys.stop`, `baseUrls.1`). */
export function issueOf(issues: Record<string, string>, name: string): string | undefined {
  return Object.entries(issues).find(([k]) => k === name || k.startsWith(`${name}.`))?.[1];
}

/**
 * What describes a setting's control: its hint (with the variable that sets it) and its
 * refusal, as the notes to show under it and the ids for `aria-describedby`. A refusal is
 * announced as it appears.
 */
export function useDescription(name: string, issues: Record<string, string>, givenHint?: string) {
  const variable = useContext(SetByEnvironment)[name];
  const hint = [variable && `Set by ${variable} in the environment, which wins over this field.`, givenHint].filter(Boolean).join(' ');
  const issue = issueOf(issues, name);
  const id = useId();
  const describedBy = [hint && `${id}-hint`, issue && `${id}-issue`].filter(Boolean).join(' ') || undefined;
  const notes = (
    <>
      {hint && (
        <small className="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
      {issue && (
        <small role="alert" className="error" id={`${id}-issue`} data-testid={`issue-${name}`}>
          {issue}
        </small>
      )}
    </>
  );
  return { describedBy, invalid: issue ? true : undefined, notes };
}

/**
 * A labelled field, label above its control. Its hint and its refusal, if any, describe
 * the control for screen readers, and a refusal marks it invalid. `actions` sit beside the
 * control (below it in a narrow window).
 */
export function Field(props: { label: string; name: string; issues: Record<string, string>; hint?: string; actions?: ReactNode; children: ReactNode }) {
  const { label, name, issues, actions, children } = props;
  const { describedBy, invalid, notes } = useDescription(name, issues, props.hint);
  // The first input, select or textarea among the children is the control described, or a
  // component that passes the aria props on to its own (ShortcutInput).
  let described = false;
  const control = Children.map(children, (child) => {
    if (described || !isValidElement(child) || !(typeof child.type === 'function' || ['input', 'select', 'textarea'].includes(child.type as string))) return child;
    described = true;
    return cloneElement(child as ReactElement<Record<string, unknown>>, { 'aria-describedby': describedBy, 'aria-invalid': invalid });
  });
  return (
    <div className={actions ? 'field with-actions' : 'field'}>
      <label>
        <span className="label">{label}</span>
        {control}
      </label>
      {/* Buttons that act on the control sit outside its label, so they are not part of its name. */}
      {actions && <span className="actions">{actions}</span>}
      {notes}
    </div>
  );
}
