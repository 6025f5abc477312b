import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';

/**
 * `utter web` stopped as a user stops it (Ctrl-C closes the server) while a long text is read:
 * the next run offers to go on. Closing called the user's Stop, which forgets the text, so
 * the saved session was deleted on every clean exit and survived only a crash.
 */
describe('utter web across a restart', () => {
  it('keeps what was being read when it is closed, and the next run offers it', { timeout: 30_000 }, async () => {
    const sessionFile = join(mkdtempSync(join(tmpdir(), 'utter-web-restart-')), 'web-session.json');
    const settings = { ...DEFAULT_SETTINGS, provider: 'local' as const };
    const book = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} of a long chapter.`).join(' ');
    const first = await startWebServer({ root: RENDERER_BUILD, settings, sessionFile });
    expect(first.session.speak([book, 'Then this.'])).toBeNull();
    await first.close();
    const second = await startWebServer({ root: RENDERER_BUILD, settings, sessionFile });
    try {
      await expect.poll(() => second.session.view().resumable).toMatchObject({ title: expect.stringMatching(/^Sentence number 0/), charsLeft: book.length });
    } finally {
      await second.close();
    }
  });
});
