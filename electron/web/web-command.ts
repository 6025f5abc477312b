import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Settings } from '../../shared/config/schema';
import { defaultSettingsPath } from '../engine/config';
import { appSocketPath, isAppListening, newAppSocketPath, publishAppSocket } from '../session/app-socket';
import { startWebServer } from './web-server';
import { listensEverywhere, namesForOthers } from './allowed-hosts';
import { PRONUNCIATIONS_FILE } from '../store/pronunciation-store';

const PACKAGE_ROOT = join(import.meta.dirname, '..', '..');
/** electron-vite builds the renderer here; the Electron window and `utter web` serve the same files. */
export const RENDERER_BUILD = join(PACKAGE_ROOT, 'out', 'renderer');

/**
 * `utter web [--port N] [--host H]`: builds the renderer if it is missing, serves it,
 * prints the URL and runs until interrupted.
 */
export async function webCommand(
  options: { host?: string; port?: number; settings: Settings; settingsFile?: string; reloadSettings?: () => Promise<Settings>; signal?: AbortSignal; allowKeyChanges?: boolean; tls?: { cert: Uint8Array; key: Uint8Array }; firstStart?: boolean },
  io: { out(text: string): void; err(text: string): void },
): Promise<void> {
  if (!existsSync(join(RENDERER_BUILD, 'index.html'))) {
    io.err('utter: building the page first (npm run build)…\n');
    execFileSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  // `utter speak TEXT` reaches this session, as it reaches the app, unless the app runs.
  const appRuns = await isAppListening(appSocketPath());
  const socket = newAppSocketPath();
  if (appRuns) io.err('utter: the Utter app is running, so `utter speak` goes to the app, not to this page.\n');
  const server = await startWebServer({
    root: RENDERER_BUILD,
    host: options.host,
    port: options.port,
    settings: options.settings,
    settingsFile: options.settingsFile,
    reloadSettings: options.reloadSettings,
    version,
    allowKeyChanges: options.allowKeyChanges,
    tls: options.tls,
    appSocket: appRuns ? undefined : socket,
    // The app keeps its own session.json; this one is for `utter web` alone.
    sessionFile: join(dirname(defaultSettingsPath()), 'web-session.json'),
    linksFile: join(dirname(defaultSettingsPath()), 'web-network.json'),
    // Shared with `utter speak`: entries are whole files renamed into place.
    cacheDir: join(dirname(defaultSettingsPath()), 'audio-cache'),
    // The dictionary is the user's, shared with the app: its edits here are kept.
    pronunciationsFile: join(dirname(defaultSettingsPath()), PRONUNCIATIONS_FILE),
    // The first start: the page welcomes the user once.
    welcomeMarker: options.firstStart ? join(dirname(defaultSettingsPath()), 'web-welcomed') : undefined,
  });
  if (!appRuns) await publishAppSocket(socket);
  io.out(`${server.url}\n`);
  // The URL names the address it listens on, 0.0.0.0, which no other machine can open.
  if (listensEverywhere(options.host)) {
    const urls = namesForOthers().map((name) => Object.assign(new URL(server.url), { hostname: name }).href);
    io.err(`utter: from another machine, open ${urls.join(' or ')}\n`);
  }
  if (options.host && !['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
    io.err(`utter: listening on ${options.host}: anyone who can reach it and has the URL can make this machine speak.\n`);
  }
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) return resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
}
