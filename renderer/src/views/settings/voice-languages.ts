// The languages a provider's voices speak, for the voice picker's filter: grouped by the
// language itself ("en" for en-us and en-gb-x-rp), named in English where the browser
// knows the name.

/** What the filter keeps when no language is chosen. */
export const ALL_LANGUAGES = '';

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** A voice's language group: the primary subtag of its language, lower case. */
export function languageGroupOf(language: string | undefined): string {
  return (language ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

/** "German" for "de"; the code itself for one the browser cannot name. */
export function languageName(group: string): string {
  try {
    return names.of(group) ?? group;
  } catch {
    // Not a well-formed language tag (some servers' own labels): shown as given.
    return group;
  }
}

/** The filter's choices, by name: each language group the voices speak. */
export function languageChoices(voices: readonly { language?: string }[]): { value: string; label: string }[] {
  const groups = new Set(voices.map((v) => languageGroupOf(v.language)).filter(Boolean));
  return [...groups].map((value) => ({ value, label: languageName(value) })).sort((a, b) => a.label.localeCompare(b.label));
}
