// The settings window's sections, in page order: the sidebar links to each by its id.

/** Each section's element id and heading. */
export const SECTIONS = [
  { id: 'settings-voice', title: 'Voice' },
  { id: 'settings-playback', title: 'Playback' },
  { id: 'settings-shortcuts', title: 'Shortcuts' },
  { id: 'settings-pronunciation', title: 'Pronunciation' },
  { id: 'settings-advanced', title: 'Advanced' },
  { id: 'settings-about', title: 'About' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

/** The heading of a section, for the section's own label and the focus a jump leaves on it. */
export const headingIdOf = (id: SectionId): string => `${id}-heading`;
