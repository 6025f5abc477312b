// The running app's door for `utter speak TEXT` (no --out): a per-user local socket. Node
// only, so the CLI and the tests use it without Electron.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** Longest text one request may carry, as for the page (link-protocol.ts). */
const MAX_REQUEST_BYTES = 40 * 1024 * 1024;

/** Where the socket lives for this user, private to them on every platform; UTTER_SOCKET overrides it. */
export function appSocketPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.UTTER_SOCKET) return env.UTTER_SOCKET;
  if (platform === 'win32') return `\\\\.\\pipe\\utter-${userInfo().username}`;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'utter', 'utter.sock');
  return join(env.XDG_RUNTIME_DIR || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'utter'), 'utter.sock');
}

/** What the app answers. */
type Reply = { ok: true } | { ok: false; error: string };

/**
 * Listens for `{"type":"speak","text":…}` lines. A stale socket file from a crash is
 * replaced; the file is readable by this user only.
 */
export async function startAppSocket(path: string, onSpeak: (text: string) => string | null): Promise<Server> {
  if (!path.startsWith('\\\\.\\pipe\\')) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await rm(path, { force: true });
  }
  const server = createServer((socket) => {
    let data = '';
    const reply = (answer: Reply): void => void socket.end(JSON.stringify(answer) + '\n');
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.length > MAX_REQUEST_BYTES) return reply({ ok: false, error: 'The text is too long for one request.' });
      const newline = data.indexOf('\n');
      if (newline < 0) return;
      try {
        const request = JSON.parse(data.slice(0, newline)) as { type?: unknown; text?: unknown };
        if (request.type !== 'speak' || typeof request.text !== 'string') return reply({ ok: false, error: 'Unknown request.' });
        const error = onSpeak(request.text);
        reply(error ? { ok: false, error } : { ok: true });
      } catch {
        reply({ ok: false, error: 'The request is not JSON.' });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  if (!path.startsWith('\\\\.\\pipe\\')) await chmod(path, 0o600);
  return server;
}

/** Hands text to the running app: 'no-app' when none listens; throws with the app's refusal. */
export function sendToApp(path: string, text: string): Promise<'sent' | 'no-app'> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify({ type: 'speak', text }) + '\n'));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => {
      try {
        const reply = JSON.parse(answer) as Reply;
        if (reply.ok) resolve('sent');
        else reject(new Error(reply.error));
      } catch {
        reject(new Error('The running app gave no answer.'));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve('no-app');
      else reject(error);
    });
  });
}
