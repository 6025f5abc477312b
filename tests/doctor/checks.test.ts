import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { closedPort } from '../support/closed-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkApiKey,
  checkAppSocket,
  checkAudioOutput,
  checkElectron,
  checkEmbeddedVoice,
  checkEnvironment,
  checkHotkeys,
  checkUpdates,
  checkNode,
  checkProvider,
  checkSettingsFile,
  checkWaylandPortal,
  type RunCommand,
} from '../../electron/doctor/checks';
import { formatReport, parseCheckResults, worstStatus } from '../../electron/doctor/report';
import { startAppSocket } from '../../electron/session/app-socket';
import type { SpeechProvider } from '../../electron/engine/provider';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';

const dir = mkdtempSync(join(tmpdir(), 'utter-doctor-'));

describe('Node and Electron', () => {
  it('passes a new enough Node and fails an older one with the fix', () => {
    expect(checkNode('22.12.0', '22.12')).toMatchObject({ status: 'ok' });
    expect(checkNode('24.1.0', '22.12')).toMatchObject({ status: 'ok' });
    const old = checkNode('20.20.2', '22.12');
    expect(old).toMatchObject({ status: 'fail', detail: expect.stringContaining('20.20.2 is too old') });
    expect(old.fix).toMatch(/nvm/);
  });

  it('finds whether the Electron binary was downloaded', async () => {
    const pkg = join(dir, 'electron-pkg');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    const missing = await checkElectron(undefined, { version: '45.4.1', dir: pkg });
    expect(missing).toMatchObject({ status: 'warning', detail: expect.stringContaining('not downloaded') });
    expect(missing.fix).toMatch(/ELECTRON_MIRROR.*utter web/);
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(await checkElectron(undefined, { version: '45.4.1', dir: pkg })).toMatchObject({ status: 'warning' });
    writeFileSync(join(pkg, 'dist', 'electron'), '#!/bin/sh\n');
    expect(await checkElectron(undefined, { version: '45.4.1', dir: pkg })).toMatchObject({ status: 'ok', detail: expect.stringContaining('45.4.1') });
    expect(await checkElectron(undefined, null)).toMatchObject({ status: 'warning', detail: expect.stringContaining('not installed') });
    expect(await checkElectron('45.4.1', null)).toMatchObject({ status: 'ok', detail: '45.4.1 (this app)' });
  });
});

