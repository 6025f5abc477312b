// A user's regular expression, checked before it may run on the text being read: JavaScript's
// engine backtracks, and a pattern such as (a+)+b can take longer than the universe on a line
// of a's, freezing the app. So a pattern is refused when it repeats a group that itself repeats
// (or has alternatives) or uses a backreference; each open-ended repeat is bounded (* is run as
// {0,REPEAT_CAP}), and the bounds of all repeats may multiply to MAX_REPEAT_PRODUCT at most (two
// open-ended ones). The ways to match at any one position of the text are then about that many,
// and the engine applies rules a slice at a time with a time budget (electron/engine/pronunciation.ts).

/** An open-ended repeat (*, +, {n,}) matches at most this many times. */
export const REPEAT_CAP = 32;
/** The bounds of a pattern's repeats multiply to this at most: two open-ended repeats. */
export const MAX_REPEAT_PRODUCT = REPEAT_CAP * REPEAT_CAP;
/** Largest bound a pattern may write itself ({0,N}). */
export const MAX_BOUND = 100;

/** What the scan found: the first problem, or the pattern with its repeats bounded. */
export type ScannedPattern = { ok: true; bounded: string } | { ok: false; problem: string };

interface Frame {
  /** Something inside repeats more than once. */
  repeats: boolean;
  alternatives: boolean;
}

const QUANTIFIER = /^(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})/;

/** Scans `pattern` (already known to compile with `flags`): refuses what could backtrack for ever, bounds the rest. */
export function scanPattern(pattern: string, flags: string): ScannedPattern {
  const unicode = flags.includes('u');
  const stack: Frame[] = [{ repeats: false, alternatives: false }];
  let out = '';
  /** The atom just written: a closed group's frame, or a plain atom. */
  let last: Frame | 'atom' | null = null;
  let product = 1;
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return { ok: false, problem: 'Backreferences (\\1, \\k<name>) are not allowed: they can make a pattern run for ever.' };
      let end = i + 2;
      if (unicode && /[pPu]/.test(next) && pattern[end] === '{') end = pattern.indexOf('}', end) + 1 || pattern.length;
      out += pattern.slice(i, end);
      i = end;
      last = 'atom';
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      out += pattern.slice(i, j + 1);
      i = j + 1;
      last = 'atom';
      continue;
    }
    if (ch === '(') {
      const head = /^\((\?(?:[:=!]|<[=!]|<[^>]*>))?/.exec(pattern.slice(i))![0];
      stack.push({ repeats: false, alternatives: false });
      out += head;
      i += head.length;
      last = null;
      continue;
    }
    if (ch === ')') {
      const frame = stack.length > 1 ? stack.pop()! : stack[0];
      stack[stack.length - 1].repeats ||= frame.repeats;
      out += ch;
      i++;
      last = frame;
      continue;
    }
    if (ch === '|') {
      stack[stack.length - 1].alternatives = true;
      out += ch;
      i++;
      last = null;
      continue;
    }
    const quantifier = last ? QUANTIFIER.exec(pattern.slice(i)) : null;
    if (quantifier) {
      const [text, min, comma, max] = quantifier;
      const lazy = pattern[i + text.length] === '?' ? '?' : '';
      const low = text === '+' ? 1 : min !== undefined ? Number(min) : 0;
      const open = text === '*' || text === '+' || (comma !== undefined && max === '');
      const high = open ? Infinity : text === '?' ? 1 : comma === undefined ? low : Number(max);
      if (!open && high > MAX_BOUND) return { ok: false, problem: `A repeat may count up to ${MAX_BOUND} at most, not ${high}.` };
      if (high > 1) product *= open ? REPEAT_CAP : high;
      if (product > MAX_REPEAT_PRODUCT) {
        return { ok: false, problem: 'Too many repeats: at most two open-ended ones (*, + or {n,}), or bounded ones whose counts multiply to 1024; more can make it run for ever.' };
      }
      if (high > 1 && last !== 'atom' && last && (last.repeats || (last.alternatives && high > 10))) {
        return { ok: false, problem: 'A repeated group may not itself repeat or hold alternatives (as in (a+)+): such a pattern can run for ever.' };
      }
      if (high > 1) stack[stack.length - 1].repeats = true;
      out += open ? `{${low},${Math.max(low, REPEAT_CAP)}}${lazy}` : text + lazy;
      i += text.length + lazy.length;
      last = null;
      continue;
    }
    out += ch;
    i++;
    last = 'atom';
  }
  return { ok: true, bounded: out };
}

/** Strings on which a pattern that can match nothing at all shows it. */
const EMPTY_PROBES = ['', ' ', 'a', 'A b.', '1 2', 'é\n'];

/** Why a regex rule's pattern cannot be used, or null when it can. */
export function patternProblem(pattern: string, flags: string): string | null {
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, `${flags}g`);
  } catch (error) {
    const why = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return `Not a valid regular expression: ${why}.`;
  }
  const scanned = scanPattern(pattern, flags);
  if (!scanned.ok) return scanned.problem;
  try {
    new RegExp(scanned.bounded, `${flags}g`);
  } catch {
    // What the engine runs must compile too; a rewrite it cannot is a pattern it cannot run.
    return 'This pattern cannot be bounded safely: write its repeats another way.';
  }
  for (const probe of EMPTY_PROBES) {
    for (const match of probe.matchAll(compiled)) {
      if (match[0] === '') return 'This pattern matches the empty string, so it would speak its replacement between every letter: make it match at least one character.';
    }
  }
  return null;
}
