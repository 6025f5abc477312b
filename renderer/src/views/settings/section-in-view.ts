// Which section of the settings the reader is at, for the sidebar's aria-current: the one
// whose heading has passed a line near the top of the window, or the one just jumped to
// while its heading is still in sight (the last sections are too short to reach the top).
import { useCallback, useEffect, useRef, useState } from 'react';
import { headingIdOf, type SectionId } from './sections';

/** How far down the window a section's top must come to be the one being read. */
const READING_LINE = 0.3;

function headingInSight(id: SectionId): boolean {
  const rect = document.getElementById(headingIdOf(id))?.getBoundingClientRect();
  return Boolean(rect && rect.top >= 0 && rect.bottom <= window.innerHeight);
}

/** The last section whose top has reached the reading line; the first one before that. */
function sectionAtReadingLine(ids: readonly SectionId[]): SectionId {
  const line = window.innerHeight * READING_LINE;
  let reading = ids[0];
  for (const id of ids) {
    const top = document.getElementById(id)?.getBoundingClientRect().top;
    if (top !== undefined && top <= line) reading = id;
  }
  return reading;
}

/** The section in view, and `jumpTo`, which scrolls to a section and moves the focus to its heading. */
export function useSectionInView(ids: readonly SectionId[]) {
  const [current, setCurrent] = useState<SectionId>(ids[0]);
  /** The section jumped to: it stays current while its heading is in sight. */
  const jumped = useRef<SectionId | null>(null);

  useEffect(() => {
    let frame = 0;
    const measure = (): void => {
      frame = 0;
      if (jumped.current && headingInSight(jumped.current)) return setCurrent(jumped.current);
      jumped.current = null;
      setCurrent(sectionAtReadingLine(ids));
    };
    // At most once a frame, however fast the scroll events come.
    const schedule = (): void => {
      frame ||= requestAnimationFrame(measure);
    };
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    schedule();
    return () => {
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      cancelAnimationFrame(frame);
    };
  }, [ids]);

  const jumpTo = useCallback((id: SectionId): void => {
    jumped.current = id;
    setCurrent(id);
    document.getElementById(id)?.scrollIntoView({ block: 'start' });
    // The keyboard goes on from the section, not from the top of the page.
    document.getElementById(headingIdOf(id))?.focus({ preventScroll: true });
  }, []);

  return { current, jumpTo };
}
