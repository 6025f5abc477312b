import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { PageEventName, PageEventPayloads } from '../../shared/contract';
import { FIGURES_EVERY_MS } from '../../renderer/src/views/live-figures';
import { launchChromium } from './browser';
import { startFaultProxy, type FaultProxy, type ProxyConditions } from './fault-proxy';
import { startTtsServer, type TtsServer, type TtsServerOptions } from './tts-server';
import { UTTER_BIN } from './run-utter';

/** `utter web` on the built renderer, a test TTS server behind it, and Chromium in front. */
export interface WebRig {
  tts: TtsServer;
  /** Between `utter web` and the TTS server, when the rig was asked for one. */
  proxy?: FaultProxy;
  web: WebServer;
  browser: BrowserContext;
  /** A fresh page on the player, ready to speak, or on the settings view or the mini player. */
  open(view?: 'player' | 'settings' | 'mini' | 'welcome'): Promise<Page>;
  close(): Promise<void>;
}

export async function startWebRig(
  options: {
    tts?: TtsServerOptions;
    /** Puts a fault proxy with these conditions between `utter web` and the TTS server. */
    proxy?: ProxyConditions;
    settings?: Partial<Settings>;
    env?: Record<string, string>;
    /** Runs in every page before its own scripts. */
    initScript?: string;
    /** As `utter web --allow-key-changes`: the settings view may change the key and the servers. */
    allowKeyChanges?: boolean;
    /** A first start: the player welcomes the user until this file is written. */
    welcomeMarker?: string;
    /** The local audio cache's folder; none: no cache, every segment is fetched. */
    cacheDir?: string;
    /** Where what the links showed is kept across restarts; none: in memory. */
    linksFile?: string;
    /** utter web's heartbeat, shorter than in use so a test sees a silence in seconds. */
    heartbeatMs?: number;
  } = {},
): Promise<WebRig> {
  const tts = await startTtsServer(options.tts);
  const proxy = options.proxy ? await startFaultProxy({ target: tts.url, ...options.proxy }) : undefined;
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [(proxy ?? tts).url], idleTimeoutSec: 5, ...options.settings };
  const web = await startWebServer({ root: RENDERER_BUILD, settings, version: 'test', allowKeyChanges: options.allowKeyChanges, welcomeMarker: options.welcomeMarker, cacheDir: options.cacheDir, linksFile: options.linksFile, heartbeatMs: options.heartbeatMs });
  const browser = await launchChromium({ env: options.env });
  if (options.initScript) await browser.addInitScript(options.initScript);
  return {
    tts,
    proxy,
    web,
    browser,
    open: async (view = 'player') => {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error('page error:', error.message));
      await page.goto(view === 'player' ? web.url : `${web.url}#${view}`);
      await page.getByTestId({ player: 'format-select', settings: 'setting-preset', mini: 'open-player', welcome: 'welcome-done' }[view]).waitFor();
      return page;
    },
    close: async () => {
      await browser.close();
      await web.close();
      await proxy?.close();
      await tts.close();
    },
  };
}

/** Speaks `text` in `format` by clicking, like a user. */
export async function speakInPage(page: Page, text: string, format: string): Promise<void> {
  await page.getByTestId('text-input').fill(text);
  await page.getByTestId('format-select').selectOption(format);
  await page.getByTestId('speak').click();
}

/** Polls a test id's text until it equals `value` (the page's CSP forbids waitForFunction). */
/**
 * Waits until the page's live figures show what the audio did: they are written at once on a
 * change of state, then every FIGURES_EVERY_MS, and the write at the change may come before
 * the worklet's last frames (a stop's fade).
 */
export function figuresSettled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FIGURES_EVERY_MS * 3));
}

