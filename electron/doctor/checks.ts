// The checks behind `utter doctor` and the tray's "Diagnostics…". Electron-free: whatever a
// check probes (files, a server, the embedded voice, D-Bus, the app socket) comes in as a
// parameter, so each is tested against a fake of the thing it probes.
import { readFile, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { DEFAULT_SETTINGS, formatSettingsIssues, validateSettings, type Settings } from '../../shared/config/schema';
import { displayEndpoint } from '../../shared/endpoint-display';
import { layerEnvironment, MOST_SETTINGS_BYTES } from '../engine/config';
import { isPipeOrDevice, readFileAtMost, TooLargeError } from '../engine/read-at-most';
import { providerStatus, type Fetch } from '../engine/provider-check';
import type { SpeechProvider } from '../engine/provider';
import { describeUpdateStatus, type UpdateStatus } from '../../shared/updates';
import type { CheckResult } from './report';

/** How long one network or voice probe may take before it counts as failed. */
export const PROBE_TIMEOUT_MS = 5000;

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

/** Node: the running version against what the dependencies need. */
export function checkNode(running: string, minimum: string): CheckResult {
  const base = { id: 'node', title: 'Node.js' };
  if (compareVersions(running, minimum) >= 0) return { ...base, status: 'ok', detail: `${running} (needs ${minimum} or newer)` };
  return { ...base, status: 'fail', detail: `${running} is too old: Utter needs ${minimum} or newer`, fix: 'install Node 22 (nvm install && nvm use reads .nvmrc)' };
}

/** Where the electron package is, as found from the project; null when it is not installed. */
export interface ElectronPackage {
  version: string;
  /** The package's folder (node_modules/electron). */
  dir: string;
}

/** Electron: the version this process runs under, or the package and whether its binary was downloaded. */
export async function checkElectron(running: string | undefined, pkg: ElectronPackage | null): Promise<CheckResult> {
  const base = { id: 'electron', title: 'Electron' };
  if (running) return { ...base, status: 'ok', detail: `${running} (this app)` };
  if (!pkg) return { ...base, status: 'warning', detail: 'the electron package is not installed', fix: 'run npm install in the Utter folder; meanwhile npx utter web runs the player in a browser' };
  const binary = await readFile(`${pkg.dir}/path.txt`, 'utf8').then(
    (name) => `${pkg.dir}/dist/${name}`,
    () => null,
  );
  if (binary && (await stat(binary).then((s) => s.isFile(), () => false))) return { ...base, status: 'ok', detail: `${pkg.version}, binary at ${binary}` };
  return {
    ...base,
    status: 'warning',
    detail: `${pkg.version} is installed but its binary is not downloaded, so the app cannot start`,
    fix: 'npm start runs Electron\'s installer; offline, set ELECTRON_MIRROR or electron_config_cache; meanwhile npx utter web runs the player in a browser',
  };
}

/** The settings file: absent (defaults), or valid, or which field is not. */
export async function checkSettingsFile(path: string): Promise<CheckResult> {
  const base = { id: 'settings', title: 'Settings file' };
  // Read once by the app, and waited on for ever when nothing writes to it.
  if (await isPipeOrDevice(path)) return { ...base, status: 'fail', detail: `${path} is a pipe or a device, not a settings file`, fix: 'give the path of the settings file' };
  let text: string;
  try {
    // Decoded as the app reads it: a byte-order mark is no fault.
    text = new TextDecoder().decode(await readFileAtMost(path, MOST_SETTINGS_BYTES));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ...base, status: 'ok', detail: `none at ${path}: the defaults are in use` };
    if (error instanceof TooLargeError) return { ...base, status: 'fail', detail: `${path} holds ${error.message}, and no settings file is that large`, fix: 'give the path of the settings file, or delete it' };
    if (code === 'EISDIR') return { ...base, status: 'fail', detail: `${path} is a folder, not a settings file`, fix: 'give the path of the settings file' };
    return { ...base, status: 'fail', detail: `${path} cannot be read (${code ?? (error as Error).message})`, fix: 'give your user read and write access to it' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ...base, status: 'fail', detail: `${path} is not valid JSON (${(error as Error).message})`, fix: 'correct or delete it: the app keeps a broken file as settings.json.bad-<time> and starts from what is valid' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ...base, status: 'fail', detail: `${path} does not hold a JSON object`, fix: 'correct or delete it' };
  }
  const result = validateSettings(parsed as Record<string, unknown>);
  if (!result.ok) return { ...base, status: 'fail', detail: `${path}: ${formatSettingsIssues(result.issues)}`, fix: 'correct these fields in Settings or in the file' };
  return { ...base, status: 'ok', detail: `${path} is valid` };
}

