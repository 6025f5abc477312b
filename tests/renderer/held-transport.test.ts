import { describe, expect, it } from 'vitest';
import { HeldTransport } from '../../renderer/src/state/held-transport';
import type { SessionView } from '../../shared/session';
import { playingView } from '../support/session-view';

/**
 * The buttons a page cut off from `utter web` is pressed on: what its audio and its view do
 * at once, and what the session hears on reconnecting. (tests/browser/cut-off.test.ts has
 * them on a real page and a real server.)
 */
const view = playingView;
const idle = (patch: Partial<SessionView> = {}): SessionView => view({ state: 'idle', current: null, queued: [], ...patch });
const offer = { title: 'A long text', charsLeft: 5000 };

describe('HeldTransport', () => {
  it('says at once that Skip and Previous were not sent, holds nothing for them and leaves the audio alone', () => {
    const held = new HeldTransport();
    const skip = held.press('skip', view());
    expect(skip?.transport).toBeUndefined();
    expect(skip?.view).toEqual(view({ error: 'Skip was not sent, as the page was not connected to utter web: press it again once it has reconnected.' }));
    expect(held.press('previous', view())?.view?.error).toMatch(/^Previous was not sent, as the page was not connected/);
    expect(held.holding).toBe(false);
    expect(held.take(view())).toEqual([]);
  });

  it('holds Resume saved, says that it waits, and the session hears it on reconnecting', () => {
    const held = new HeldTransport();
    const pressed = held.press('resume-saved', idle({ resumable: offer }));
    // Nothing of the page's own audio to act on; the offer goes, so it is not pressed twice.
    expect(pressed?.transport).toBeUndefined();
    expect(pressed?.view).toEqual(idle({ notice: 'Reading resumes from where it stopped as soon as the page has reconnected to utter web.' }));
    expect(held.holding).toBe(true);
    expect(held.take(idle({ resumable: offer }))).toEqual(['resume-saved']);
    expect(held.holding).toBe(false);
    expect(held.take(idle({ resumable: offer }))).toEqual([]);
  });

  it('sends a Resume saved after the Stop pressed before it, and forgets it for a Stop pressed after it', () => {
    const stopFirst = new HeldTransport();
    stopFirst.press('stop', view({ resumable: offer }));
    stopFirst.press('resume-saved', idle({ resumable: offer }));
    expect(stopFirst.take(view({ resumable: offer }))).toEqual(['stop', 'resume-saved']);

    const stopLast = new HeldTransport();
    stopLast.press('resume-saved', view({ resumable: offer }));
    stopLast.press('stop', view());
    expect(stopLast.take(view({ resumable: offer }))).toEqual(['stop']);
  });

  it('still stops before anything else and lets no Pause after a Stop through', () => {
    const held = new HeldTransport();
    expect(held.press('pause-resume', view())?.transport).toBe('pause');
    expect(held.press('stop', view({ state: 'paused' }))).toEqual({ transport: 'stop', view: idle() });
    expect(held.press('pause-resume', idle())).toBeNull();
    expect(held.press('skip', idle())?.view?.error).toMatch(/^Skip was not sent/);
    expect(held.take(view())).toEqual(['stop']);
  });
});
