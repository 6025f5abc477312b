import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchApp } from '../support/fake-electron';
import { channelOf, PAGE_EVENTS } from '../../shared/contract';
import { HOTKEY_ACTIONS } from '../../shared/config/schema';

/**
 * What `npm start` runs, short of the Electron binary: the built main bundle
 * (out/main/index.js, with its preload, renderer and eSpeak worker beside it) under the
 * stand-in electron module. It catches what the source-level shell tests cannot: a path
 * the bundle computes wrongly, a file the build leaves out, an external it cannot load.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

let work = '';

beforeAll(async () => {
  // Its own build inside the project (so node_modules resolves as for out/), never racing
  // the packaging test, which rebuilds out/.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(join(ROOT, '.tmp', 'built-main-'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', join(work, 'out')], { cwd: ROOT, stdio: 'pipe' });
  symlinkSync(join(ROOT, 'resources'), join(work, 'resources'));
  captured.userData = join(work, 'data');
  process.env.UTTER_SOCKET = join(work, 'utter.sock');
  process.env.XDG_CONFIG_HOME = join(work, 'config');
  await launchApp(captured, () => import(join(work, 'out', 'main', 'index.js')));
  expect(captured.shortcuts.size).toBe(HOTKEY_ACTIONS.length);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the built main process', () => {
  it('points its window at the built preload (CommonJS, as a sandbox needs) and at icons that exist', () => {
    const options = captured.windows[0].options as { icon: string; webPreferences: { preload: string } };
    expect(options.webPreferences.preload).toBe(join(work, 'out', 'preload', 'index.cjs'));
    const preload = readFileSync(options.webPreferences.preload, 'utf8');
    expect(preload).toMatch(/^"use strict";/);
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).not.toMatch(/^import /m);
    expect(existsSync(options.icon)).toBe(true);
    // The tray's icon for every state it has shown so far.
    expect(captured.images.length).toBeGreaterThan(0);
    for (const image of captured.images) expect(existsSync(image), image).toBe(true);
  });

  it('serves the built page and every file of the renderer over app://, with the isolation headers', async () => {
    const page = await captured.protocolHandler!(new Request('app://utter/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const assets = readdirSync(join(work, 'out', 'renderer', 'assets'));
    expect(assets.some((name) => /^decoder\.worker-.*\.js$/.test(name))).toBe(true);
    expect(assets.some((name) => /^player\.worklet-.*\.js$/.test(name))).toBe(true);
    for (const name of assets) {
      const response = await captured.protocolHandler!(new Request(`app://utter/assets/${name}`));
      expect(response.status, name).toBe(200);
      expect(response.headers.get('cross-origin-embedder-policy'), name).toBe('require-corp');
      expect(response.headers.get('cross-origin-resource-policy'), name).toBe('same-origin');
    }
  });

  it('speaks the clipboard with the embedded voice when the hotkey is pressed', async () => {
    const text = 'The hotkey reads the clipboard aloud.';
    captured.clipboardText = text;
    // The player page attaches as the session's sink, as it does once loaded.
    type Port = { on: (e: string, h: (v: { data: Record<string, unknown> }) => void) => void; start: () => void; postMessage: (m: unknown) => void };
    const posted: { channel: string; message: unknown; port: Port }[] = [];
    const sender = { postMessage: (channel: string, message: unknown, ports: Port[]) => void posted.push({ channel, message, port: ports[0] }), send: () => {}, on: () => {}, once: () => {}, isDestroyed: () => false };
    await captured.handlers.get(channelOf('attachSink'))!({ senderFrame: { url: 'app://utter/index.html', parent: null }, sender });
    captured.shortcuts.get('CommandOrControl+Alt+S')!();
    // The session hands the page the utterance's port; the page asks for nothing.
    await vi.waitFor(() => expect(posted).toEqual([{ channel: PAGE_EVENTS.play, message: expect.objectContaining({ offset: 0 }), port: expect.anything() }]));
    const port = posted[0].port;
    const events: Record<string, unknown>[] = [];
    let bytes = 0;
    port.on('message', ({ data }) => {
      events.push(data);
      if (data.type === 'chunk') {
        bytes += (data.bytes as Uint8Array).byteLength;
        // Everything taken in at once: a consumer that keeps up.
        port.postMessage({ type: 'credit', consumedBytes: bytes, bufferedMs: 0 });
      }
    });
    port.start();
    await vi.waitFor(() => expect(events.at(-1)?.type).toMatch(/^(end|error)$/), { timeout: 30_000 });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'utterance-start', provider: 'local' });
    const format = events.find((e) => e.type === 'segment-start') as { sampleRate?: number; channels?: number } | undefined;
    expect(format).toBeDefined();
    // Over a second of 16-bit speech: a real voice said the sentence.
    expect(bytes).toBeGreaterThan(22_050 * 2);
    expect(events.filter((e) => e.type === 'word').length).toBeGreaterThan(3);
  }, 60_000);
});
