import type { SessionView } from '../../shared/session';

/** A session view with the texts it names put back in, as a page shows it: what tests assert on. */
export type ShownView = Omit<SessionView, 'current' | 'queued' | 'history'> & {
  current: (NonNullable<SessionView['current']> & { text: string | undefined }) | null;
  queued: (string | undefined)[];
  history: (string | undefined)[];
};

/** `view` with its texts, looked up as a page would (`textOf`: the session's, or a page's shelf). */
export function withTexts(view: SessionView, textOf: (textId: number) => string | undefined): ShownView {
  return {
    ...view,
    current: view.current && { ...view.current, text: textOf(view.current.textId) },
    queued: view.queued.map((ref) => textOf(ref.textId)),
    history: view.history.map((ref) => textOf(ref.textId)),
  };
}
