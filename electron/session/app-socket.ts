// The running app's door for `utter speak TEXT` and `utter speak --clipboard` (no --out): a
// per-user local socket. Node only, so the CLI and the tests use it without Electron.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCheckResults, type CheckResult } from '../doctor/report';
import { writeFileAtomically } from '../store/atomic-file';
import { LIMIT_IN_WORDS, MAX_TEXT_BYTES, textTooLong } from '../../shared/text-limit';

/** Bytes one request may take on the wire: the text's limit, with room for JSON's escapes (the text itself is counted after). */
const MAX_REQUEST_BYTES = 2 * MAX_TEXT_BYTES + 1024;
/** A connection that sends nothing for this long before its request's line ends is closed. */
const REQUEST_IDLE_MS = 10_000;

/**
 * Where the running app's socket is, for a client; UTTER_SOCKET overrides it. On Windows,
 * named pipes are one namespace for all users, so a fixed name could be taken by another
 * user first: the app listens on a random name and publishes it in a file in this user's
 * profile, and a client uses only that name (an empty path when there is none: no app).
 */
export function appSocketPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.UTTER_SOCKET) return env.UTTER_SOCKET;
  if (platform === 'win32') return publishedPipe(pipeNameFile(env, home));
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'utter', 'utter.sock');
  return join(env.XDG_RUNTIME_DIR || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'utter'), 'utter.sock');
}

/** Where the app should listen: on Windows a new random pipe name (publish it once listening), elsewhere the fixed path. */
export function newAppSocketPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'win32' && !env.UTTER_SOCKET) return `\\\\.\\pipe\\utter-${randomBytes(16).toString('hex')}`;
  return appSocketPath(platform, env, home);
}

/** Tells this user's clients the pipe the app listens on (Windows only; elsewhere the path is fixed). */
export async function publishAppSocket(path: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): Promise<void> {
  if (platform !== 'win32' || env.UTTER_SOCKET) return;
  await writeFileAtomically(pipeNameFile(env, home), path, 0o600);
}

/** A Windows named pipe, which has no file to create, remove, chmod or own. */
function isPipe(path: string): boolean {
  return path.startsWith('\\\\.\\pipe\\');
}

/** The file that names the pipe, in this user's own profile. */
function pipeNameFile(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'utter', 'app-pipe');
}

/** The published pipe name, only if it is one the app makes; '' otherwise. */
function publishedPipe(file: string): string {
  try {
    const name = readFileSync(file, 'utf8').trim();
    return /^\\\\\.\\pipe\\utter-[0-9a-f]{32}$/.test(name) ? name : '';
  } catch {
    return '';
  }
}

/** What the CLI asks: speak this text, speak what the clipboard holds or what is selected, or run the in-app diagnostics. */
export type AppRequest = { type: 'speak'; text: string } | { type: 'speak-clipboard' } | { type: 'speak-selection' } | { type: 'doctor' };

/** What the app answers: done (with the diagnostics when asked), or why not. */
type Reply = { ok: true; checks?: CheckResult[] } | { ok: false; error: string };

/** What a request handler returns: null when done, a refusal, or the diagnostics. */
export type AppAnswer = string | null | { checks: CheckResult[] };

function parseRequest(line: string): AppRequest | null {
  const request = JSON.parse(line) as { type?: unknown; text?: unknown };
  if (request.type === 'speak' && typeof request.text === 'string') return { type: 'speak', text: request.text };
  if (request.type === 'speak-clipboard') return { type: 'speak-clipboard' };
  if (request.type === 'speak-selection') return { type: 'speak-selection' };
  if (request.type === 'doctor') return { type: 'doctor' };
  return null;
}

/**
 * Listens for one JSON request per connection, each on a line, and answers with the app's
 * refusal or ok. A stale socket file from a crash is replaced; the file is readable by
 * this user only.
 */
