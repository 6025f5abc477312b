// The few icons the settings window draws, inline (lucide's shapes, 24-unit grid, stroked
// in the text colour). Decorative: the button around each one carries the name.
import type { ReactNode } from 'react';

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

/** An arrow pointing up: move a row up. */
export const ArrowUpIcon = () => (
  <Icon>
    <path d="m5 12 7-7 7 7" />
    <path d="M12 19V5" />
  </Icon>
);

/** A cross: remove a row. */
export const RemoveIcon = () => (
  <Icon>
    <path d="M18 6 6 18" />
    <path d="m6 6 12 12" />
  </Icon>
);

/** A plus: add a row. */
export const AddIcon = () => (
  <Icon>
    <path d="M5 12h14" />
    <path d="M12 5v14" />
  </Icon>
);

/** A play triangle: hear a sample. */
export const PlayIcon = () => (
  <Icon>
    <path d="M6 4.5v15a1 1 0 0 0 1.5.86l12-7.5a1 1 0 0 0 0-1.72l-12-7.5A1 1 0 0 0 6 4.5z" />
  </Icon>
);