export async function waitForText(page: Page, testId: string, value: string, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await page.getByTestId(testId).textContent();
    if (last === value) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${testId} stayed "${last}" for ${timeoutMs} ms, waiting for "${value}" (error: "${await page.getByTestId('error').textContent()}")`);
}

/**
 * A rig and a player page for one test file: started before its tests, closed after them.
 * The fields are filled in by beforeAll.
 */
export function useWebRig(options: Parameters<typeof startWebRig>[0] = {}): { rig: WebRig; page: Page } {
  const web = {} as { rig: WebRig; page: Page };
  beforeAll(async () => {
    web.rig = await startWebRig(options);
    web.page = await web.rig.open();
  }, 60_000);
  afterAll(async () => web.rig?.close());
  return web;
}


/** `utter web` as a user runs it, in its own process: resolves with the URL it prints. */
export async function spawnUtterWeb(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: URL; said: () => string }> {
  const child = spawn(process.execPath, [UTTER_BIN, 'web', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let said = '';
  child.stderr!.on('data', (data: Buffer) => (said += data));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`utter web exited with ${code}: ${said.trim()}`)));
  });
  return { child, url: new URL(line), said: () => said };
}

/** `utter web` as a user runs it (its own process, through the CLI), a test TTS server behind it, and Chromium in front. */
export interface WebProcessRig {
  tts: TtsServer;
  /** The audio cache this `utter web` keeps (beside its settings file). */
  cacheDir: string;
  /** A fresh page on the player, ready to speak. */
  open(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * For the benchmarks of a start: a fresh process, whose code has run nothing yet, as after
 * the app starts (the in-process rig's code has run every earlier start's). `settings` go
 * in a settings file in a fresh home, as a user's would; or in `home`, the caller's, kept
 * after close, so that a second start finds what the first one learned and kept.
 */
export async function startWebProcessRig(options: { tts?: TtsServerOptions; settings?: Partial<Settings>; env?: Record<string, string>; home?: string } = {}): Promise<WebProcessRig> {
  const tts = await startTtsServer(options.tts);
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'utter-web-home-'));
  const settingsFile = join(home, 'utter', 'settings.json');
  mkdirSync(join(home, 'utter'), { recursive: true });
  writeFileSync(settingsFile, JSON.stringify({ provider: 'openai', baseUrls: [tts.url], idleTimeoutSec: 5, ...options.settings }));
  const { child, url } = await spawnUtterWeb([], { ...process.env, ...options.env, XDG_CONFIG_HOME: home, UTTER_SETTINGS: settingsFile, UTTER_SOCKET: join(home, 'utter.sock') });
  const browser = await launchChromium({ env: options.env });
  return {
    tts,
    cacheDir: join(home, 'utter', 'audio-cache'),
    open: async () => {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error('page error:', error.message));
      await page.goto(url.href);
      await page.getByTestId('format-select').waitFor();
      return page;
    },
    close: async () => {
      await browser.close();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      await tts.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A page's control socket that only listens: what `utter web` pushes of `event`, as it comes. */
export async function listenControl<E extends PageEventName>(server: WebServer, event: E): Promise<{ heard: PageEventPayloads[E][]; close(): void }> {
  const { host, searchParams } = new URL(server.url);
  const socket = new WebSocket(`ws://${host}/control?token=${searchParams.get('token')}`, { headers: { origin: server.origin } });
  await new Promise((resolve) => socket.once('open', resolve));
  const heard: PageEventPayloads[E][] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.event === event) heard.push(message.payload);
  });
  return { heard, close: () => socket.close() };
}

/** One operation of the contract asked over a fresh control socket, as a page asks it: its result. */
export async function askControl<T>(server: WebServer, op: string, request?: unknown): Promise<T> {
  const { host, searchParams } = new URL(server.url);
  const socket = new WebSocket(`ws://${host}/control?token=${searchParams.get('token')}`, { headers: { origin: server.origin } });
  await new Promise((resolve) => socket.once('open', resolve));
  const reply = new Promise<{ result: T }>((resolve) =>
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.id === 1) resolve(message);
    }),
  );
  socket.send(JSON.stringify({ id: 1, op, request }));
  const { result } = await reply;
  socket.close();
  return result;
}
