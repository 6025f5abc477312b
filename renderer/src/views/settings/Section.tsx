// One section of the settings page: a compact heading, then its cards.
import type { ReactNode } from 'react';
import { headingIdOf, SECTIONS, type SectionId } from './sections';

/** A section, named by its heading; the heading takes the focus when the sidebar jumps here. */
export function Section({ id, children }: { id: SectionId; children: ReactNode }) {
  const title = SECTIONS.find((s) => s.id === id)!.title;
  return (
    <section id={id} className="settings-section" aria-labelledby={headingIdOf(id)}>
      <h2 id={headingIdOf(id)} tabIndex={-1}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A group of fields on a raised surface, with an optional title. */
export function Card({ title, children }: { title?: string; children: ReactNode }) {
  return (
    <div className="settings-card">
      {title && <h3>{title}</h3>}
      {children}
    </div>
  );
}
