// An HTML file's text, as a reader of the page sees it: what scripts, styles and comments
// hold is not read, tags go (a block's end is a line break), entities become their characters.
// The Markdown stripping (electron/engine/text.ts) drops inline tags from clipboard text, but
// would read a file's scripts, styles and `&amp;` aloud.

/** True for a file name that says HTML (.html, .htm, .xhtml). */
export function isHtmlName(name: string): boolean {
  return /\.x?html?$/i.test(name);
}

/** Elements whose content is no text of the page (the head holds its title, usually the first heading again). */
const HIDDEN = /<(script|style|template|noscript|head|svg)\b[^<>]*>[\s\S]*?(<\/\1\s*>|$)/gi;
/** Tags that end a line of the page. */
const BLOCK = /<\/?(address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)\b[^<>]*>/gi;
/** Any other tag, a doctype or a processing instruction. A tag ends at the next `<` too: each match is then linear, however the page is broken. */
const TAG = /<\/?[a-z][^<>]*>|<[!?][^<>]*>/gi;
const ENTITY = /&(#\d{1,7}|#x[\da-f]{1,6}|[a-z][a-z\d]{1,31});/gi;
/** The named entities a page of prose uses most; `&eacute;` and its kind are built from their accent. */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '\u00ad', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', bull: '•', middot: '·', copy: '©', reg: '®',
  trade: '™', deg: '°', euro: '€', pound: '£', cent: '¢', yen: '¥', times: '×', divide: '÷', szlig: 'ß', aelig: 'æ',
  AElig: 'Æ', oslash: 'ø', Oslash: 'Ø', oelig: 'œ', OElig: 'Œ',
};
const ACCENTS: Record<string, string> = { acute: '\u0301', grave: '\u0300', circ: '\u0302', uml: '\u0308', tilde: '\u0303', ring: '\u030a', cedil: '\u0327' };

/** The text of an HTML page: hidden elements and comments dropped, tags gone, entities decoded. */
export function htmlText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(HIDDEN, ' ')
    .replace(/\s+/g, ' ')
    .replace(BLOCK, '\n')
    .replace(TAG, '')
    .replace(ENTITY, (entity, name: string) => decodeEntity(name) ?? entity)
    .replace(/ *\n[\n ]*/g, '\n')
    .trim();
}

const ENTITY_AT = new RegExp(ENTITY.source, 'iy');

/**
 * The character reference that starts at `at` in plain text (`&amp;`, `&#8217;`) and ends
 * by `end`, decoded, and its length; null where there is none, or a name this module does
 * not know.
 */
export function entityAt(text: string, at: number, end = text.length): { text: string; length: number } | null {
  ENTITY_AT.lastIndex = at;
  const match = ENTITY_AT.exec(text);
  const decoded = match && at + match[0].length <= end && decodeEntity(match[1]);
  return decoded ? { text: decoded, length: match[0].length } : null;
}

function decodeEntity(name: string): string | undefined {
  if (name[0] === '#') {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    // NUL, surrogates and past U+10FFFF: the replacement character, as browsers do.
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  }
  if (Object.hasOwn(NAMED, name)) return NAMED[name];
  const accented = /^([a-zA-Z])(acute|grave|circ|uml|tilde|ring|cedil)$/.exec(name);
  return accented ? (accented[1] + ACCENTS[accented[2]]).normalize('NFC') : undefined;
}