/** The UTTER_* environment variables: each one that is set, and any that is refused. */
export function checkEnvironment(env: NodeJS.ProcessEnv): CheckResult {
  const base = { id: 'environment', title: 'Environment' };
  const set = Object.keys(env).filter((name) => /^UTTER_/.test(name) && env[name] !== '' && name !== 'UTTER_API_KEY');
  // Each variable on its own, as the app applies them.
  const bad = layerEnvironment(DEFAULT_SETTINGS, env).issues;
  if (bad.length) return { ...base, status: 'fail', detail: `refused: ${formatSettingsIssues(bad)}`, fix: 'correct or unset these variables' };
  return { ...base, status: 'ok', detail: set.length ? `in use: ${set.sort().join(', ')}` : 'no UTTER_* variables set' };
}

/** Where the API key comes from and how it is kept. */
export interface KeyFacts {
  /** settings.json holds an apiKey (plain text). */
  inSettingsFile: boolean;
  /** The app's encrypted key file exists. */
  protectedFileExists: boolean;
  /** UTTER_API_KEY or OPENAI_API_KEY is set. */
  fromEnvironment: string | undefined;
  /**
   * Only the app can say how safeStorage protects it: undefined when asked from outside the
   * app, '' when protected, else the app's warning (no keyring, basic_text).
   */
  protectionWarning?: string;
}

/** The API key: protected by the OS keyring, only obscured, or in plain text. */
export function checkApiKey(facts: KeyFacts): CheckResult {
  const base = { id: 'api-key', title: 'API key' };
  if (facts.inSettingsFile) {
    return { ...base, status: 'warning', detail: 'stored in plain text in settings.json', fix: 'enter it in Settings, which moves it to protected storage, or use UTTER_API_KEY' };
  }
  if (facts.protectedFileExists) {
    if (facts.protectionWarning === undefined) return { ...base, status: 'ok', detail: 'saved by the app in its encrypted key file (start the app for how the system protects it)' };
    if (facts.protectionWarning) return { ...base, status: 'warning', detail: facts.protectionWarning };
    return { ...base, status: 'ok', detail: 'saved encrypted by the system keyring (safeStorage)' };
  }
  if (facts.fromEnvironment) return { ...base, status: 'ok', detail: `from ${facts.fromEnvironment} in the environment, not stored` };
  return { ...base, status: 'ok', detail: 'none set (the embedded voice and local servers need none)' };
}

export type { Fetch };

/**
 * One provider endpoint, asked the way the settings ask (one GET of its model list, the key only
 * where it may go), with the answer graded: unreachable or a refused key fail; a server that
 * answers with its own failure, or with something unexpected, is a warning.
 */
