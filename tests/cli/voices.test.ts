// `utter voices` against a real server: the names it chose cannot drive the terminal, and a
// list it has but that could not be read is said, with an exit code, not passed over.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../electron/cli/main';
import { closedPort } from '../support/closed-port';
import { runUtter } from '../support/run-utter';
import { useScriptedServer } from '../support/scripted-server';

const dir = mkdtempSync(join(tmpdir(), 'utter-voices-'));
/** What the server answers next. */
const scripted = useScriptedServer((res) => res.writeHead(404).end());

/** Runs `utter voices` in this process; what it printed, and its exit code. */
async function voices(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    stdin: async () => '',
    env: { HOME: dir, UTTER_SETTINGS: join(dir, 'none.json') },
    isTerminal: true,
  };
  const code = await main(['voices', ...args], io);
  return { code, stdout, stderr };
}

const json = (body: string) => (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);

describe('utter voices: names a server chose', () => {
  it('are printed with their control characters escaped: no escape sequence, bell or forged line reaches the terminal', async () => {
    const names = ['good_voice', '\x1b[2J\x1b[31mevil\x1b]0;title\x07', 'bell\x07\x07', 'cr\roverwrite', 'nl\nforged\t(builtin)', '\u202eRTL'];
    scripted.answer = json(JSON.stringify({ voices: names }));
    const { code, stdout, stderr } = await voices('--base-url', scripted.baseUrl);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n').slice(0, -1);
    // Each line is printable text, with only the tab between columns.
    // eslint-disable-next-line no-control-regex
    for (const line of lines) expect(line).toMatch(/^[^\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e]+$/);
    expect(lines.slice(-names.length)).toEqual([
      'good_voice\t(server)',
      '\\x1b[2J\\x1b[31mevil\\x1b]0;title\\x07\t(server)',
      'bell\\x07\\x07\t(server)',
      'cr\\roverwrite\t(server)',
      'nl\\nforged\\t(builtin)\t(server)',
      '\\u202eRTL\t(server)',
    ]);
    expect(lines).not.toContain('forged\t(builtin)');
  });
});

