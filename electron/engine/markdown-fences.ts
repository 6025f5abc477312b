/**
 * Fenced blocks (``` or ~~~ lines). Only a fence that closes is one: a stray ``` must not
 * silence the rest of a text. A closed fence is code, and skipped, when its opening line names
 * a language (```python) or its lines look like code; stories use a bare ~~~ pair as a scene
 * break around prose, and that prose is read.
 */

/** An opening fence: up to three spaces, three or more ` or ~, then an info string. */
const OPENING = /^ {0,3}(`{3,}|~{3,})(.*)/;

/** A line that starts or ends with a character prose lines do not: braces, brackets, `;`, `=`, `<`, `>`, `$`, `#`, `/`, `\`, `|`. */
const CODE_LINE_EDGE = /(?:^|[\r\n])[ \t]*[{}()[\];=<>$#/\\|]|[{}()[\];=<>$#/\\|][ \t]*(?=[\r\n]|$)/;

/** A word that ends a sentence: prose has at least one. */
const SENTENCE_END = /[\p{L}\p{N}][.!?…]["'”’)]*(?=\s|$)/u;

/** A fenced block whose closing fence was found. */
export interface FencedBlock {
  /** Where the closing fence's line starts in the original: the block's content ends there. */
  closeAt: number;
  /** Skipped, not read. */
  isCode: boolean;
  /** Whether the content has any letter or digit (so skipping it may leave nothing to speak). */
  hasSpeech: boolean;
}

/** A line that may close a fence: up to three spaces, a run of ` or ~, nothing else. */
const CLOSING = /(?<=[\r\n]) {0,3}(`{3,}|~{3,})[ \t]*(?=[\r\n]|$)/g;

/** The lines of one text that may close a fence of one character, in order. */
interface Closings {
  at: number[];
  length: number[];
  /** `longestFrom[k]`: the longest of closings k and after, so a fence with no close is known at once. */
  longestFrom: number[];
  /** The first closing not before the last fence asked about (fences are asked about in order). */
  next: number;
}

/** Finds each fence's closing line in one text, in time linear in the text. */
export class FenceFinder {
  private closings = new Map<string, Closings>();

  constructor(private readonly original: string) {}

  /**
   * The block that `line` (ending at `lineEnd` in the original) opens; 'unclosed' for a fence
   * line with no closing fence after it (a stray marker, the lines after it are text); null
   * for any other line. Lines are asked about in the order of the text.
   */
  open(line: string, lineEnd: number): FencedBlock | 'unclosed' | null {
    const match = OPENING.exec(line);
    if (!match) return null;
    const [, marker, info] = match;
    // CommonMark: a backtick fence's info string holds no backtick (```x``` is a code span).
    if (marker[0] === '`' && info.includes('`')) return null;
    const closings = this.closingsOf(marker[0]);
    while (closings.next < closings.at.length && closings.at[closings.next] < lineEnd) closings.next++;
    if (!(closings.longestFrom[closings.next] >= marker.length)) return 'unclosed';
    // Closings passed over here lie inside the block, so no later fence walks them again.
    while (closings.length[closings.next] < marker.length) closings.next++;
    const closeAt = closings.at[closings.next];
    const content = this.original.slice(lineEnd, closeAt);
    return { closeAt, isCode: info.trim() !== '' || !isProse(content), hasSpeech: /[\p{L}\p{N}]/u.test(content) };
  }

  /** Every line of the text that may close a fence of `char`, found on first use. */
  private closingsOf(char: string): Closings {
    let closings = this.closings.get(char);
    if (closings) return closings;
    closings = { at: [], length: [], longestFrom: [], next: 0 };
    for (const match of this.original.matchAll(CLOSING)) {
      if (match[1][0] !== char) continue;
      closings.at.push(match.index);
      closings.length.push(match[1].length);
    }
    for (let k = closings.at.length - 1; k >= 0; k--) closings.longestFrom[k] = Math.max(closings.length[k], closings.longestFrom[k + 1] ?? 0);
    this.closings.set(char, closings);
    return closings;
  }
}

/** Prose: no line starts or ends like code, and some word ends a sentence. */
function isProse(content: string): boolean {
  return !CODE_LINE_EDGE.test(content) && SENTENCE_END.test(content);
}