export async function startAppSocket(path: string, onRequest: (request: AppRequest) => Promise<AppAnswer> | AppAnswer): Promise<Server> {
  if (!isPipe(path)) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await rm(path, { force: true });
  }
  const server = createServer((socket) => {
    const parts: Buffer[] = [];
    let received = 0;
    /** The request was read (one per connection): what comes after it is not read. */
    let read = false;
    const reply = (answer: Reply): void => {
      read = true;
      if (!socket.destroyed) socket.end(JSON.stringify(answer) + '\n');
    };
    socket.on('error', () => socket.destroy());
    // A client that never finishes its line holds its bytes: not for ever.
    socket.setTimeout(REQUEST_IDLE_MS, () => {
      if (!read) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      if (read) return;
      parts.push(chunk);
      received += chunk.length;
      // Counted in bytes, as every door counts a text.
      if (received > MAX_REQUEST_BYTES) return reply({ ok: false, error: `The text is too long to speak: the most is ${LIMIT_IN_WORDS}.` });
      if (!chunk.includes(0x0a)) return;
      const data = Buffer.concat(parts).toString('utf8');
      let request: AppRequest | null;
      try {
        request = parseRequest(data.slice(0, data.indexOf('\n')));
      } catch {
        return reply({ ok: false, error: 'The request is not JSON.' });
      }
      if (!request) return reply({ ok: false, error: 'Unknown request.' });
      const tooLong = request.type === 'speak' ? textTooLong(request.text) : null;
      if (tooLong) return reply({ ok: false, error: tooLong });
      // Asked once: more lines while the answer is on its way (diagnostics take a while) ask nothing.
      read = true;
      Promise.resolve(onRequest(request)).then(
        (answer) => reply(typeof answer === 'string' ? { ok: false, error: answer } : { ok: true, ...answer }),
        (error: Error) => reply({ ok: false, error: error.message }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  if (!isPipe(path)) await chmod(path, 0o600);
  return server;
}

/** Whether something (the app, or another `utter web`) already listens at `path`. */
export function isAppListening(path: string): Promise<boolean> {
  if (!path) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * How long the app may be silent before it counts as not answering: it answers once it has
 * taken the request, not after speaking it. A socket that accepts and never answers (an app
 * hung, or something else listening there) held `utter speak` for ever.
 */
const ANSWER_TIMEOUT_MS = 10_000;
/** The app's longest answer, its diagnostics, is a few KB: more is not the app. */
const MOST_ANSWER_CHARS = 1 << 20;

/** Hands a request to the running app: 'no-app' when none listens; throws with the app's refusal. */
export async function sendToApp(path: string, request: AppRequest, timeoutMs = ANSWER_TIMEOUT_MS): Promise<'sent' | 'no-app'> {
  return (await askApp(path, request, timeoutMs)) === 'no-app' ? 'no-app' : 'sent';
}

/** Asks the running app for its diagnostics: 'no-app' when none listens. */
export async function askAppDiagnostics(path: string, timeoutMs: number): Promise<CheckResult[] | 'no-app'> {
  const reply = await askApp(path, { type: 'doctor' }, timeoutMs);
  if (reply === 'no-app') return reply;
  const checks = parseCheckResults(reply.checks);
  if (!checks) throw new Error('The running app answered without its diagnostics (an older version?).');
  return checks;
}

/**
 * Refuses a Unix socket that another user owns: whoever made it first would get this
 * user's text (and answer for the app). Windows pipes have no owner to check here.
 */
async function checkOwner(path: string): Promise<void> {
  if (isPipe(path) || typeof process.getuid !== 'function') return;
  let owner: number;
  try {
    owner = (await lstat(path)).uid;
  } catch {
    return; // None there: the connection says so.
  }
  if (owner !== process.getuid()) {
    throw new Error(`The app socket ${path} belongs to another user (uid ${owner}), not to you: Utter will not send anything to it. Remove it, or set UTTER_SOCKET.`);
  }
}

/** Sends one request and reads the app's reply; throws with its refusal or when it does not answer in time. */
async function askApp(path: string, request: AppRequest, timeoutMs: number): Promise<Extract<Reply, { ok: true }> | 'no-app'> {
  // No published pipe (Windows): no app, and nothing to guess.
  if (!path) return 'no-app';
  await checkOwner(path);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`The running app did not answer within ${timeoutMs / 1000} s (${path}). Quit it and start it again.`));
    });
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.length <= MOST_ANSWER_CHARS) return;
      socket.destroy();
      reject(new Error(`What answered on the app socket ${path} sent more than 1 MB: that is not Utter. Quit what listens there, or set UTTER_SOCKET.`));
    });
    socket.on('end', () => {
      try {
        const reply = JSON.parse(answer) as Reply;
        if (reply.ok) resolve(reply);
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
