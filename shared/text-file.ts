import { hasSmallKanaOutOfPlace } from './cjk-characters';
import { cjkUtf16Order, readsAsLatinWords } from './cjk-utf16';
import { htmlText, isHtmlName } from './html-text';
import { legacyCjkEncoding } from './legacy-cjk';
import { LIMIT_IN_WORDS, MAX_TEXT_BYTES, textTooLong, utf8Length } from './text-limit';
import { mostlyUtf8, utf8Repaired } from './utf8-repair';
import { looksLikeUtf32, utf32Bom, utf32Text } from './utf32';

/**
 * A file to read aloud, by the rules every way in shares (dropped on the player, opened,
 * dropped on the tray): text only (of an HTML page, the text it shows), within the one text
 * limit, not empty. `read` is called only when the size can fit (a UTF-16 file takes up to
 * twice the bytes of its text).
 * Returns the text, or why the file is refused, naming it.
 */
export async function textToSpeak(name: string, size: number, read: () => Promise<Uint8Array>): Promise<{ text: string } | { refused: string }> {
  if (size > 2 * MAX_TEXT_BYTES + 2) return { refused: `${name} is too long to speak: ${size.toLocaleString('en-US')} bytes; the most is ${LIMIT_IN_WORDS}.` };
  try {
    const text = fileText(await read(), name);
    const refused = fileTextRefusal(text, name);
    return refused ? { refused } : { text };
  } catch (error) {
    if (error instanceof NotTextError) return { refused: error.message };
    const code = (error as { code?: string }).code;
    return { refused: `${name} could not be read (${code ?? (error as Error).message}).` };
  }
}

/**
 * Why a file's text is refused, naming the file: empty, or over the one text limit. The limit
 * is counted in the text's UTF-8 bytes, as at every other door (text-limit.ts), not in the
 * file's: a file that passed by its own size would be refused when handed on.
 */
export function fileTextRefusal(text: string, name: string): string | null {
  if (textTooLong(text)) return `${name} is too long to speak: its text is ${utf8Length(text).toLocaleString('en-US')} bytes in UTF-8; the most is ${LIMIT_IN_WORDS}.`;
  return text.trim() ? null : `${name} is empty.`;
}

/** A file's text to speak: its bytes decoded, and of an HTML page (by its name) the text a reader sees. */
export function fileText(bytes: Uint8Array, name: string): string {
  const text = decodeTextFile(bytes, name);
  return isHtmlName(name) ? htmlText(text) : text;
}

/** Why a file could not be read as text. */
export class NotTextError extends Error {
  override readonly name = 'NotTextError';
  /** True when the bytes are no text at all (not merely invalid in their encoding). */
  constructor(
    message: string,
    readonly binary = false,
  ) {
    super(message);
  }
}

/**
 * Decodes a file's bytes as text, as editors guess it: UTF-8 (with or without BOM; a stray
 * byte in it that is not UTF-8 read as Windows-1252), UTF-16 with a BOM or without one,
 * UTF-32 with a BOM, Shift-JIS, EUC-JP, ISO-2022-JP, GB18030, Big5 and EUC-KR for text in their
 * languages, and Windows-1252 for other text that is not UTF-8 (what Notepad saved for
 * years). Bytes that are none of these (NULs that are no UTF-16, control codes) are refused
 * with a message naming the file.
 */
