import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire, Module } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppUpdates, loadAutoUpdater, updateFeed, type Updater } from '../../electron/shell/updates';
import type { UpdateStatus } from '../../shared/updates';

/**
 * The real electron-updater, as the packaged app loads it (loadAutoUpdater: the AppImage
 * updater on Linux), against a local update server that serves latest-linux.yml and the
 * files it names. electron-updater is CommonJS and requires 'electron' itself, so the
 * Electron stand-in goes into Node's module cache: an `app` at version 1.0.0, packaged, and
 * `net.request` carried by Node's http (what Electron's net does for a plain http URL).
 */
const work = mkdtempSync(join(tmpdir(), 'utter-updates-'));
const resources = join(work, 'resources');
let server: Server;
let feedUrl = '';
/** What the server answers for latest-linux.yml, and the files it serves. */
let latest = '';
const files = new Map<string, Buffer>();

function installElectronStandIn(): void {
  const require = createRequire(import.meta.url);
  const id = require.resolve('electron');
  const standIn = new Module(id);
  standIn.filename = id;
  standIn.loaded = true;
  standIn.exports = {
    app: {
      getVersion: () => '1.0.0',
      getName: () => 'Utter',
      isPackaged: true,
      getAppPath: () => work,
      getPath: () => work,
      whenReady: () => Promise.resolve(),
      on: () => {},
      once: () => {},
      quit: () => {},
      relaunch: () => {},
    },
    net: { request: (options: Parameters<typeof httpRequest>[0]) => httpRequest(options) },
    session: { fromPartition: () => ({}) },
  };
  require.cache[id] = standIn;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '').split('?')[0].replace(/^\/updates\//, ''));
    if (name === 'latest-linux.yml') return void res.writeHead(200, { 'content-type': 'text/yaml' }).end(latest);
    const file = files.get(name);
    if (!file) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/updates`;
  // What electron-builder writes beside app.asar for a build packaged with UTTER_UPDATE_URL.
  mkdirSync(resources);
  writeFileSync(join(resources, 'app-update.yml'), `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: utter-updater\n`);
  Object.assign(process, { resourcesPath: resources });
  vi.stubEnv('XDG_CACHE_HOME', join(work, 'cache'));
  // An AppImage install: the file the update would replace.
  const appImage = join(work, 'Utter-1.0.0.AppImage');
  writeFileSync(appImage, 'the installed version');
  vi.stubEnv('APPIMAGE', appImage);
  installElectronStandIn();
});
afterAll(() => {
  vi.unstubAllEnvs();
  server.close();
});

/** Publishes a release: its file, and a latest-linux.yml that names it with a sha512 (right or not). */
function publish(version: string, options: { wrongSha512?: boolean } = {}): void {
  const name = `Utter-${version}.AppImage`;
  const bytes = Buffer.from(`Utter ${version} `.repeat(5000));
  files.set(name, bytes);
  const published = options.wrongSha512 ? Buffer.from('another file') : bytes;
  const sha512 = createHash('sha512').update(published).digest('base64');
  latest = [
    `version: ${version}`,
    'files:',
    `  - url: ${name}`,
    `    sha512: ${sha512}`,
    `    size: ${bytes.length}`,
    `path: ${name}`,
    `sha512: ${sha512}`,
    "releaseDate: '2026-11-30T12:00:00.000Z'",
  ].join('\n');
}

/** electron-updater's warnings (a differential download tried first, a checksum refused). */
const logged: string[] = [];

function updates(): { app: AppUpdates; seen: UpdateStatus[]; updater: Promise<Updater> } {
  const seen: UpdateStatus[] = [];
  const updater = loadAutoUpdater();
  const app = new AppUpdates({
    feed: updateFeed(resources, true),
    createUpdater: () => updater,
    automatic: () => true,
    onChange: (status) => seen.push(status),
    log: (message) => logged.push(message),
  });
  return { app, seen, updater };
}

describe('updates from a generic feed, with the real electron-updater', () => {
  it('finds the feed the build was packaged with, and is off without one', () => {
    expect(updateFeed(resources, true)).toEqual({ url: feedUrl });
    expect(updateFeed(join(work, 'nowhere'), true)).toEqual({ off: expect.stringMatching(/names no update feed.*UTTER_UPDATE_URL/) });
    expect(updateFeed(resources, false)).toEqual({ off: expect.stringMatching(/run from source/) });
    const off = new AppUpdates({ feed: updateFeed(join(work, 'nowhere'), true), createUpdater: () => Promise.reject(new Error('never loaded')), automatic: () => true, onChange: () => {} });
    expect(off.status).toMatchObject({ state: 'off' });
  });

  it('says the installed version is the newest when the feed names the same one', async () => {
    publish('1.0.0');
    const { app } = updates();
    expect(await app.check()).toMatchObject({ state: 'up-to-date', version: '1.0.0', feed: feedUrl });
  });

  it('refuses a malformed description with a clear message and offers nothing', async () => {
    latest = 'version: [1.2.0\nfiles: {{{ not yaml';
    const { app } = updates();
    const status = await app.check();
    expect(status.state).toBe('error');
    expect(status.state === 'error' && status.message).toMatch(/could not be read, so no update was offered/);
    expect(await app.download()).toBe(status);
  });

  it('deletes a download whose sha512 does not match, and installs nothing', async () => {
    publish('1.3.0', { wrongSha512: true });
    const { app, updater } = updates();
    expect(await app.check()).toMatchObject({ state: 'available', version: '1.3.0' });
    const install = vi.spyOn(await updater, 'quitAndInstall').mockImplementation(() => {});
    const status = await app.download();
    expect(status.state).toBe('error');
    expect(status.state === 'error' && status.message).toMatch(/did not match its published checksum \(sha512\).*nothing was installed/);
    expect(logged.join('\n')).toMatch(/sha512 checksum mismatch/);
    await app.install();
    expect(install).not.toHaveBeenCalled();
    install.mockRestore();
  });

  it('offers a newer version, downloads it only when asked, and installs it only when asked', async () => {
    publish('1.2.0');
    const { app, seen, updater } = updates();
    const real = await updater;
    expect(await app.check()).toMatchObject({ state: 'available', version: '1.2.0' });
    // Offered, never forced.
    expect(real.autoDownload).toBe(false);
    expect(real.autoInstallOnAppQuit).toBe(false);
    const install = vi.spyOn(real, 'quitAndInstall').mockImplementation(() => {});
    expect(install).not.toHaveBeenCalled();
    expect(await app.download()).toMatchObject({ state: 'ready', version: '1.2.0' });
    expect(install).not.toHaveBeenCalled();
    await app.install();
    expect(install).toHaveBeenCalledWith(false, true);
    expect(seen.map((s) => s.state)).toEqual(['checking', 'available', 'downloading', 'ready']);
    install.mockRestore();
  });

  it('checks at start and then daily while the setting is on, and not while it is off', async () => {
    publish('1.0.0');
    let on = true;
    const seen: UpdateStatus[] = [];
    const app = new AppUpdates({
      feed: updateFeed(resources, true),
      createUpdater: loadAutoUpdater,
      automatic: () => on,
      onChange: (s) => seen.push(s),
      firstCheckMs: 10,
      everyMs: 200,
      log: (message) => logged.push(message),
    });
    app.start();
    await vi.waitFor(() => expect(seen.filter((s) => s.state === 'up-to-date').length).toBe(1), { timeout: 5000 });
    await vi.waitFor(() => expect(seen.filter((s) => s.state === 'up-to-date').length).toBe(2), { timeout: 5000 });
    on = false;
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 600));
    app.stop();
    expect(seen.length).toBe(count);
  });
});
