// A labelled settings field: its hint, the variable that sets it, and its refusal.
import { Children, cloneElement, createContext, isValidElement, useContext, useId, type ReactElement, type ReactNode } from 'react';

/** Settings an UTTER_* variable sets, by name: their fields say so, since the variable wins. */
export const SetByEnvironment = createContext<Partial<Record<string, string>>>({});

/**
 * A labelled field. Its hint and its refusal, if any, describe the control for screen
 * readers, and a refusal marks it invalid and is announced as it appears.
 */
export function Field(props: { label: string; name: string; issues: Record<string, string>; hint?: string; actions?: ReactNode; children: ReactNode }) {
  const { label, name, issues, actions, children } = props;
  const variable = useContext(SetByEnvironment)[name];
  const hint = [variable && `Set by ${variable} in the environment, which wins over this field.`, props.hint].filter(Boolean).join(' ');
  const issue = Object.entries(issues).find(([k]) => k === name || k.startsWith(`${name}.`))?.[1];
  const id = useId();
  const describedBy = [hint && `${id}-hint`, issue && `${id}-issue`].filter(Boolean).join(' ') || undefined;
  // The first input, select or textarea among the children is the control described, or a
  // component that passes the aria props on to its own (ShortcutInput).
  let described = false;
  const control = Children.map(children, (child) => {
    if (described || !isValidElement(child) || !(typeof child.type === 'function' || ['input', 'select', 'textarea'].includes(child.type as string))) return child;
    described = true;
    return cloneElement(child as ReactElement<Record<string, unknown>>, { 'aria-describedby': describedBy, 'aria-invalid': issue ? true : undefined });
  });
  return (
    <div className="field">
      <label>
        <span>{label}</span>
        {control}
      </label>
      {/* Buttons that act on the control sit outside its label, so they are not part of its name. */}
      {actions && <span className="row">{actions}</span>}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {issue && (
        <small role="alert" className="error" id={`${id}-issue`} data-testid={`issue-${name}`}>
          {issue}
        </small>
      )}
    </div>
  );
}
