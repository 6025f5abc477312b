// BOM-less UTF-16 of CJK text with no ASCII character in it (no space, no line break) has no
// NUL, and its bytes may read as ASCII ("你好" is "`O}Y", "ああ" is "B0B0") or Windows-1252
// ("中文" is "-N‡e"). Latin words read as UTF-16 are CJK too ("café" backwards is 捡曩), so
// neither reading is taken on its own: the UTF-16 one must be CJK in common use, and the byte
// one no Latin words.

import { everyCommonCjk, isCjkPunctuation, isHan, isHangul, isKana } from './cjk-characters';

/**
 * At least this share of the Han characters and Hangul syllables must be in common use by one
 * standard: a name may be rare, a text is not. A text of a few must have them all so.
 */
const COMMON_SHARE = 0.75;
const FEW_IDEOGRAPHS = 8;

/**
 * 'utf-16le' or 'utf-16be' when, in that byte order, the head is CJK text with no ASCII: kana,
 * Han and Hangul, with their punctuation and nothing else, two characters at least, and its Han
 * and Hangul mostly in common use (what Latin bytes read as is mostly not: "__init__" is 彟湩瑩彟).
 * Of two such orders, the one with more in common use.
 */
export function cjkUtf16Order(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  let best: { encoding: 'utf-16le' | 'utf-16be'; share: number } | null = null;
  for (const encoding of ['utf-16le', 'utf-16be'] as const) {
    const share = commonShare(head, encoding);
    if (share !== null && share >= COMMON_SHARE && (!best || share > best.share)) best = { encoding, share };
  }
  return best?.encoding ?? null;
}

/** The share of Han and Hangul in common use (1 for kana alone); null when the head is not CJK text in `encoding`. */
function commonShare(head: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): number | null {
  let text: string;
  try {
    // Streaming: a character cut at the end of the head is no fault of the file.
    text = new TextDecoder(encoding, { fatal: true }).decode(head, { stream: true });
  } catch {
    return null;
  }
  const standards = everyCommonCjk();
  const inUse = standards.map(() => 0);
  let characters = 0;
  let kana = 0;
  let ideographs = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    characters++;
    if (isHan(code) || isHangul(code)) {
      ideographs++;
      standards.forEach((listed, i) => (inUse[i] += listed.has(code) ? 1 : 0));
    } else if (isKana(code)) kana++;
    else if (!isCjkPunctuation(code)) return null;
  }
  if (characters < 2 || kana + ideographs === 0) return null;
  if (!ideographs) return 1;
  const share = Math.max(0, ...inUse) / ideographs;
  return ideographs < FEW_IDEOGRAPHS && share < 1 ? 0 : share;
}

/**
 * One word of Latin text, with what may open and close it: letters and digits, joined by an
 * apostrophe, a hyphen, an underscore, a slash or a bracket ("and/or", "a[0]", "f(x)"), by a
 * point between letters ("e.g."), and between digits by a point, comma or colon ("1,000",
 * "10:00"); or punctuation standing alone ("—", "!").
 */
const OPENING = String.raw`[([{"'“‘«¿¡#@+*_\u0060/-]*`;
const WORD = String.raw`[\p{L}\p{N}]+(?:(?:['’_/([-]|(?<=\p{L})\.(?=\p{L})|(?<=\p{N})[.,:](?=\p{N}))[\p{L}\p{N}]+)*`;
const CLOSING = String.raw`[)\]}"'”’».,;:!?…%€$£°*_\u0060-]*`;
const LATIN_WORD = new RegExp(String.raw`^${OPENING}(?:${WORD})?${CLOSING}$|^[\p{P}\p{S}]$`, 'u');

/**
 * True when `text` (bytes read one a character: ASCII or Windows-1252) is Latin words: no
 * control code, and each run between spaces a word, in small letters, capitals or capitalised
 * ("-N‡e", "`O}Y" and "ÖNìN" are not).
 */
export function readsAsLatinWords(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  return text.split(/\s+/).every((word) => LATIN_WORD.test(word) && (ASCII.test(word) || CASED.test(word.replace(/[^\p{Lu}\p{Ll}]/gu, ''))));
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;
/** The cased letters of a word with accents: all small, all capitals, or a capital and small ones ("ºNãS" is none of these; names in ASCII may be: "iPhone"). */
const CASED = /^(?:\p{Lu}*|\p{Lu}?\p{Ll}*)$/u;
