// Where Intl.Segmenter's sentence breaks are wrong for reading aloud. Both fixes only ever
// make a sentence longer, never lose text: a sentence split in two is read with a full stop's
// fall in the middle of a name ("Doctor. Smith"), and its first half may be the whole
// first request.

/**
 * Words that end with a full stop and are followed by a name or a number, not a new
 * sentence: titles, and "St."/"Mt." in place names. A single capital is an initial
 * ("John F. Kennedy").
 */
const BEFORE_A_NAME = /(?:^|[\s([{“‘"'])(?:Mr|Mrs|Ms|Mx|Messrs|Mmes?|Mlle|Dr|Drs|Prof|Profs|Rev|Hon|Gen|Col|Maj|Capt|Lt|Sgt|Cpl|Adm|Gov|Sen|Rep|Pres|Supt|Insp|St|Ste|Mt|Ft|Pt|Jr|Sr|Fr|Hr|Nr|Bd|Abb|vs|cf|ca|approx|[A-Z])\.[\s"'”’)]*$/u;

/** True when a break after `sentence` is a full stop that belongs to an abbreviation. */
export function endsWithAbbreviation(sentence: string): boolean {
  return BEFORE_A_NAME.test(sentence);
}

/**
 * `text` with each line break inside a sentence as a space, the same length, for the
 * segmenter alone: ICU ends a sentence at every line break, so hard-wrapped prose ("it was
 * the worst\nof times") came apart mid-sentence. A break stays where the line before ends
 * a sentence or a clause, where a blank line or a list or heading follows, or where the next
 * line starts with a capital (a poem's lines, a list without marks).
 */
export function joinWrappedLines(text: string): string {
  return text.replace(/(?<=[\p{L}\p{N},\p{Pd}])([ \t]*)(\r?\n)(?=[ \t]*[\p{Ll}\p{N}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, (_match, spaces: string, newline: string) => spaces + ' '.repeat(newline.length));
}
