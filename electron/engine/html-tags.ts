/**
 * The HTML that Markdown may hold, as the voice needs it: only the names of real elements make
 * a tag (`<Enter>`, `x<y and y>z` are text).
 */

/** Elements of HTML that Markdown text holds: tags of other names are text. */
const ELEMENTS = new Set(
  'a abbr address article aside b bdi bdo big blockquote br caption center cite code data dd del details dfn dialog div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li main mark nav ol p pre q s samp section small span strike strong sub summary sup table tbody td tfoot th thead time tr tt u ul var wbr'.split(' '),
);

/** Whether `name` is an HTML element's (any case), so `<name ...>` is a tag to drop. */
export function isHtmlElement(name: string): boolean {
  return ELEMENTS.has(name.toLowerCase());
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
