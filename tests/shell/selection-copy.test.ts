import { describe, expect, it, vi } from 'vitest';
import { copyPreservingClipboard, restoreClipboard, snapshotClipboard, type PressCopy } from '../../electron/shell/selection-copy';
import { contents, FakeClipboard, newItem, richClipboard } from '../support/fake-clipboard';

const fast = { timeoutMs: 200, pollMs: 5 };

describe('copyPreservingClipboard', () => {
  it('returns the copied text and puts back every format the clipboard held, byte for byte', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const before = await contents(clipboard.items);
    const press = vi.fn<PressCopy>(async () => {
      clipboard.copied('The selected sentence.');
      return null;
    });
    const outcome = await copyPreservingClipboard(clipboard, newItem, press, fast);
    expect(outcome).toEqual({ ok: true, text: 'The selected sentence.' });
    expect(press).toHaveBeenCalledOnce();
    expect(await contents(clipboard.items)).toEqual(before);
    // Sanity: the comparison sees a change of one byte in one format.
    const changed = richClipboard();
    changed[0]['image/png'] = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 8])], { type: 'image/png' });
    expect(await contents(changed)).not.toEqual(before);
  });

  it('waits for an application that answers the keystroke late', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      setTimeout(() => clipboard.copied('Late, but here.'), 60);
      return null;
    }, { timeoutMs: 1000, pollMs: 5 });
    expect(outcome).toEqual({ ok: true, text: 'Late, but here.' });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('reads nothing when nothing was selected (not the old clipboard), and puts the old one back', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => null, fast);
    expect(outcome).toEqual({ ok: true, text: '' });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('puts every format back when the copy fails', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      clipboard.copied('half a copy');
      throw new Error('xdotool is not installed');
    }, fast);
    expect(outcome).toEqual({ ok: false, reason: 'the copy failed: xdotool is not installed' });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('gives up on a keystroke that never returns, stops it, and puts every format back', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    let stopped = false;
    const outcome = await copyPreservingClipboard(clipboard, newItem, (signal) => {
      signal.addEventListener('abort', () => (stopped = true));
      return new Promise(() => {});
    }, fast);
    expect(outcome).toEqual({ ok: false, reason: 'the copy did not finish within 200 ms' });
    expect(stopped).toBe(true);
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('leaves the clipboard alone when the copier already put it back (selection-hook restores natively)', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      clipboard.copied('Read by the hook.');
      clipboard.items = richClipboard();
      return 'Read by the hook.';
    }, { ...fast, clearFirst: false });
    expect(outcome).toEqual({ ok: true, text: 'Read by the hook.' });
    expect(clipboard.writes + clipboard.clears).toBe(0);
  });

  it('puts the clipboard back when such a copier failed to', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      clipboard.copied('Read by the hook.');
      return 'Read by the hook.';
    }, { ...fast, clearFirst: false });
    expect(outcome).toEqual({ ok: true, text: 'Read by the hook.' });
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('gives a slow keystroke command its time, then waits only a short while for the application', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const started = Date.now();
    // A command that takes 300 ms to start (PowerShell), after which nothing is copied.
    const outcome = await copyPreservingClipboard(clipboard, newItem, () => new Promise((resolve) => setTimeout(() => resolve(null), 300)), {
      timeoutMs: 3000,
      settleMs: 100,
      pollMs: 5,
    });
    expect(outcome).toEqual({ ok: true, text: '' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(2000);
  });

  it('leaves an empty clipboard empty', async () => {
    const clipboard = new FakeClipboard();
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      clipboard.copied('Selected.');
      return null;
    }, fast);
    expect(outcome).toEqual({ ok: true, text: 'Selected.' });
    expect(clipboard.items).toEqual([]);
    expect(clipboard.writes).toBe(0);
  });

  it('does not copy at all when the clipboard cannot be saved first', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    clipboard.failRead = new Error('the clipboard is locked by another application');
    const press = vi.fn<PressCopy>(async () => null);
    const outcome = await copyPreservingClipboard(clipboard, newItem, press, fast);
    expect(outcome).toEqual({ ok: false, reason: 'the clipboard could not be saved first (the clipboard is locked by another application), so Utter did not copy over it' });
    expect(press).not.toHaveBeenCalled();
    expect(clipboard.clears).toBe(0);
  });

  it('restores the clipboard even when it cannot be read after the copy', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      clipboard.copied('Selected.');
      clipboard.failRead = new Error('busy');
      return 'Selected.';
    }, fast);
    expect(outcome).toEqual({ ok: true, text: 'Selected.' });
    clipboard.failRead = null;
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
  });

  it('says so when the clipboard cannot be put back', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    clipboard.failWrite = new Error('access denied');
    const outcome = await copyPreservingClipboard(clipboard, newItem, async () => {
      clipboard.copied('Selected.');
      return null;
    }, fast);
    expect(outcome).toEqual({ ok: false, reason: 'your clipboard could not be put back (access denied)' });
  });
});

describe('snapshotClipboard and restoreClipboard', () => {
  it('read every format at once, so a later change does not reach the snapshot', async () => {
    const clipboard = new FakeClipboard(richClipboard());
    const saved = await snapshotClipboard(clipboard);
    clipboard.copied('something else');
    await restoreClipboard(clipboard, newItem, saved);
    expect(await contents(clipboard.items)).toEqual(await contents(richClipboard()));
    expect(clipboard.writes).toBe(1);
  });
});
