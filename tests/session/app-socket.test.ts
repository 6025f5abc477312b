import { chown } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendToApp, startAppSocket } from '../../electron/session/app-socket';

/** The app socket hands text only to a socket this user owns. */
const root = process.getuid?.() === 0;
if (!root) console.log('app-socket.test.ts: the other-owner case skipped: only root can give a socket to another user here');

describe('the app socket', () => {
  it.runIf(root)('refuses to hand text to a socket another user owns (one that took the path first)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'utter-owner-')), 'utter.sock');
    const heard: string[] = [];
    const squatter = await startAppSocket(path, (request) => {
      heard.push(request.type === 'speak' ? request.text : request.type);
      return null;
    });
    try {
      expect(await sendToApp(path, { type: 'speak', text: 'Mine while I own it.' })).toBe('sent');
      await chown(path, 65534, 65534);
      await expect(sendToApp(path, { type: 'speak', text: 'A secret.' })).rejects.toThrow(/belongs to another user \(uid 65534\), not to you: Utter will not send anything to it/);
      expect(heard).toEqual(['Mine while I own it.']);
    } finally {
      squatter.close();
    }
  });
});
