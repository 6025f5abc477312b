import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { get } from 'node:https';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnUtterWeb } from '../support/utter-web';
import { UTTER_BIN } from '../support/run-utter';

/**
 * `utter web` for other machines: only over HTTPS and WSS. Plain HTTP there would carry the
 * token in the clear, and the page could not play anyway (no secure context).
 */
const home = mkdtempSync(join(tmpdir(), 'utter-tls-'));
const env = { ...process.env, XDG_CONFIG_HOME: home, UTTER_SOCKET: join(home, 'utter.sock') };
const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

describe('utter web on another interface', () => {
  it('refuses to serve plain HTTP there, and says what to give', async () => {
    const child = spawn(process.execPath, [UTTER_BIN, 'web', '--host', '0.0.0.0', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (data: Buffer) => (err += data));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(err).toContain('--host 0.0.0.0 lets other machines in: give --tls-cert and --tls-key');
  });

  it('serves HTTPS and WSS with the certificate it is given, to pages of its own https origin', async () => {
    // A real certificate from a real tool, for this run only.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(home, 'key.pem'), '-out', join(home, 'cert.pem')], { stdio: 'ignore' });
    const { child, url, said } = await spawnUtterWeb(['--host', '0.0.0.0', '--tls-cert', join(home, 'cert.pem'), '--tls-key', join(home, 'key.pem')], env);
    children.push(child);
    expect(url.protocol).toBe('https:');
    // 0.0.0.0 is where it listens, not an address another machine can open: it says the ones that are.
    await expect.poll(said).toContain(`from another machine, open https://${hostname().toLowerCase()}:${url.port}/?token=${url.searchParams.get('token')}`);
    const local = `127.0.0.1:${url.port}`;
    const page = await new Promise<{ status?: number; coop?: string | string[] }>((resolve, reject) =>
      get({ host: '127.0.0.1', port: url.port, path: '/', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, coop: res.headers['cross-origin-opener-policy'] });
      }).on('error', reject),
    );
    expect(page).toEqual({ status: 200, coop: 'same-origin' });
    const open = (origin: string) =>
      new Promise<'open' | number>((resolve) => {
        const socket = new WebSocket(`wss://${local}/control?token=${url.searchParams.get('token')}`, { headers: { origin }, rejectUnauthorized: false });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    expect(await open(`https://${local}`)).toBe('open');
    expect(await open(`http://${local}`)).toBe(403);
  }, 30_000);
});