export function decodeTextFile(bytes: Uint8Array, name = 'the file'): string {
  const utf32 = utf32Bom(bytes);
  if (utf32) {
    const text = utf32Text(bytes.subarray(4), utf32);
    if (text === null) throw new NotTextError(`${name} is not valid ${utf32.toUpperCase()} text.`);
    return text;
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return withUtf8Bom(bytes.subarray(3), name);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode('utf-16le', bytes.subarray(2), name);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode('utf-16be', bytes.subarray(2), name);
  const head = bytes.subarray(0, 65536);
  // Text never holds NUL but as half of a UTF-16 character; binaries almost always do within their first kilobytes.
  // UTF-16 has an even length, and a guess needs a few characters to go on.
  const mayBeUtf16 = bytes.length % 2 === 0 && bytes.length >= 4;
  if (head.includes(0)) {
    const utf16 = mayBeUtf16 ? utf16WithoutBom(head) : null;
    if (utf16) return guessed(utf16, bytes, name);
    // A few editors save it, TextDecoder does not read it, and without a BOM its byte order is a guess.
    if (bytes.length % 4 === 0 && looksLikeUtf32(head)) throw new NotTextError(`${name} looks like UTF-32 text: save it as UTF-8.`);
    throw binary(name);
  }
  // Japanese as mail sent it (ISO-2022-JP): ASCII, with escapes that switch to JIS X 0208 and back.
  if (switchesToJis(head)) {
    const jis = decodedOrNull('iso-2022-jp', bytes);
    if (jis !== null) return jis;
  }
  const utf8 = utf8Text(bytes);
  if (utf8 !== null) {
    // UTF-16 of an alphabet with no space or Latin letter ("Привет": 1F 04 40 04 …) is valid UTF-8 too, full of control codes;
    // so is UTF-16 of kana or Han that is all ASCII ("ああ": "B0B0"), which UTF-8 of CJK never is.
    const ascii = head.every((b) => b < 0x80);
    const byBlocks = mayBeUtf16 ? readableOrder(head, blockOrders(head, ascii ? alphabetOrKanaBlocks : alphabetBlocks)) : null;
    // ASCII that reads as kana with a small one out of place ("A0B0" is "ぁあ") is ASCII: hex, codes.
    const kanaOfAscii = byBlocks && ascii && hasSmallKanaOutOfPlace(new TextDecoder(byBlocks).decode(head));
    const utf16 = (kanaOfAscii ? null : byBlocks) ?? (mayBeUtf16 && ascii ? cjkUnlessLatin(head) : null);
    return utf16 ? guessed(utf16, bytes, name) : utf8;
  }
  // Chinese, Japanese or Korean in the encoding Windows saved it in before UTF-8 (legacy-cjk.ts).
  const legacy = legacyCjkEncoding(head);
  if (legacy) return guessed(legacy, bytes, name);
  // A few bytes that are no UTF-8 among UTF-8 characters: a Latin-1 line pasted in, not a file in another encoding.
  const repaired = mostlyUtf8(bytes);
  if (repaired !== null && controlShare(head) <= 0.01) return repaired;
  // UTF-16 with no ASCII character (CJK on one line) has no NUL, but a script's block byte beside
  // every character ("カタカナ": AB 30 BF 30 …) where no Latin word is spelled ("ÉPÉE"), bytes
  // no Windows-1252 text holds, or Han in common use where Windows-1252 reads no words ("中文": "-N‡e").
  const byBlocks = mayBeUtf16 && !spellsLatinWord(head) ? readableOrder(head, blockOrders(head, scriptBlocks)) : null;
  const utf16 = byBlocks ?? (mayBeUtf16 && unlike1252(head) ? utf16WithoutBom(head) : null) ?? (mayBeUtf16 ? cjkUnlessLatin(head) : null);
  if (utf16) return guessed(utf16, bytes, name);
  if (controlShare(head) > 0.01) throw binary(name);
  return new TextDecoder('windows-1252').decode(bytes);
}

/** The byte order in which the head is CJK text in common use (cjk-utf16.ts), unless its bytes read as Latin words ("café" backwards is 捡曩). */
function cjkUnlessLatin(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const order = cjkUtf16Order(head);
  return order && !readsAsLatinWords(new TextDecoder('windows-1252').decode(head)) ? order : null;
}

/** The bytes as UTF-8 text; null when they are not UTF-8. */
function utf8Text(bytes: Uint8Array): string | null {
  return decodedOrNull('utf-8', bytes);
}

function decodedOrNull(encoding: string, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** True when 7-bit bytes hold ESC $ @ or ESC $ B, ISO-2022-JP's switch to JIS X 0208 (a terminal's colour codes are ESC [). */
function switchesToJis(head: Uint8Array): boolean {
  for (let i = head.indexOf(0x1b); i >= 0 && i + 2 < head.length; i = head.indexOf(0x1b, i + 1)) {
    if (head[i + 1] === 0x24 && (head[i + 2] === 0x40 || head[i + 2] === 0x42)) return head.every((b) => b < 0x80);
  }
  return false;
}

function binary(name: string): NotTextError {
  return new NotTextError(`${name} is not a text file (it holds binary data).`, true);
}

/**
 * 'utf-16le' or 'utf-16be' when the bytes read as text in that order: no NUL, no unpaired
 * surrogate, no more than a stray character that no text holds, and mostly letters and
 * digits. When both orders do (Latin read backwards is CJK), the one whose characters keep to
 * fewer blocks of 256 (a script's own) wins. Counting NULs on one side would miss CJK, where
 * neither byte of most characters is 0.
 */
function utf16WithoutBom(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  return latinUtf16(head) ?? readableOrder(head, ['utf-16le', 'utf-16be']);
}

/** Of `orders`, the one in which the head reads as text; of two, the one whose characters keep to fewer blocks. */
function readableOrder(head: Uint8Array, orders: readonly ('utf-16le' | 'utf-16be')[]): 'utf-16le' | 'utf-16be' | null {
  let best: { encoding: 'utf-16le' | 'utf-16be'; blocks: number } | null = null;
  for (const encoding of orders) {
    const blocks = utf16Blocks(head, encoding);
    if (blocks !== null && (!best || blocks < best.blocks)) best = { encoding, blocks };
  }
  return best?.encoding ?? null;
}

/** Under sixteen characters, letters prove little: four bytes of a binary read as "Ā̂". */
const SHORT_GUESS_BYTES = 32;
/** The scripts a short text is judged by: its letters must keep to one of them. */
const SCRIPTS = ['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Devanagari', 'Thai', 'Hangul', 'Hiragana', 'Katakana', 'Han'].map((name) => new RegExp(`\\p{Script=${name}}`, 'u'));
/** Places in SCRIPTS: Latin, the first CJK script, and the first Japanese one. */
const LATIN = 0;
const HANGUL = 8;
const JAPANESE = 9;

/**
 * True when a short text's letters (two at least) are all of one script, as a word's are; CJK
 * text may have ASCII letters beside it too ("中文 OK"), as it writes Latin words as they are.
 */
function oneScript(text: string): boolean {
  const letters = [...text].filter((ch) => /\p{L}/u.test(ch));
  if (letters.length < 2) return false;
  // Japanese mixes kana and kanji in every line: one script here.
  const scriptOf = (ch: string): number => Math.min(SCRIPTS.findIndex((re) => re.test(ch)), JAPANESE);
  const scripts = new Set(letters.map(scriptOf));
  if (scripts.has(-1)) return false;
  if (scripts.size === 1) return true;
  const others = [...scripts].filter((script) => script !== LATIN);
  return others.length === 1 && others[0] >= HANGUL && letters.every((ch) => scriptOf(ch) !== LATIN || ch < '\u0080');
}

/** 'utf-16le' or 'utf-16be' when NULs fall on one side of nearly every pair, as in Latin UTF-16 text. */
function latinUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const pairs = head.length >> 1;
  if (pairs < 2) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.9 && evenNul === 0) return 'utf-16le';
  if (evenNul >= pairs * 0.9 && oddNul === 0) return 'utf-16be';
  return null;
}