export async function checkProvider(baseUrl: string, key: Pick<Settings, 'apiKey' | 'apiKeyOrigins'>, fetcher?: Fetch, timeoutMs = PROBE_TIMEOUT_MS): Promise<CheckResult> {
  // The detail names the server; the id goes in the report, which is shared.
  const base = { id: `provider:${displayEndpoint(baseUrl)}`, title: 'Server' };
  const { status, detail, httpStatus } = await providerStatus({ provider: 'openai', baseUrls: [baseUrl], apiKey: key.apiKey, apiKeyOrigins: key.apiKeyOrigins }, { fetch: fetcher, timeoutMs });
  if (status === 'key-refused') return { ...base, status: 'fail', detail, fix: 'enter a valid key in Settings, or set UTTER_API_KEY' };
  if (status === 'unreachable' && httpStatus !== undefined && httpStatus < 300) return { ...base, status: 'fail', detail, fix: "sign in to the network first, or set the base URL to the server's OpenAI-compatible API (…/v1)" };
  if (status === 'unreachable' && httpStatus !== undefined && httpStatus < 400) return { ...base, status: 'fail', detail, fix: 'set the base URL to where the server answers: Utter follows no redirect' };
  if (status === 'unreachable' && httpStatus !== undefined) return { ...base, status: 'warning', detail, fix: 'the server has a problem of its own: see its logs' };
  if (status === 'unreachable') return { ...base, status: 'fail', detail, fix: 'check the base URL in Settings and that the server is running' };
  const expected = httpStatus === undefined || (httpStatus >= 200 && httpStatus < 300) || httpStatus === 404 || httpStatus === 405;
  if (!expected) return { ...base, status: 'warning', detail, fix: "check that the base URL ends where the server's /v1 API is" };
  return { ...base, status: 'ok', detail };
}

/** The embedded voice: synthesizes one word and counts the audio, within `timeoutMs`. */
export async function checkEmbeddedVoice(makeProvider: () => SpeechProvider, timeoutMs = 3 * PROBE_TIMEOUT_MS): Promise<CheckResult> {
  const base = { id: 'embedded-voice', title: 'Embedded voice' };
  const provider = makeProvider();
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  try {
    const audio = await provider.open({ text: 'Hello', endpointIndex: 0, signal });
    let bytes = 0;
    for await (const chunk of audio.body) bytes += chunk.byteLength;
    if (bytes === 0) return { ...base, status: 'fail', detail: 'eSpeak NG produced no audio for "Hello"', fix: 'reinstall Utter: its voice data may be damaged' };
    const rate = audio.declared?.sampleRate ?? 22050;
    const ms = ((bytes / 2 / rate) * 1000).toFixed(0);
    return { ...base, status: 'ok', detail: `eSpeak NG said "Hello" (${ms} ms of audio) in ${(performance.now() - started).toFixed(0)} ms` };
  } catch (error) {
    const why = signal.aborted ? `no audio within ${timeoutMs / 1000} s` : (error as Error).message;
    return { ...base, status: 'fail', detail: `eSpeak NG failed: ${why}`, fix: 'reinstall Utter: its voice worker or data may be missing' };
  } finally {
    await provider.close();
  }
}

/** Runs a command and gives its output, or null when it cannot run or fails. */
export type RunCommand = (command: string, args: string[]) => Promise<string | null>;

/**
 * The xdg-desktop-portal GlobalShortcuts interface, which global hotkeys need under Wayland.
 * Asked over the session bus with gdbus (GLib) or busctl (systemd), whichever exists.
 */
export async function checkWaylandPortal(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, run: RunCommand): Promise<CheckResult> {
  const base = { id: 'wayland-portal', title: 'Wayland shortcuts portal' };
  const session = env.XDG_SESSION_TYPE?.toLowerCase();
  const wayland = platform === 'linux' && (session === 'wayland' || (session !== 'x11' && Boolean(env.WAYLAND_DISPLAY)));
  if (!wayland) return { ...base, status: 'ok', detail: 'not needed (not a Wayland session)' };
  const introspection =
    (await run('gdbus', ['introspect', '--session', '--dest', 'org.freedesktop.portal.Desktop', '--object-path', '/org/freedesktop/portal/desktop'])) ??
    (await run('busctl', ['--user', 'introspect', 'org.freedesktop.portal.Desktop', '/org/freedesktop/portal/desktop']));
  if (introspection === null) {
    return { ...base, status: 'warning', detail: 'the desktop portal could not be asked (no gdbus or busctl, or no session bus)', fix: 'if the hotkeys do not work, bind a key in your desktop\'s keyboard settings to utter --speak-clipboard' };
  }
  if (introspection.includes('org.freedesktop.portal.GlobalShortcuts')) return { ...base, status: 'ok', detail: 'present: the desktop may ask you to confirm the shortcuts' };
  return {
    ...base,
    status: 'warning',
    detail: 'this desktop\'s portal has no GlobalShortcuts interface, so the hotkeys work only while Utter has focus',
    fix: 'bind a key in your desktop\'s keyboard settings to utter --speak-clipboard',
  };
}

