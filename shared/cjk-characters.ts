// What CJK text is made of, by the national standards that list its characters in common use:
// shared by the readings of bytes with no BOM (cjk-utf16.ts, legacy-cjk.ts).

/** The standards, by the decoder that reads them. */
export type CjkStandard = 'gbk' | 'big5' | 'euc-jp' | 'euc-kr';

/** Per national standard, the rows that list the characters in common use. */
const COMMON_ROWS: Record<CjkStandard, { rows: [number, number]; cells: [number, number] }> = {
  // GB 2312 level 1: the 3,755 most used simplified characters.
  gbk: { rows: [0xb0, 0xd7], cells: [0xa1, 0xfe] },
  // Big5's frequent traditional characters (all but the last 63 of its 5,401).
  big5: { rows: [0xa4, 0xc5], cells: [0x40, 0xfe] },
  // JIS X 0208 level 1: 2,965 kanji.
  'euc-jp': { rows: [0xb0, 0xcf], cells: [0xa1, 0xfe] },
  // KS X 1001: the 2,350 Hangul syllables in common use.
  'euc-kr': { rows: [0xb0, 0xc8], cells: [0xa1, 0xfe] },
};

const common = new Map<CjkStandard, Set<number> | null>();

/**
 * The Han characters or Hangul syllables in common use by a standard, read out of the platform's
 * own decoder's table; null on a platform without that table (fewer texts are recognised, none
 * wrongly).
 */
export function commonCjk(standard: CjkStandard): Set<number> | null {
  if (common.has(standard)) return common.get(standard)!;
  const { rows, cells } = COMMON_ROWS[standard];
  const bytes: number[] = [];
  for (let row = rows[0]; row <= rows[1]; row++) for (let cell = cells[0]; cell <= cells[1]; cell++) bytes.push(row, cell);
  let listed: Set<number> | null;
  try {
    const text = new TextDecoder(standard).decode(Uint8Array.from(bytes));
    listed = new Set([...text].map((ch) => ch.codePointAt(0)!).filter((code) => isHan(code) || isHangul(code)));
  } catch {
    listed = null;
  }
  common.set(standard, listed);
  return listed;
}

/** Every standard's list that the platform has. */
export function everyCommonCjk(): Set<number>[] {
  return (Object.keys(COMMON_ROWS) as CjkStandard[]).map(commonCjk).filter((listed): listed is Set<number> => listed !== null);
}

/** A Han character of the unified block or the compatibility one. */
export function isHan(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff);
}

export function isHangul(code: number): boolean {
  return code >= 0xac00 && code <= 0xd7a3;
}

/** Kana (the long-vowel mark too): every one is in common use. */
export function isKana(code: number): boolean {
  return (code >= 0x3041 && code <= 0x3096) || (code >= 0x30a1 && code <= 0x30fa) || code === 0x30fc;
}

/**
 * The punctuation CJK text is written with: the ideographic comma and stop, brackets and quotes,
 * the wave dash, the middle dot, fullwidth forms, and the quotes, dash and ellipsis Chinese takes
 * from Western type. Not the rest of the CJK symbols: "〠" and "〮" are " 0" and ".0" in ASCII.
 */
export function isCjkPunctuation(code: number): boolean {
  return (
    code === 0x3001 || code === 0x3002 || (code >= 0x3008 && code <= 0x301f) || code === 0x30fb ||
    (code >= 0xff01 && code <= 0xff65) || [0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2026].includes(code)
  );
}

/** Small kana that stand for a vowel or a glide (ぁ ぃ ゃ ゎ, ァ ィ ャ ヮ), not the small tsu. */
const SMALL_KANA = /[ぁぃぅぇぉゃゅょゎァィゥェォャュョヮ]/u;
/** What such a kana may follow: a kana of a consonant, or ウ/う ("ウィ"), never a vowel's other kana, a small one or no kana. */
const BEFORE_SMALL_KANA = /[\u3041-\u3096\u30a1-\u30fa\u30fc]/u;
const VOWEL_OR_SMALL_KANA = /[あいえおアイエオぁぃぅぇぉゃゅょゎァィゥェォャュョヮ]/u;

/**
 * True when a small kana stands where Japanese never writes one: first, after no kana, or
 * after a vowel's kana or another small one ("ぁあ", "ああぃい"). ASCII read as UTF-16 of kana
 * ("A0B0", hex) is full of them: capitals and their neighbours are small kana and vowels.
 */
export function hasSmallKanaOutOfPlace(text: string): boolean {
  const chars = [...text];
  return chars.some((ch, i) => SMALL_KANA.test(ch) && (i === 0 || !BEFORE_SMALL_KANA.test(chars[i - 1]) || VOWEL_OR_SMALL_KANA.test(chars[i - 1])));
}
