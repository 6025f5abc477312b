import { describe, expect, it } from 'vitest';
import { textRefOf, type SessionText, type SessionView } from '../../shared/session';
import { TextShelf, TextsSent } from '../../shared/session-texts';

/**
 * The one contract both shells send the session's texts by: a page's TextShelf, fed only
 * what TextsSent sends it just before each view, has every text each view names.
 */
const held = new Map([1, 2, 3, 4].map((textId) => [textId, `Text number ${textId}.`]));
const ref = (textId: number) => textRefOf(textId, held.get(textId) ?? '');
/** The parts of a view that name texts: the one read, the queue's, the history's. */
const view = (current: number, queued: number[], history: number[] = []): SessionView =>
  ({ current: { id: current, textId: current, offset: 0, segment: null }, queued: queued.map(ref), history: history.map(ref) }) as Pick<SessionView, 'current' | 'queued' | 'history'> as SessionView;

describe('the texts a page is sent', () => {
  it('sends through the given function, once each, the texts a view names that the page lacks, and keeps the page in step', () => {
    const sent = new TextsSent((textId) => held.get(textId));
    const shelf = new TextShelf();
    const batches: SessionText[][] = [];
    /** A view as a page gets it: its texts first, then the view. */
    const show = (next: SessionView): (string | undefined)[] => {
      sent.sendAhead(next, (texts) => {
        batches.push(texts);
        shelf.add(texts);
      });
      shelf.keepFor(next);
      return [next.current!.textId, ...next.queued.map((r) => r.textId), ...next.history.map((r) => r.textId)].map((textId) => shelf.get(textId));
    };
    expect(show(view(1, [2]))).toEqual(['Text number 1.', 'Text number 2.']);
    expect(show(view(1, [2]))).toEqual(['Text number 1.', 'Text number 2.']);
    expect(show(view(2, [3], [1]))).toEqual(['Text number 2.', 'Text number 3.', 'Text number 1.']);
    // Text 1 leaves the history: neither side keeps it.
    expect(show(view(3, [4]))).toEqual(['Text number 3.', 'Text number 4.']);
    expect(shelf.get(1)).toBeUndefined();
    // Nothing is sent when the page has it all: no empty message either.
    expect(batches.map((texts) => texts.map((text) => text.textId))).toEqual([[1, 2], [3], [4]]);
  });

  it('sends no text for an id the session no longer holds', () => {
    const sent = new TextsSent((textId) => (textId === 9 ? undefined : held.get(textId)));
    const batches: SessionText[][] = [];
    sent.sendAhead(view(9, [1]), (texts) => batches.push(texts));
    expect(batches).toEqual([[{ textId: 1, text: 'Text number 1.' }]]);
  });
});
