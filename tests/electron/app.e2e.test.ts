import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UtterApi } from '../../shared/renderer-api';
import { OPERATION_NAMES } from '../../shared/contract';

/** The page's globals these tests touch (this file is type-checked without the DOM lib). */
interface PageGlobals {
  crossOriginIsolated: boolean;
  utter?: UtterApi;
  require?: unknown;
  process?: unknown;
  open(url: string): unknown;
  location: { href: string };
}

/**
 * The real app in the real Electron, driven by playwright-core. Runs only where `npm
 * install` could download the Electron binary; elsewhere it is skipped, visibly.
 */
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The Electron binary's path when it is installed; else null. Mirrors what
 * `require('electron')` returns, without calling it: electron 45's index.js starts a
 * download when the binary is missing, and this test must never touch the network.
 */
function electronBinary(): string | null {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron'));
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const executable = readFileSync(pathFile, 'utf8');
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const path = override ? join(override, executable) : join(packageDir, 'dist', executable);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Whether keys can be pressed system-wide here: an X display and xdotool. */
function hasXsel(): boolean {
  try {
    execFileSync('xsel', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function canPressKeys(): boolean {
  if (process.platform !== 'linux' || !process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return false;
  try {
    execFileSync('xdotool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const binary = electronBinary();
if (!binary) console.log('electron e2e: SKIPPED — the Electron binary is not installed (node_modules/electron/dist is missing), so the app was not launched.');

describe.skipIf(!binary)('the Electron app (needs the Electron binary)', () => {
  let work = '';
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    // Its own build in a temp app folder, so it never races the packaging test over out/.
    work = mkdtempSync(join(tmpdir(), 'utter-e2e-'));
    execFileSync('npx', ['electron-vite', 'build', '--outDir', join(work, 'out')], { cwd: ROOT, stdio: 'pipe' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', main: 'out/main/index.js' }));
    cpSync(join(ROOT, 'resources'), join(work, 'resources'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'junction');
    const env = { ...process.env } as Record<string, string>;
    delete env.ELECTRON_RENDERER_URL; // production path: app://
    delete env.ELECTRON_RUN_AS_NODE;
    // Chromium refuses to start as root without --no-sandbox (CI containers); the page's
    // own `sandbox: true` still applies to what it may do.
    // Its own settings, socket and autostart folder: never the user's.
    env.UTTER_SOCKET = join(work, 'utter.sock');
    env.XDG_CONFIG_HOME = join(work, 'config');
    // Not a first start: the first one opens the welcome instead of showing the player (the
    // stand-in shell's tests and utter web's cover the welcome).
    mkdirSync(join(work, 'data'), { recursive: true });
    writeFileSync(join(work, 'data', 'settings.json'), '{}\n');
    const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), `--user-data-dir=${join(work, 'data')}`, work];
    app = await electron.launch({ executablePath: binary!, args, env });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the page from app:// and it is cross-origin isolated', async () => {
    expect(page.url()).toBe('app://utter/index.html');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
  });

  it('speaks with the embedded voice: main → MessagePort → preload → page → worker → worklet', async () => {
    expect(await page.title()).toBe('Utter');
    expect(await page.getByTestId('not-isolated').count()).toBe(0);
    await page.getByTestId('text-input').fill('Hello from the Electron window.');
    await page.getByTestId('speak').click();
    const state = () => page.getByTestId('state').textContent();
    await expect.poll(state, { timeout: 15_000 }).toBe('playing');
    expect(Number(await page.getByTestId('ttfa').getAttribute('data-ms'))).toBeGreaterThan(0);
    await expect.poll(state, { timeout: 15_000 }).toBe('idle');
    expect(await page.getByTestId('error').textContent()).toBe('');
  });

  it('takes the global hotkeys', async () => {
    const registered = await app.evaluate(({ globalShortcut }) =>
      ['CommandOrControl+Alt+S', 'CommandOrControl+Alt+A', 'CommandOrControl+Alt+P', 'CommandOrControl+Alt+X'].map((key) => globalShortcut.isRegistered(key)),
    );
    expect(registered).toEqual([true, true, true, true]);
  });

  it('speaks the clipboard with the embedded voice when asked (`utter speak --clipboard`, the hotkey\'s path)', async () => {
    const text = 'The clipboard, read by the embedded voice.';
    await app.evaluate(({ clipboard }, value) => clipboard.writeText(value), text);
    execFileSync(process.execPath, [join(ROOT, 'electron/cli/utter.mjs'), 'speak', '--clipboard'], { env: { ...process.env, UTTER_SOCKET: join(work, 'utter.sock') } });
    await expect.poll(() => page.getByTestId('text-input').inputValue(), { timeout: 10_000 }).toBe(text);
    const state = () => page.getByTestId('state').textContent();
    await expect.poll(state, { timeout: 15_000 }).toBe('playing');
    await expect.poll(state, { timeout: 15_000 }).toBe('idle');
    expect(await page.getByTestId('error').textContent()).toBe('');
  });

  // The hotkey itself, pressed through the X server (CI runs this under xvfb-run with xdotool).
  it.skipIf(!canPressKeys())('speaks the clipboard when Ctrl+Alt+S is pressed', async () => {
    const text = 'Pressed on the keyboard.';
    await app.evaluate(({ clipboard }, value) => clipboard.writeText(value), text);
    execFileSync('xdotool', ['key', 'ctrl+alt+s']);
    await expect.poll(() => page.getByTestId('text-input').inputValue(), { timeout: 10_000 }).toBe(text);
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 15_000 }).toBe('playing');
    await page.getByTestId('stop').click();
  });

  // Speak selection reads X's PRIMARY selection, which xsel sets here as selecting text would.
  it.skipIf(!canPressKeys() || !hasXsel())('speaks the selection, not the clipboard, when Ctrl+Alt+A is pressed', async () => {
    const text = 'Selected, never copied.';
    await app.evaluate(({ clipboard }) => clipboard.writeText('The clipboard, which must not be read.'));
    execFileSync('xsel', ['--input', '--primary'], { input: text });
    execFileSync('xdotool', ['key', 'ctrl+alt+a']);
    await expect.poll(() => page.getByTestId('text-input').inputValue(), { timeout: 10_000 }).toBe(text);
    await page.getByTestId('stop').click();
  });

  it('gives the page the typed bridge and nothing of Node', async () => {
    expect(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).process)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).utter ?? {}).sort())).toEqual([...OPERATION_NAMES, 'audioPortNonce', 'on'].sort());
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).utter!.appInfo())).toEqual({ version: pkg.version, shell: 'electron' });
  });

  it('sends the isolation headers and the CSP, and serves nothing outside the renderer', async () => {
    const headers = await page.evaluate(async () => Object.fromEntries((await fetch('/index.html')).headers));
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    const status = (path: string) => page.evaluate(async (p) => (await fetch(p)).status, path);
    expect(await status('/..%2fmain%2findex.js')).toBe(404);
    expect(await status('/assets')).toBe(404);
  });

  it('refuses to open windows or navigate away', async () => {
    await page.evaluate(() => void (globalThis as unknown as PageGlobals).open('https://example.com/'));
    await page.evaluate(() => void ((globalThis as unknown as PageGlobals).location.href = 'https://example.com/'));
    await page.waitForTimeout(300);
    expect(app.windows()).toHaveLength(1);
    expect(page.url()).toBe('app://utter/index.html');
  });

  it('opens the settings window from the player: the same renderer at #settings, isolated too', async () => {
    const [settings] = await Promise.all([app.waitForEvent('window'), page.getByTestId('open-settings').click()]);
    await settings.getByTestId('setting-preset').waitFor();
    expect(settings.url()).toBe('app://utter/index.html#settings');
    expect(await settings.evaluate(() => (globalThis as unknown as PageGlobals).crossOriginIsolated)).toBe(true);
    // Electron can start at login here, so the settings offer it.
    expect(await settings.getByTestId('setting-openAtLogin').count()).toBe(1);
    await settings.close();
  });

  it('replaces a crashed player window and goes on reading the same text', async () => {
    const text = 'The first sentence of the crash test. The second one, still heard after the crash. And a third.';
    await page.getByTestId('text-input').fill(text);
    await page.getByTestId('speak').click();
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 15_000 }).toBe('playing');
    const [next] = await Promise.all([
      app.waitForEvent('window'),
      app.evaluate(({ webContents }) => webContents.getAllWebContents().find((contents) => contents.getURL() === 'app://utter/index.html')?.forcefullyCrashRenderer()),
    ]);
    await expect.poll(() => next.getByTestId('text-input').inputValue(), { timeout: 15_000 }).toBe(text);
    await expect.poll(() => next.getByTestId('state').textContent(), { timeout: 15_000 }).toBe('playing');
    await expect.poll(() => next.getByTestId('notice').textContent()).toMatch(/reading goes on from/);
    page = next;
    await page.getByTestId('stop').click();
  });
});
