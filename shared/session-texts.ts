// How the session's texts reach a page once each: a view names texts by id, and each text
// goes to a page (as SessionText) before the first view that names it. The app keeps, per
// page, which texts it has sent (TextsSent); the page keeps the texts its views name
// (TextShelf). Both forget a text as soon as the view they handle no longer names it: the
// session never names a text again once it let it go, so the two stay in step.
import type { SessionText, SessionView } from './session';

/** The ids of the texts a view names: the current one, the queue's and the history's. */
export function textIdsOf(view: SessionView): Set<number> {
  const ids = new Set<number>();
  if (view.current) ids.add(view.current.textId);
  for (const ref of view.queued) ids.add(ref.textId);
  for (const ref of view.history) ids.add(ref.textId);
  return ids;
}

/**
 * The app's side, one per page (one document: a page that loads anew has none of the texts).
 * Both shells send through it, so what a page gets, and when, is decided here once.
 */
export class TextsSent {
  private sent = new Set<number>();

  /** `textOf` is the session's. */
  constructor(private readonly textOf: (textId: number) => string | undefined) {}

  /**
   * Sends the page, through `send`, the texts `view` names that it does not have yet. Call it
   * just before `view` goes, for every view the page gets and in the order it gets them:
   * from then on the page has exactly what the view names.
   */
  sendAhead(view: SessionView, send: (texts: SessionText[]) => void): void {
    const texts: SessionText[] = [];
    const has = new Set<number>();
    for (const textId of textIdsOf(view)) {
      const text = this.sent.has(textId) ? undefined : this.textOf(textId);
      if (text !== undefined) texts.push({ textId, text });
      if (text !== undefined || this.sent.has(textId)) has.add(textId);
    }
    this.sent = has;
    if (texts.length) send(texts);
  }
}

/** The page's side: the texts its views name, by id. */
export class TextShelf {
  private texts = new Map<number, string>();

  /** Texts the app sent ahead of the views that name them. */
  add(texts: readonly SessionText[]): void {
    for (const { textId, text } of texts) this.texts.set(textId, text);
  }

  /** A view came: the texts it no longer names are let go (the app will not name them again). */
  keepFor(view: SessionView): void {
    const named = textIdsOf(view);
    for (const textId of this.texts.keys()) if (!named.has(textId)) this.texts.delete(textId);
  }

  get(textId: number): string | undefined {
    return this.texts.get(textId);
  }
}