describe('settings and environment', () => {
  it('reads the settings file: absent, unreadable, not JSON, not an object, invalid, valid', async () => {
    expect(await checkSettingsFile(join(dir, 'none.json'))).toMatchObject({ status: 'ok', detail: expect.stringContaining('defaults') });
    // A folder where the file should be cannot be read, even as root.
    expect(await checkSettingsFile(dir)).toMatchObject({ status: 'fail', detail: `${dir} is a folder, not a settings file`, fix: 'give the path of the settings file' });
    // A device is not read at all (/dev/zero took 1.1 GB; a pipe no one writes to hung);
    // a file too large is read no further than 1 MB.
    expect(await checkSettingsFile('/dev/zero')).toMatchObject({ status: 'fail', detail: '/dev/zero is a pipe or a device, not a settings file' });
    writeFileSync(join(dir, 'huge.json'), ' '.repeat(1024 * 1024 + 1));
    expect(await checkSettingsFile(join(dir, 'huge.json'))).toMatchObject({ status: 'fail', detail: `${join(dir, 'huge.json')} holds more than 1,048,576 bytes, and no settings file is that large` });
    const file = join(dir, 'settings.json');
    writeFileSync(file, '{"speed": 1,');
    expect(await checkSettingsFile(file)).toMatchObject({ status: 'fail', detail: expect.stringContaining('not valid JSON') });
    writeFileSync(file, '[1]');
    expect(await checkSettingsFile(file)).toMatchObject({ status: 'fail', detail: expect.stringContaining('JSON object') });
    writeFileSync(file, JSON.stringify({ speed: 9, format: 'ogg', voice: 'nova' }));
    const invalid = await checkSettingsFile(file);
    expect(invalid.status).toBe('fail');
    expect(invalid.detail).toContain('speed = 9 (must be at most 4)');
    expect(invalid.detail).toContain('format = "ogg"');
    expect(invalid.detail).not.toContain('voice');
    writeFileSync(file, JSON.stringify({ speed: 1.5, format: 'opus' }));
    expect(await checkSettingsFile(file)).toMatchObject({ status: 'ok', detail: `${file} is valid` });
    // As the app reads it: a Windows editor's byte-order mark is no fault.
    writeFileSync(file, '\uFEFF' + JSON.stringify({ speed: 1.5 }));
    expect(await checkSettingsFile(file)).toMatchObject({ status: 'ok', detail: `${file} is valid` });
  });

  it('names each UTTER_ variable in use and each refused one, without the key', () => {
    expect(checkEnvironment({})).toMatchObject({ status: 'ok', detail: 'no UTTER_* variables set' });
    const fine = checkEnvironment({ UTTER_FORMAT: 'opus', UTTER_STREAM_BUFFER_MS: '300', UTTER_API_KEY: 'sk-secret' });
    expect(fine).toMatchObject({ status: 'ok', detail: 'in use: UTTER_FORMAT, UTTER_STREAM_BUFFER_MS' });
    const bad = checkEnvironment({ UTTER_SPEED: 'fast', UTTER_STREAM_BUFFER_MS: '5', UTTER_FORMAT: 'opus' });
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('UTTER_SPEED');
    expect(bad.detail).toContain('UTTER_STREAM_BUFFER_MS = 5 (must be at least 20)');
    expect(bad.detail).not.toContain('UTTER_FORMAT');
  });

  it('tells how the API key is kept', () => {
    const none = { inSettingsFile: false, protectedFileExists: false, fromEnvironment: undefined };
    expect(checkApiKey(none)).toMatchObject({ status: 'ok', detail: expect.stringContaining('none set') });
    expect(checkApiKey({ ...none, inSettingsFile: true, protectedFileExists: true })).toMatchObject({ status: 'warning', detail: expect.stringContaining('plain text') });
    expect(checkApiKey({ ...none, protectedFileExists: true })).toMatchObject({ status: 'ok', detail: expect.stringContaining('start the app') });
    expect(checkApiKey({ ...none, protectedFileExists: true, protectionWarning: '' })).toMatchObject({ status: 'ok', detail: expect.stringContaining('keyring') });
    expect(checkApiKey({ ...none, protectedFileExists: true, protectionWarning: 'only obscured' })).toMatchObject({ status: 'warning', detail: 'only obscured' });
    expect(checkApiKey({ ...none, fromEnvironment: 'UTTER_API_KEY' })).toMatchObject({ status: 'ok', detail: expect.stringContaining('UTTER_API_KEY') });
  });
});

