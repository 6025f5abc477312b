import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendToApp, startAppSocket } from '../../electron/session/app-socket';
import { Session } from '../../electron/session/session';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { checkRequest } from '../../shared/contract';
import { MAX_TEXT_BYTES, utf8Length } from '../../shared/text-limit';
import { prng } from '../support/audio-files';

/** One limit, in bytes, at every door: the page's request, the session, the app socket. */
const OVER = 'a'.repeat(MAX_TEXT_BYTES - 2) + '語'; // 3 bytes for one unit: one byte over
const MESSAGE = 'The text is too long to speak: 10,000,001 bytes; the most is 10,000,000 bytes (10 MB).';

describe('the text limit', () => {
  it('counts UTF-8 bytes as Node encodes them, lone surrogates and all', () => {
    const random = prng(7);
    for (let run = 0; run < 200; run++) {
      const units = Array.from({ length: 50 }, () => Math.floor(random() * 0x10000));
      const text = String.fromCharCode(...units) + '😀é';
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
    expect(utf8Length(OVER)).toBe(MAX_TEXT_BYTES + 1);
  });

  it('refuses an over-long text from a page, naming the limit', () => {
    expect(checkRequest('speak', { texts: [OVER] })).toEqual({ ok: false, error: `speak refused: ${MESSAGE}` });
    expect(checkRequest('speak', { texts: ['a'.repeat(MAX_TEXT_BYTES)] }).ok).toBe(true);
    // All ASCII, counted without the byte loop: one byte over is still over.
    expect(checkRequest('speak', { texts: ['a'.repeat(MAX_TEXT_BYTES + 1)] })).toEqual({ ok: false, error: `speak refused: ${MESSAGE}` });
  });

  it('refuses it in the session, whoever asks, and keeps what plays', () => {
    const session = new Session({ settings: () => DEFAULT_SETTINGS });
    expect(session.speak([OVER])).toBe(MESSAGE);
    expect(session.view()).toMatchObject({ state: 'idle', error: MESSAGE });
  });

  it('refuses it at the app socket, in bytes, before the session sees it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'utter-limit-')), 'utter.sock');
    const seen: string[] = [];
    const server = await startAppSocket(path, (request) => {
      seen.push(request.type);
      return null;
    });
    try {
      await expect(sendToApp(path, { type: 'speak', text: OVER })).rejects.toThrow(MESSAGE);
      // Far over, it is refused as it arrives, without being read to the end.
      await expect(sendToApp(path, { type: 'speak', text: '\u0001'.repeat(4 * MAX_TEXT_BYTES) })).rejects.toThrow(/too long to speak: the most is 10,000,000 bytes/);
      expect(seen).toEqual([]);
      await sendToApp(path, { type: 'speak', text: 'Fits.' });
      expect(seen).toEqual(['speak']);
    } finally {
      server.close();
    }
  }, 30_000);
});
