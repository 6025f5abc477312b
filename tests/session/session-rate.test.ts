import { describe, expect, it, vi } from 'vitest';
import { Session } from '../../electron/session/session';
import { checkRequest } from '../../shared/contract';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { steppedRate } from '../../shared/playback-rate';

describe('the session\'s playback rate', () => {
  it('starts from the setting, is in the view, and is saved on each change', () => {
    const saveRate = vi.fn();
    const session = new Session({ settings: () => ({ ...DEFAULT_SETTINGS, playbackRate: 1.5 }), saveRate });
    const views: number[] = [];
    session.subscribe((view) => views.push(view.rate));
    expect(session.view().rate).toBe(1.5);
    expect(session.setRate(2)).toBeNull();
    expect(session.view().rate).toBe(2);
    expect(saveRate).toHaveBeenCalledWith(2);
    // The same rate again changes nothing and writes nothing.
    session.setRate(2);
    expect(saveRate).toHaveBeenCalledTimes(1);
    expect(views).toEqual([2]);
  });

  it('refuses a rate outside 0.5–3 with a message, and keeps the one it had', () => {
    const warn = vi.fn();
    const session = new Session({ settings: () => DEFAULT_SETTINGS, warn });
    expect(session.setRate(3.5)).toBe('The playback rate must be from 0.5× to 3×, not 3.5×.');
    expect(session.setRate(Number.NaN)).toMatch(/must be a number/);
    expect(session.view().rate).toBe(1);
    expect(warn).toHaveBeenCalledTimes(2);
    // At the page's door the same words come back.
    expect(checkRequest('setRate', 0.25)).toEqual({ ok: false, error: 'setRate refused: The playback rate must be from 0.5× to 3×, not 0.25×.' });
    expect(checkRequest('setRate', '2')).toEqual({ ok: false, error: 'setRate refused: takes a rate from 0.5 to 3.' });
    expect(checkRequest('setRate', 2.25)).toEqual({ ok: true, request: 2.25 });
  });

  it('steps by 0.25× within 0.5–3, and normal is 1×', () => {
    const session = new Session({ settings: () => DEFAULT_SETTINGS });
    for (let i = 0; i < 12; i++) session.changeRate('faster');
    expect(session.view().rate).toBe(3);
    session.changeRate('slower');
    expect(session.view().rate).toBe(2.75);
    session.changeRate('normal');
    expect(session.view().rate).toBe(1);
    for (let i = 0; i < 5; i++) session.changeRate('slower');
    expect(session.view().rate).toBe(0.5);
    // A rate off the grid (set by a page) steps to the grid.
    expect(steppedRate(1.1, 'faster')).toBe(1.25);
    expect(steppedRate(1.1, 'slower')).toBe(1);
  });
});