describe('utter voices: a server whose list could not be read', () => {
  it('tells a server with no list (404, as OpenAI: no complaint) from one whose list is not JSON', async () => {
    scripted.answer = (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error": {"message": "Not found"}}');
    const none = await voices('--base-url', scripted.baseUrl);
    expect({ code: none.code, stderr: none.stderr }).toEqual({ code: 0, stderr: '' });
    expect(none.stdout).toMatch(/^alloy\t\(builtin\)$/m);
    scripted.answer = json('{"voices": ["a", ');
    const unread = await voices('--base-url', scripted.baseUrl);
    expect({ code: unread.code, stdout: unread.stdout }).toEqual({ code: 3, stdout: none.stdout });
  });

  it.each([
    ['JSON cut short', json('{"voices": ["a", "b", '), 3, 'its answer is not JSON.'],
    ['a web page', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'), 3, 'its answer is not a list of voices.'],
    ['JSON without a list', json('{"detail": "ok"}'), 3, 'its answer is not a list of voices.'],
    ['a failure (500)', (res: ServerResponse) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error": {"message": "voices dir missing"}}'), 3, 'BASE failed (500): voices dir missing'],
    ['a list that never ends', (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"voices": [');
      const timer = setInterval(() => res.write('"v", '.repeat(4096)), 2);
      res.on('close', () => clearInterval(timer));
    }, 3, 'it is over 4 MB.'],
    ['a redirect', (res: ServerResponse) => res.writeHead(302, { location: 'http://127.0.0.1:9/v1/audio/voices' }).end(), 4, `BASE answered with a redirect to http://127.0.0.1:9/v1/audio/voices: set the base URL to http://127.0.0.1:9/v1. (check --base-url)`],
  ])('%s: said on standard error, with a non-zero exit; the built-in voices are still listed', async (_case, serve, exit, said) => {
    scripted.answer = serve;
    const { code, stdout, stderr } = await voices('--base-url', scripted.baseUrl);
    expect(stderr).toBe(`utter: Could not read the voices of ${scripted.baseUrl}: ${said.replace('BASE', scripted.baseUrl)}\n`);
    expect(code).toBe(exit);
    expect(stdout).toMatch(/^alloy\t\(builtin\)$/m);
  });

  it('a base URL that carries its key (?key=): the server is asked with it, and no line names it', async () => {
    const asked: string[] = [];
    const base = `${scripted.baseUrl}?key=SECRETVALUE`;
    const shown = `${scripted.baseUrl}?key=***`;
    const failing = (res: ServerResponse, req: IncomingMessage) => {
      asked.push(req.url!);
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error": {"message": "voices dir missing"}}');
    };
    scripted.answer = failing;
    const failed = await voices('--base-url', base);
    expect(failed.stderr).toBe(`utter: Could not read the voices of ${shown}: ${shown} failed (500): voices dir missing\n`);
    // A redirect whose Location keeps the query, as most do.
    scripted.answer = (res, req) => {
      asked.push(req.url!);
      res.writeHead(302, { location: `http://127.0.0.1:9${req.url!.replace('/v1/', '/v2/')}` }).end();
    };
    const redirected = await voices('--base-url', base);
    expect(redirected.stderr).toBe(`utter: Could not read the voices of ${shown}: ${shown} answered with a redirect to http://127.0.0.1:9/v2/audio/voices?key=***: set the base URL to http://127.0.0.1:9/v2?key=***. (check --base-url)\n`);
    expect(asked).toEqual(['/v1/audio/voices?key=SECRETVALUE', '/v1/audio/voices?key=SECRETVALUE']);
    const nothing = await voices('--base-url', `http://127.0.0.1:${await closedPort()}/v1?key=SECRETVALUE`);
    expect(nothing.stderr).toMatch(/^utter: Could not read the voices of http:\/\/127\.0\.0\.1:\d+\/v1\?key=\*\*\*: Nothing answers at/);
    for (const run of [failed, redirected, nothing]) expect(run.stdout + run.stderr).not.toContain('SECRETVALUE');
  });

  it('a server that repeats the API key and the key in the base URL\'s path, with no URL around them: no line names either', async () => {
    const PATH_KEY = 'sk-path-Zq9x8W7v6U5t4S3r';
    const API_KEY = 'sk-live-Ab1Cd2Ef3Gh4Ij5Kl6';
    const asked: string[] = [];
    scripted.answer = (res, req) => {
      asked.push(`${req.headers.authorization} ${req.url}`);
      const message = `Incorrect API key provided: ${req.headers.authorization?.replace('Bearer ', '')} for ${req.url}`;
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message } }));
    };
    const base = scripted.baseUrl.replace('/v1', `/key/${PATH_KEY}/v1`);
    const shown = scripted.baseUrl.replace('/v1', '/key/***/v1');
    const run = await voices('--base-url', base, '--api-key', API_KEY);
    expect(run.stderr).toBe(`utter: Could not read the voices of ${shown}: ${shown} refused the API key (401): Incorrect API key provided: *** for /key/***/v1/audio/voices (check --api-key, UTTER_API_KEY or OPENAI_API_KEY)\n`);
    expect(run.stdout + run.stderr).not.toContain(PATH_KEY);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
    expect(asked).toEqual([`Bearer ${API_KEY} /key/${PATH_KEY}/v1/audio/voices`]);
  });

  it('nothing listening: said, exit 4 (network), as the real command run from a shell', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const run = await runUtter(['voices', '--base-url', url, '--json'], { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'none.json') });
    expect(run.stderr).toBe(`utter: Could not read the voices of ${url}: Nothing answers at ${url}: is the server running? (check --base-url)\n`);
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toContainEqual({ id: 'alloy', source: 'builtin' });
  }, 60_000);
});