/**
 * The app socket (`utter speak` without --out reaches the app through it): listening or
 * not, and private to this user (mode 0600, owned by this uid) where it is a file.
 */
export async function checkAppSocket(path: string, uid: number | undefined = process.getuid?.()): Promise<CheckResult> {
  const base = { id: 'app-socket', title: 'App socket' };
  const isPipe = path.startsWith('\\\\.\\pipe\\');
  if (!isPipe) {
    const info = await stat(path).catch(() => null);
    if (!info) return { ...base, status: 'warning', detail: `nothing at ${path}: the app is not running`, fix: 'start Utter; utter speak without --out needs it' };
    if (uid !== undefined && info.uid !== uid) return { ...base, status: 'fail', detail: `${path} belongs to another user (uid ${info.uid})`, fix: 'remove it and restart Utter: only your own app may take your text' };
    if ((info.mode & 0o077) !== 0) return { ...base, status: 'fail', detail: `${path} is open to other users (mode ${(info.mode & 0o777).toString(8)})`, fix: 'restart Utter, which makes it 600' };
  }
  const listening = await new Promise<boolean>((resolve) => {
    const socket = createConnection(path);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!listening) return { ...base, status: 'warning', detail: `${path} is there but nothing listens: the app is not running (or it crashed)`, fix: 'start Utter' };
  return { ...base, status: 'ok', detail: isPipe ? `listening at ${path}` : `listening at ${path}, private to you (mode 600)` };
}

/** The global shortcuts as the app registered them. */
export interface HotkeyFacts {
  registered: { label: string; accelerator: string }[];
  failures: { label: string; accelerator: string; reason: string }[];
}

/** Global shortcuts: each one registered, or taken and by whom the OS lets us know. */
export function checkHotkeys(facts: HotkeyFacts): CheckResult {
  const base = { id: 'hotkeys', title: 'Global shortcuts' };
  const registered = facts.registered.map((r) => `${r.label} ${r.accelerator}`).join(', ');
  if (facts.failures.length) {
    const failed = facts.failures.map((f) => `${f.label} (${f.accelerator}): ${f.reason}`).join('; ');
    return { ...base, status: 'warning', detail: `${failed}${registered ? `; registered: ${registered}` : ''}`, fix: 'choose other keys in Settings › Shortcuts' };
  }
  return { ...base, status: 'ok', detail: registered ? `registered: ${registered}` : 'all turned off in Settings' };
}

/** The app's own updates: off (and why), on with its feed, or what the last check ran into. */
export function checkUpdates(facts: { status: UpdateStatus; automatic: boolean }): CheckResult {
  const base = { id: 'updates', title: 'Updates' };
  const { status } = facts;
  if (status.state === 'off') return { ...base, status: 'ok', detail: `off: ${status.reason}` };
  if (status.state === 'error') return { ...base, status: 'warning', detail: `${status.feed}: ${status.message}`, fix: 'check the network, or Settings › About and updates › Check now later' };
  const when = facts.automatic ? 'checked at start and daily' : 'automatic checks turned off in Settings';
  return { ...base, status: 'ok', detail: `${status.feed}, ${when}; ${describeUpdateStatus(status)}` };
}

/** Audio output as the player page found it: null before the page has opened its audio. */
export function checkAudioOutput(audio: { ok: boolean; detail: string } | null): CheckResult {
  const base = { id: 'audio-output', title: 'Audio output' };
  if (!audio) return { ...base, status: 'skipped', detail: 'not opened yet: the player opens its audio when it first speaks', fix: 'speak something, then run Diagnostics again' };
  if (!audio.ok) return { ...base, status: 'fail', detail: audio.detail, fix: 'check that a sound device is connected and not held by another program' };
  return { ...base, status: 'ok', detail: audio.detail };
}

/** The settings' servers to probe: every failover URL when a server is the provider, else none. */
export function serversInUse(settings: Settings): string[] {
  return settings.provider === 'openai' ? settings.baseUrls : [];
}
