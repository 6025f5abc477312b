// CJK text saved in its national encoding (Shift-JIS, EUC-JP, GB18030, Big5, EUC-KR), as
// Windows editors did by default for years. Their bytes overlap: one file is valid in several,
// and only one reading is text. Each reading is judged by what it holds: the script of its
// language, characters in common use by that language's standard (cjk-characters.ts), and no
// character text hardly holds. Another encoding's bytes read as rare characters ("你好" in GB18030
// is "ﾄ羲ﾃ" in Shift-JIS), or as another script (Korean in GB18030 is common Chinese
// characters, but every few of them a space, which Chinese does not write).

import { commonCjk, isCjkPunctuation, isHan, isHangul, isKana, type CjkStandard } from './cjk-characters';

type Language = 'ja' | 'ko' | 'zh';

/** The encodings, each with its language and the standard that lists its characters in common use; in the order a tie goes. */
const CANDIDATES: readonly { encoding: string; language: Language; standard: CjkStandard }[] = [
  { encoding: 'euc-kr', language: 'ko', standard: 'euc-kr' },
  { encoding: 'shift_jis', language: 'ja', standard: 'euc-jp' },
  { encoding: 'euc-jp', language: 'ja', standard: 'euc-jp' },
  { encoding: 'gb18030', language: 'zh', standard: 'gbk' },
  { encoding: 'big5', language: 'zh', standard: 'big5' },
];

/** Fewer letters than this decide nothing: six bytes of Windows-1252 may read as three common characters. */
const MIN_LETTERS = 4;
/** Under this many letters, every one must be in common use; over it, this share. */
const FEW_LETTERS = 12;
const COMMON_SHARE = 0.9;

/** Korean of this many syllables has a space between its words; Chinese read as Korean has none. */
const SPACED_KOREAN = 8;

/**
 * The legacy CJK encoding in which the head (bytes that are no UTF-8) reads as text of that
 * encoding's language; null when none does, or when it reads so in two languages (a few Chinese
 * characters are as many Hangul syllables in common use: "你好" is "콱봤"), too short to tell.
 */
export function legacyCjkEncoding(head: Uint8Array): string | null {
  let best: { encoding: string; share: number } | null = null;
  const languages = new Set<Language>();
  for (const { encoding, language, standard } of CANDIDATES) {
    const share = plausibility(head, encoding, language, standard);
    if (share === null) continue;
    languages.add(language);
    if (!best || share > best.share) best = { encoding, share };
  }
  return languages.size === 1 ? best!.encoding : null;
}

/** The share of the letters in common use, when the head reads as text of `language` in `encoding`; null when it does not. */
function plausibility(head: Uint8Array, encoding: string, language: Language, standard: CjkStandard): number | null {
  const listed = commonCjk(standard);
  if (!listed) return null;
  let text: string;
  try {
    // Streaming: a character cut at the end of the head is no fault of the file.
    text = new TextDecoder(encoding, { fatal: true }).decode(head, { stream: true });
  } catch {
    return null;
  }
  let letters = 0;
  let inUse = 0;
  let kana = 0;
  let hangul = 0;
  let odd = 0;
  let spacedHan = 0;
  let spaces = 0;
  let previous = '';
  const chars = [...text];
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) {
      if (ch === ' ') spaces++;
      if (ch === ' ' && isHan(previous.codePointAt(0) ?? 0) && isHan(chars[i + 1]?.codePointAt(0) ?? 0)) spacedHan++;
    } else if (isKana(code)) {
      letters++;
      inUse++;
      kana++;
    } else if (isHan(code) || isHangul(code)) {
      letters++;
      if (isHangul(code)) hangul++;
      if (listed.has(code)) inUse++;
    } else if (!isCjkPunctuation(code) || (code >= 0xff61 && code <= 0xff65)) {
      // Halfwidth katakana, private use, Latin-1 letters, symbols: what other encodings' bytes read as.
      odd++;
    }
    previous = ch;
  });
  if (letters < MIN_LETTERS || odd > letters * 0.01) return null;
  // Each language by its own script: Japanese has kana, Korean Hangul, Chinese neither, nor a space between characters.
  if (language === 'ja' && (kana < letters * 0.1 || hangul > 0)) return null;
  if (language === 'ko' && (hangul < letters * 0.9 || (letters >= SPACED_KOREAN && spaces === 0))) return null;
  if (language === 'zh' && (kana + hangul > letters * 0.01 || spacedHan > letters * 0.02)) return null;
  const share = inUse / letters;
  return share >= (letters < FEW_LETTERS ? 1 : COMMON_SHARE) ? share : null;
}
