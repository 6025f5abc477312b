import type { LucideIcon } from 'lucide-react';
import type { ButtonHTMLAttributes } from 'react';

/**
 * A button that shows only an icon: its name is `label` (for screen readers and voice
 * control), and its tooltip adds the shortcut, if it has one.
 */
export function IconButton({ icon: Icon, label, shortcut, className, ...button }: { icon: LucideIcon; label: string; shortcut?: string } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" className={className ? `icon-button ${className}` : 'icon-button'} aria-label={label} title={shortcut ? `${label} (${shortcut})` : label} {...button}>
      <Icon aria-hidden="true" focusable="false" className="icon" />
    </button>
  );
}
