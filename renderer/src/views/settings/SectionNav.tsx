// The settings' sidebar: a link per section, the one being read marked with aria-current.
// The links jump within the page without touching the address, whose #settings says which
// window this page is.
import { SECTIONS, type SectionId } from './sections';

/** The section links; `jumpTo` scrolls and moves the focus. */
export function SectionNav({ current, jumpTo }: { current: SectionId; jumpTo: (id: SectionId) => void }) {
  return (
    <nav className="settings-nav" aria-label="Settings sections">
      <ul>
        {SECTIONS.map(({ id, title }) => (
          <li key={id}>
            <a
              href={`#${id}`}
              aria-current={current === id ? 'true' : undefined}
              onClick={(e) => {
                e.preventDefault();
                jumpTo(id);
              }}
            >
              {title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
