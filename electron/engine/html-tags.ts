/**
 * The HTML that Markdown may hold, as the voice needs it: only the names of real elements make
 * a tag (`<Enter>`, `x<y and y>z` are text), and a tag that breaks a line or starts a block
 * leaves a break, so `one<br>two` is not read as one word.
 */

/** Elements that start a block or break a line: a break is left where they stood. */
const BREAKING = new Set(
  'address article aside blockquote br caption center dd details dialog div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul'.split(' '),
);

/** Elements within a line: they leave nothing. */
const INLINE_ELEMENTS = new Set('a abbr b bdi bdo big cite code data del dfn em font i img ins kbd mark q s samp small span strike strong sub sup time tt u var wbr'.split(' '));

/** What a tag named `name` leaves in the spoken text: a break, nothing, or null when it is no HTML element. */
export function htmlTagKind(name: string): 'break' | 'inline' | null {
  const element = name.toLowerCase();
  if (BREAKING.has(element)) return 'break';
  return INLINE_ELEMENTS.has(element) ? 'inline' : null;
}

/**
 * An attribute: a name with `=` and a quoted or bare value, or one of HTML's boolean attributes
 * alone. Any bare word would make `a<b and b>c` a <b> tag with attributes "and" and "b".
 */
const ATTRIBUTE = String.raw`\s+(?:[a-zA-Z_:][-\w:.]*\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>\x60]+)|(?:open|hidden|disabled|checked|selected|readonly|required|multiple|reversed|controls|autoplay|loop|muted|nowrap|async|defer)(?=[\s/>]))`;

/** An opening, closing or self-closing tag with well-formed attributes; the element's name is group 1. */
export const HTML_TAG = String.raw`<\/?([a-zA-Z][a-zA-Z0-9]*)(?:${ATTRIBUTE})*\s*\/?>`;

/** An autolink, `<https://…>` or `<bob@example.com>`; its address is group 1. */
export const AUTOLINK = String.raw`<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>`;