/** Characters no text holds but as a stray one: controls, format characters, unassigned and private code points. */
const NOT_TEXT = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
/** Of those, the ones text does hold: white space, soft hyphen, zero-width joiners and direction marks, BOM. */
const TEXT_INVISIBLE = /[\t\n\v\f\r\u00ad\u200b-\u200f\u202a-\u202e\ufeff]/;

/** How many blocks of 256 code points the head's characters fall in, read in `encoding`; null: it is no text so read. */
function utf16Blocks(head: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): number | null {
  let text: string;
  try {
    // Streaming: a character cut at the end of the head is no fault of the file.
    text = new TextDecoder(encoding, { fatal: true }).decode(head, { stream: true });
  } catch {
    return null;
  }
  const blocks = new Set<number>();
  let counted = 0;
  let odd = 0;
  let wordlike = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0) return null;
    if (TEXT_INVISIBLE.test(ch)) continue;
    counted++;
    blocks.add(code >> 8);
    if (NOT_TEXT.test(ch)) odd++;
    else if (/[\p{L}\p{M}\p{N}]/u.test(ch)) wordlike++;
  }
  if (head.length < SHORT_GUESS_BYTES && !oneScript(text)) return null;
  return counted > 0 && odd <= counted * 0.01 && wordlike >= counted / 2 ? blocks.size : null;
}

