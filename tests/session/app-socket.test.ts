import { chown, stat } from 'node:fs/promises';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { appSocketPath, isAppListening, newAppSocketPath, publishAppSocket, sendToApp, startAppSocket } from '../../electron/session/app-socket';

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

describe('the app socket, with something else listening on it', () => {
  /** A Unix socket whose every connection gets `answer` (none: it accepts and stays silent). */
  async function listener(answer?: (socket: Socket) => void): Promise<{ path: string; close: () => void }> {
    const path = join(mkdtempSync(join(tmpdir(), 'utter-other-')), 'utter.sock');
    const server = createServer((socket) => answer?.(socket));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return { path, close: () => server.close() };
  }

  it('gives up on one that accepts and never answers, saying so, instead of waiting for ever', async () => {
    const silent = await listener();
    try {
      await expect(sendToApp(silent.path, { type: 'speak', text: 'Hello.' }, 300)).rejects.toThrow(/did not answer within 0.3 s/);
    } finally {
      silent.close();
    }
  });

  it('stops reading one that answers without end, at 1 MB', async () => {
    const flood = await listener((socket) => {
      const write = (): void => void (socket.write('x'.repeat(65536)) ? setImmediate(write) : socket.once('drain', write));
      socket.on('error', () => {});
      write();
    });
    try {
      await expect(sendToApp(flood.path, { type: 'speak', text: 'Hello.' })).rejects.toThrow(/sent more than 1 MB: that is not Utter/);
    } finally {
      flood.close();
    }
  });
});

describe('the app socket, with a client that does not keep to one line', () => {
  it('asks once per connection: more lines while the answer is on its way ask nothing, and one answer comes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'utter-lines-')), 'utter.sock');
    let asked = 0;
    const server = await startAppSocket(path, async () => {
      asked++;
      await new Promise((r) => setTimeout(r, 300));
      return null;
    });
    try {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(path);
        let text = '';
        socket.on('data', (data) => (text += data.toString()));
        socket.on('close', () => resolve(text));
        socket.write('{"type":"doctor"}\n');
        // Separate chunks, each with a line break, while the first is being answered.
        for (const at of [50, 100, 150]) setTimeout(() => socket.write('{"type":"doctor"}\n'), at);
      });
      expect(asked).toBe(1);
      expect(answer).toBe('{"ok":true}\n');
    } finally {
      server.close();
    }
  });
});

describe('the app pipe on Windows (the logic, run here with the platform given)', () => {
  const appData = () => mkdtempSync(join(tmpdir(), 'utter-appdata-'));

  it('listens on a new random pipe each run, published in the user\'s profile, and clients use only that name', async () => {
    const env = { APPDATA: appData() };
    const first = newAppSocketPath('win32', env, '/home/x');
    const second = newAppSocketPath('win32', env, '/home/x');
    expect(first).toMatch(/^\\\\\.\\pipe\\utter-[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    // Before the app publishes it, a client knows of no app, and guesses no name another user could have taken.
    expect(appSocketPath('win32', env, '/home/x')).toBe('');
    expect(await sendToApp('', { type: 'speak', text: 'Nobody.' })).toBe('no-app');
    expect(await isAppListening('')).toBe(false);
    await publishAppSocket(first, 'win32', env, '/home/x');
    expect(appSocketPath('win32', env, '/home/x')).toBe(first);
    expect((await stat(join(env.APPDATA, 'utter', 'app-pipe'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a published name that is not one the app makes', () => {
    const env = { APPDATA: appData() };
    mkdirSync(join(env.APPDATA, 'utter'));
    for (const name of ['\\\\.\\pipe\\utter-alice', '\\\\evil\\pipe\\utter-' + '0'.repeat(32), 'C:\\Temp\\x']) {
      writeFileSync(join(env.APPDATA, 'utter', 'app-pipe'), name);
      expect(appSocketPath('win32', env, '/home/x')).toBe('');
    }
  });

  it('keeps the fixed, private path elsewhere, and UTTER_SOCKET everywhere', () => {
    expect(newAppSocketPath('linux', { XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/x')).toBe('/run/user/1000/utter.sock');
    expect(newAppSocketPath('win32', { UTTER_SOCKET: '\\\\.\\pipe\\mine' }, '/home/x')).toBe('\\\\.\\pipe\\mine');
  });
});
