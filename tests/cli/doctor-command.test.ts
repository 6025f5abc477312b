import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../electron/doctor/report';
import { startAppSocket } from '../../electron/session/app-socket';
import { runUtter, type UtterRun } from '../support/run-utter';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/** `utter doctor` as a user runs it, against a real server, the real embedded voice and an app socket. */
const dir = mkdtempSync(join(tmpdir(), 'utter-doctor-cli-'));
const socket = join(dir, 'utter.sock');
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer({ apiKey: 'sk-right' });
});
afterAll(() => server.close());

function doctor(settings: string, env: Record<string, string> = {}, args: string[] = ['--json']): Promise<UtterRun> {
  const file = join(dir, `settings-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, settings);
  return runUtter(['doctor', ...args], { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: file, UTTER_SOCKET: socket, ...env });
}

const byId = (checks: CheckResult[], id: string): CheckResult | undefined => checks.find((check) => check.id === id);

describe('utter doctor', () => {
  it('checks the server with the key, the voice, and says what only the app can tell', async () => {
    const { code, stdout, stderr } = await doctor(JSON.stringify({ provider: 'openai', baseUrls: [server.url] }), { UTTER_API_KEY: 'sk-right' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { checks } = JSON.parse(stdout) as { checks: CheckResult[] };
    expect(checks.map((check) => check.id)).toEqual([
      'node', 'electron', 'settings', 'environment', 'api-key', `provider:${server.url}`, 'embedded-voice', 'audio-output', 'hotkeys', 'updates', 'wayland-portal', 'app-socket',
    ]);
    expect(byId(checks, `provider:${server.url}`)).toMatchObject({ status: 'ok', detail: `${new URL(server.url).host} answers and accepts the API key.` });
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(byId(checks, 'api-key')!.detail).toContain('UTTER_API_KEY');
    expect(byId(checks, 'embedded-voice')!.status).toBe('ok');
    expect(byId(checks, 'hotkeys')).toMatchObject({ status: 'skipped', detail: expect.stringContaining('not running') });
    expect(byId(checks, 'updates')).toMatchObject({ status: 'skipped', detail: expect.stringContaining('not running') });
    expect(byId(checks, 'app-socket')!.status).toBe('warning');
    // Nothing in the report gives the key away.
    expect(stdout).not.toContain('sk-right');
  });

  it('fails with exit 1 on a refused key, and prints text by default', async () => {
    const { code, stdout } = await doctor(JSON.stringify({ provider: 'openai', baseUrls: [server.url] }), { UTTER_API_KEY: 'sk-wrong' }, []);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL +Server: 127\.0\.0\.1:\d+ refused the API key \(HTTP 401\)\.$/m);
    expect(stdout).toMatch(/→ enter a valid key in Settings/);
    expect(stdout).toMatch(/\d+ ok, \d+ warning, 1 failed, \d+ skipped/);
  });

  it('asks a base URL that carries its key (?key=) with it, and the report, which is shared, does not name it', async () => {
    const { code, stdout } = await doctor(JSON.stringify({ provider: 'openai', baseUrls: [`${server.url}?key=SECRETVALUE`] }), { UTTER_API_KEY: 'sk-wrong' });
    expect(code).toBe(1);
    const { checks } = JSON.parse(stdout) as { checks: CheckResult[] };
    expect(byId(checks, `provider:${server.url}?key=***`)).toMatchObject({ status: 'fail', detail: expect.stringContaining('refused the API key') });
    expect(server.requests.at(-1)).toMatchObject({ path: '/v1/models', query: 'key=SECRETVALUE' });
    expect(stdout).not.toContain('SECRETVALUE');
  });

  it('asks a base URL that carries its key in the path with it, and the report does not name it', async () => {
    const PATH_KEY = 'sk-path-Zq9x8W7v6U5t4S3r';
    const base = server.url.replace('/v1', `/key/${PATH_KEY}/v1`);
    const { stdout } = await doctor(JSON.stringify({ provider: 'openai', baseUrls: [base] }), { UTTER_API_KEY: 'sk-right' });
    const { checks } = JSON.parse(stdout) as { checks: CheckResult[] };
    expect(byId(checks, `provider:${server.url.replace('/v1', '/key/***/v1')}`)?.status).toBe('ok');
    expect(server.requests.at(-1)).toMatchObject({ path: `/key/${PATH_KEY}/v1/models` });
    expect(stdout).not.toContain(PATH_KEY);
  });

  it('goes on past a broken settings file and a bad variable, naming each', async () => {
    const { code, stdout } = await doctor('{"provider": "openai", "speed": 12}', { UTTER_STREAM_BUFFER_MS: 'soon' });
    expect(code).toBe(1);
    const { checks } = JSON.parse(stdout) as { checks: CheckResult[] };
    expect(byId(checks, 'settings')).toMatchObject({ status: 'fail', detail: expect.stringContaining('speed = 12') });
    expect(byId(checks, 'environment')).toMatchObject({ status: 'fail', detail: expect.stringContaining('UTTER_STREAM_BUFFER_MS') });
    expect(byId(checks, 'provider')).toMatchObject({ status: 'skipped' });
    expect(byId(checks, 'embedded-voice')!.status).toBe('ok');
  });

  it('takes the running app\'s own checks over the app socket', async () => {
    const fromApp: CheckResult[] = [
      { id: 'hotkeys', title: 'Global shortcuts', status: 'warning', detail: 'Stop (Ctrl+Alt+X): already used by another application or the system' },
      { id: 'audio-output', title: 'Audio output', status: 'ok', detail: 'playing at 48000 Hz, 42 ms output latency' },
      { id: 'updates', title: 'Updates', status: 'ok', detail: 'off: this build names no update feed (it was packaged without UTTER_UPDATE_URL)' },
      // Only the in-app checks are taken from the app.
      { id: 'node', title: 'Node.js', status: 'fail', detail: 'from the app' },
    ];
    const app = await startAppSocket(socket, (request) => (request.type === 'doctor' ? { checks: fromApp } : 'unexpected'));
    try {
      const { stdout } = await doctor('{}');
      const { checks, status } = JSON.parse(stdout) as { checks: CheckResult[]; status: string };
      expect(byId(checks, 'hotkeys')).toEqual(fromApp[0]);
      expect(byId(checks, 'audio-output')).toEqual(fromApp[1]);
      expect(byId(checks, 'updates')).toEqual(fromApp[2]);
      expect(byId(checks, 'node')!.detail).not.toBe('from the app');
      expect(byId(checks, 'app-socket')).toMatchObject({ status: 'ok', detail: expect.stringContaining('mode 600') });
      expect(status).toBe('warning');
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('says when the app answers without its checks', async () => {
    const app = await startAppSocket(socket, () => null);
    try {
      const { stdout } = await doctor('{}');
      const { checks } = JSON.parse(stdout) as { checks: CheckResult[] };
      expect(byId(checks, 'app')).toMatchObject({ status: 'warning', detail: expect.stringContaining('without its diagnostics') });
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });
});