describe('a server', () => {
  let server: Server;
  let base: string;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    // Answers by path: /ok, /auth (wants "Bearer good"), /none (404), /broken (503), /slow (never), /portal (a web page).
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const [, kind] = req.url!.split('/');
      if (kind === 'slow') return;
      if (kind === 'portal') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
      if (kind === 'auth') return void res.writeHead(req.headers.authorization === 'Bearer good' ? 200 : 401).end('{}');
      res.writeHead({ ok: 200, none: 404, broken: 503, moved: 302 }[kind] ?? 500).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const host = (): string => new URL(base).host;

  it('is reachable, and takes the key or refuses it', async () => {
    expect(await checkProvider(`${base}/ok/v1`, {})).toMatchObject({ status: 'ok', detail: `${host()} answers.` });
    expect(await checkProvider(`${base}/auth/v1`, { apiKey: 'good' })).toMatchObject({ status: 'ok', detail: `${host()} answers and accepts the API key.` });
    expect(seen.at(-1)).toBe('Bearer good');
    const refused = await checkProvider(`${base}/auth/v1`, { apiKey: 'bad' });
    expect(refused).toMatchObject({ status: 'fail', detail: `${host()} refused the API key (HTTP 401).` });
    expect(refused.fix).toMatch(/UTTER_API_KEY/);
    expect(await checkProvider(`${base}/auth/v1`, {})).toMatchObject({ status: 'fail', detail: expect.stringContaining('wants an API key') });
  });

  it('says why a key was kept from a server that wants one, as the settings do', async () => {
    const kept = await checkProvider(`${base}/auth/v1`, { apiKey: 'good', apiKeyOrigins: ['https://api.example'] });
    expect(seen.at(-1)).toBeUndefined();
    expect(kept).toMatchObject({ status: 'fail', detail: expect.stringContaining('it was entered for https://api.example') });
  });

  it('says what else it answered: its own failure, or something unexpected, is a warning; a redirect fails', async () => {
    expect(await checkProvider(`${base}/none/v1`, {})).toMatchObject({ status: 'ok', detail: expect.stringContaining('no model list') });
    expect(await checkProvider(`${base}/broken/v1`, {})).toMatchObject({ status: 'warning', detail: expect.stringContaining('HTTP 503'), fix: expect.stringContaining('logs') });
    // A redirect is followed by no speech request: it fails, as speaking would.
    expect(await checkProvider(`${base}/moved/v1`, {})).toMatchObject({ status: 'fail', detail: `${base}/moved/v1 answered with a redirect (302) without saying where to.`, fix: expect.stringContaining('follows no redirect') });
    // A sign-in page answers 200 to every path, and no speech comes of it.
    expect(await checkProvider(`${base}/portal/v1`, {})).toMatchObject({ status: 'fail', detail: expect.stringContaining('answers with a web page'), fix: expect.stringMatching(/^sign in to the network first/) });
  });

  it('is unreachable: refused, or silent past the timeout, said in the words the settings use', async () => {
    const port = await closedPort();
    expect(await checkProvider(`http://127.0.0.1:${port}/v1`, {})).toMatchObject({ status: 'fail', detail: `Nothing answers at 127.0.0.1:${port}: is the server running?` });
    const started = Date.now();
    expect(await checkProvider(`${base}/slow/v1`, {}, fetch, 300)).toMatchObject({ status: 'fail', detail: `${host()} did not answer within 0.3 s.` });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('the embedded voice', () => {
  const fake = (open: SpeechProvider['open']): (() => SpeechProvider) => () =>
    ({ id: 'local', endpoints: ['embedded'], maxInputChars: 1000, open, voices: async () => [], close: async () => {} }) as SpeechProvider;
  const body = (...chunks: Uint8Array[]): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(controller) {
        chunks.forEach((chunk) => controller.enqueue(chunk));
        controller.close();
      },
    });

  it('says a word with the real eSpeak NG', async () => {
    const result = await checkEmbeddedVoice(() => new LocalVoiceProvider());
    expect(result.status).toBe('ok');
    // "Hello" is a few hundred milliseconds of speech.
    const ms = Number(/\((\d+) ms of audio\)/.exec(result.detail)![1]);
    expect(ms).toBeGreaterThan(200);
    expect(ms).toBeLessThan(2000);
  });

  it('fails on no audio, an error, or a voice that never answers', async () => {
    expect(await checkEmbeddedVoice(fake(async () => ({ body: body(), contentType: null })))).toMatchObject({ status: 'fail', detail: expect.stringContaining('no audio') });
    expect(await checkEmbeddedVoice(fake(async () => Promise.reject(new Error('worker missing'))))).toMatchObject({ status: 'fail', detail: 'eSpeak NG failed: worker missing' });
    const hung = fake(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
    expect(await checkEmbeddedVoice(hung, 200)).toMatchObject({ status: 'fail', detail: 'eSpeak NG failed: no audio within 0.2 s' });
  });
});

describe('the Wayland portal', () => {
  const answers = (byCommand: Record<string, string | null>): RunCommand => async (command) => byCommand[command] ?? null;
  const wayland = { XDG_SESSION_TYPE: 'wayland' };

  it('is not needed outside Wayland', async () => {
    const never: RunCommand = async () => {
      throw new Error('asked');
    };
    expect(await checkWaylandPortal({ XDG_SESSION_TYPE: 'x11', WAYLAND_DISPLAY: 'wayland-0' }, 'linux', never)).toMatchObject({ status: 'ok' });
    expect(await checkWaylandPortal(wayland, 'darwin', never)).toMatchObject({ status: 'ok' });
  });

  it('finds the GlobalShortcuts interface through gdbus, else busctl', async () => {
    const present = 'interface org.freedesktop.portal.GlobalShortcuts {\n  methods:';
    expect(await checkWaylandPortal(wayland, 'linux', answers({ gdbus: present }))).toMatchObject({ status: 'ok', detail: expect.stringContaining('present') });
    expect(await checkWaylandPortal({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux', answers({ busctl: present }))).toMatchObject({ status: 'ok' });
    const absent = await checkWaylandPortal(wayland, 'linux', answers({ gdbus: 'interface org.freedesktop.portal.Screenshot {' }));
    expect(absent).toMatchObject({ status: 'warning', detail: expect.stringContaining('no GlobalShortcuts') });
    expect(absent.fix).toContain('utter --speak-clipboard');
    expect(await checkWaylandPortal(wayland, 'linux', answers({}))).toMatchObject({ status: 'warning', detail: expect.stringContaining('could not be asked') });
  });
});

describe('the app socket', () => {
  it('is listening and private, or absent, stale, open to others, or someone else\'s', async () => {
    const path = join(dir, 'app.sock');
    expect(await checkAppSocket(path)).toMatchObject({ status: 'warning', detail: expect.stringContaining('not running') });
    const app = await startAppSocket(path, () => null);
    try {
      expect(await checkAppSocket(path)).toMatchObject({ status: 'ok', detail: expect.stringContaining('mode 600') });
      expect(await checkAppSocket(path, 12345)).toMatchObject({ status: 'fail', detail: expect.stringContaining('another user') });
      chmodSync(path, 0o666);
      expect(await checkAppSocket(path)).toMatchObject({ status: 'fail', detail: expect.stringContaining('mode 666') });
      chmodSync(path, 0o600);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
    // What a crash leaves: a file nobody listens on.
    writeFileSync(path, '');
    chmodSync(path, 0o600);
    expect(await checkAppSocket(path)).toMatchObject({ status: 'warning', detail: expect.stringContaining('nothing listens') });
  });
});

describe('in-app facts and the report', () => {
  it('lists the shortcuts registered and the ones taken', () => {
    const ok = checkHotkeys({ registered: [{ label: 'Stop', accelerator: 'Ctrl+Alt+X' }], failures: [] });
    expect(ok).toMatchObject({ status: 'ok', detail: 'registered: Stop Ctrl+Alt+X' });
    const taken = checkHotkeys({ registered: [], failures: [{ label: 'Speak clipboard', accelerator: 'Ctrl+Alt+S', reason: 'already used by another application or the system' }] });
    expect(taken).toMatchObject({ status: 'warning', detail: 'Speak clipboard (Ctrl+Alt+S): already used by another application or the system' });
    expect(checkHotkeys({ registered: [], failures: [] }).detail).toContain('turned off');
  });

  it('reports the audio output the page opened', () => {
    expect(checkAudioOutput(null).status).toBe('skipped');
    expect(checkAudioOutput({ ok: true, detail: 'playing at 48000 Hz' })).toMatchObject({ status: 'ok', detail: 'playing at 48000 Hz' });
    expect(checkAudioOutput({ ok: false, detail: 'no device' })).toMatchObject({ status: 'fail', detail: 'no device' });
  });

  it('prints a line a check, fixes below, and a count; refuses malformed results', () => {
    const results = [checkNode('20.1.0', '22.12'), checkAudioOutput(null), checkEnvironment({})];
    expect(worstStatus(results)).toBe('fail');
    const text = formatReport(results);
    expect(text.split('\n')[0]).toMatch(/^FAIL {5}Node\.js: 20\.1\.0 is too old/);
    expect(text).toContain('→ install Node 22');
    expect(text).toContain('1 ok, 0 warning, 1 failed, 1 skipped');
    expect(parseCheckResults(results)).toEqual(results);
    expect(parseCheckResults([{ id: 'x', title: 'x', status: 'bad', detail: '' }])).toBeNull();
    expect(parseCheckResults(null)).toBeNull();
  });
});

describe('updates', () => {
  const feed = 'https://updates.example.com/utter';
  it('says they are off and why, on when a feed exists with how often, and what the last check ran into', () => {
    expect(checkUpdates({ status: { state: 'off', reason: 'this build names no update feed (it was packaged without UTTER_UPDATE_URL)' }, automatic: true })).toMatchObject({
      status: 'ok',
      detail: 'off: this build names no update feed (it was packaged without UTTER_UPDATE_URL)',
    });
    expect(checkUpdates({ status: { state: 'up-to-date', feed, version: '1.0.0', checkedAt: 0 }, automatic: true }).detail).toBe(`${feed}, checked at start and daily; Utter 1.0.0 is the newest version.`);
    expect(checkUpdates({ status: { state: 'idle', feed }, automatic: false }).detail).toMatch(/automatic checks turned off in Settings/);
    expect(checkUpdates({ status: { state: 'available', feed, version: '1.2.0' }, automatic: true }).detail).toMatch(/Utter 1\.2\.0 is available/);
    expect(checkUpdates({ status: { state: 'error', feed, message: 'Could not check for updates: getaddrinfo ENOTFOUND' }, automatic: true })).toMatchObject({ status: 'warning', detail: expect.stringContaining('ENOTFOUND') });
  });
});