/** A control code no text file holds (tab, line and page breaks aside). */
function isControl(b: number): boolean {
  return b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d;
}

/** True when the head holds a byte Windows-1252 text never does: a control code, or one of the five it leaves undefined. */
function unlike1252(head: Uint8Array): boolean {
  return head.some((b) => isControl(b) || b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d);
}

/** The share of bytes that are control codes no text file holds. */
function controlShare(head: Uint8Array): number {
  let control = 0;
  for (const b of head) if (isControl(b)) control++;
  return control / Math.max(1, head.length);
}

/** The high byte of a UTF-16 character from Greek to Thai (U+0370–U+0EFF): a control code, which text does not hold. */
function isAlphabetBlock(b: number): boolean {
  return b >= 0x03 && b <= 0x0e && isControl(b);
}

/** True when every byte is the high byte of an alphabet's UTF-16 (Greek to Thai). */
function alphabetBlocks(highBytes: Uint8Array): boolean {
  return highBytes.every(isAlphabetBlock);
}

/**
 * True when every byte is the high byte of a UTF-16 character in a script's block that
 * Windows-1252 text does not hold at every other byte: an alphabet's (Greek to Thai), 0x30
 * (kana), 0xAC–0xD7 (Hangul), or 0x4E–0x9F (kanji) beside kana. Kanji alone are no sign:
 * their high bytes are Latin letters, and "ñoño" read backwards is two of them.
 */
function scriptBlocks(highBytes: Uint8Array): boolean {
  const kana = highBytes.includes(0x30);
  return highBytes.every((b) => isAlphabetBlock(b) || b === 0x30 || (b >= 0xac && b <= 0xd7) || (kana && b >= 0x4e && b <= 0x9f));
}

/** True when every byte is the high byte of an alphabet, or every one that of kana (0x30: "0" in ASCII, where "B0B0" is "ああ"). */
function alphabetOrKanaBlocks(highBytes: Uint8Array): boolean {
  return alphabetBlocks(highBytes) || highBytes.every((b) => b === 0x30);
}

/** True when the bytes, read in Windows-1252, are Latin letters and nothing else: one word. */
function spellsLatinWord(head: Uint8Array): boolean {
  return /^\p{Script=Latin}+$/u.test(new TextDecoder('windows-1252').decode(head));
}

/**
 * The byte orders in which the high bytes of the characters are what `inBlocks` takes: UTF-16
 * of one script keeps its characters in their block of 256 (or a few), which text in a byte
 * encoding does not do at every other byte.
 */
function blockOrders(head: Uint8Array, inBlocks: (highBytes: Uint8Array) => boolean): ('utf-16le' | 'utf-16be')[] {
  const highBytes = (first: number): Uint8Array => head.filter((_, i) => i % 2 === first);
  return (['utf-16le', 'utf-16be'] as const).filter((order) => inBlocks(highBytes(order === 'utf-16le' ? 1 : 0)));
}

/** Decoded in the encoding its first 64 KB suggest; bytes past them that are not so are no text file: binary. */
function guessed(encoding: string, bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw binary(name);
  }
}

/** A BOM says UTF-8 was meant: bytes that are not are read as they would be without it, each on its own (utf8-repair.ts). */
function withUtf8Bom(bytes: Uint8Array, name: string): string {
  const text = utf8Text(bytes);
  if (text !== null) return text;
  if (bytes.subarray(0, 65536).includes(0) || controlShare(bytes.subarray(0, 65536)) > 0.01) throw binary(name);
  return utf8Repaired(bytes);
}

function decode(encoding: string, bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new NotTextError(`${name} is not valid ${encoding.toUpperCase()} text.`);
  }
}
