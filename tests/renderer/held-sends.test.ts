import { describe, expect, it } from 'vitest';
import { HeldSends } from '../../renderer/src/state/held-sends';
import { textRefOf, type SessionView } from '../../shared/session';
import { playingView } from '../support/session-view';

/**
 * The requests, other than the transport buttons, that a page cut off from `utter web` is
 * asked for: what it shows at once and what the session hears on reconnecting.
 * (tests/browser/cut-off.test.ts has the rate, the format and a sentence on a real page.)
 */
function view(patch: Partial<SessionView> = {}): SessionView {
  return playingView({ queued: [textRefOf(2, 'Waiting.'), textRefOf(5, 'Waiting too.'), textRefOf(6, 'And this.')], ...patch });
}

describe('HeldSends', () => {
  it('holds the latest rate and format, and shows them at once', () => {
    const held = new HeldSends();
    expect(held.hold(['setRate', 1.25], view())?.view).toEqual(view({ rate: 1.25 }));
    held.hold(['setRate', 1.5], view({ rate: 1.25 }));
    expect(held.hold(['setFormat', 'opus'], view())?.view).toEqual(view({ format: 'opus' }));
    expect(held.take()).toEqual([
      ['setFormat', 'opus'],
      ['setRate', 1.5],
    ]);
    expect(held.take()).toEqual([]);
  });

  it('takes a text out of the queue shown at once, and asks the session by its id', () => {
    const held = new HeldSends();
    const shown = view();
    const after = held.hold(['unqueue', { index: 1, textId: 5 }], shown)?.view;
    expect(after?.queued.map((ref) => ref.textId)).toEqual([2, 6]);
    // Its index has moved on the page; the session finds a text by its id.
    held.hold(['unqueue', { index: 1, textId: 6 }], after!);
    expect(held.take()).toEqual([
      ['unqueue', { index: 1, textId: 5 }],
      ['unqueue', { index: 1, textId: 6 }],
    ]);
  });

  it('says at once that reading from a sentence was not sent, and holds nothing for it', () => {
    const held = new HeldSends();
    expect(held.hold(['readFrom', { id: 3, offset: 20 }], view())?.view?.error).toMatch(/^Reading from that sentence was not sent, as the page was not connected to utter web/);
    expect(held.take()).toEqual([]);
  });

  it('holds cancelling a save and the end of the welcome, and leaves the player\'s reports alone', () => {
    const held = new HeldSends();
    expect(held.hold(['cancelSave', undefined], view())).toEqual({ view: null });
    expect(held.hold(['finishWelcome', undefined], null)).toEqual({ view: null });
    expect(held.hold(['sinkFact', { type: 'drained', id: 3 }] as never, view())).toBeUndefined();
    expect(held.hold(['detachSink', undefined], view())).toBeUndefined();
    expect(held.take()).toEqual([
      ['cancelSave', undefined],
      ['finishWelcome', undefined],
    ]);
  });
});
