// Runs every check in a fixed order, concurrently, with what the caller can probe: the CLI
// from outside the app, the app from inside (it alone knows its shortcuts, its audio and how
// safeStorage keeps the key).
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Settings } from '../../shared/config/schema';
import type { SpeechProvider } from '../engine/provider';
import { isPipeOrDevice, readFileAtMost } from '../engine/read-at-most';
import { MOST_SETTINGS_BYTES } from '../engine/config';
import {
  checkApiKey,
  checkAppSocket,
  checkAudioOutput,
  checkElectron,
  checkEmbeddedVoice,
  checkEnvironment,
  checkHotkeys,
  checkNode,
  checkProvider,
  checkSettingsFile,
  checkUpdates,
  checkWaylandPortal,
  serversInUse,
  type ElectronPackage,
  type Fetch,
  type HotkeyFacts,
  type RunCommand,
} from './checks';
import type { CheckResult } from './report';
import type { UpdateStatus } from '../../shared/updates';

/** What only the running app knows. */
export interface InAppFacts {
  electronVersion: string;
  hotkeys: HotkeyFacts;
  /** The player page's audio, or null before it has opened any. */
  audio: { ok: boolean; detail: string } | null;
  /** safeStorage's warning for a stored key, '' when it is protected. */
  keyProtectionWarning: string;
  /** The app's updates, and whether the setting lets it check on its own. */
  updates: { status: UpdateStatus; automatic: boolean };
}

/** Everything the checks read or probe. */
export interface DoctorInputs {
  nodeVersion: string;
  minimumNode: string;
  /** The electron package beside the project, for the CLI; the app passes inApp instead. */
  electronPackage: () => Promise<ElectronPackage | null>;
  settingsFile: string;
  env: NodeJS.ProcessEnv;
  /** The effective settings, or null when they do not validate (the settings check says why). */
  settings: Settings | null;
  makeLocalProvider: () => SpeechProvider;
  fetch?: Fetch;
  run: RunCommand;
  platform: NodeJS.Platform;
  socketPath: string;
  /** From inside the app; from outside, the app's own answer or nothing. */
  inApp: InAppFacts | null;
}

/** The ids of the checks only the app can run. */
export const IN_APP_CHECKS = ['electron', 'api-key', 'hotkeys', 'audio-output', 'updates'] as const;

/** Every check, in the order they are printed. */
export async function runDoctor(inputs: DoctorInputs): Promise<CheckResult[]> {
  const { settings, inApp, env } = inputs;
  const notInApp = (id: string, title: string): CheckResult => ({
    id,
    title,
    status: 'skipped',
    detail: 'only the running app can tell, and it is not running',
    fix: 'start Utter and run utter doctor again, or use Diagnostics… in its tray menu',
  });
  const servers = settings ? serversInUse(settings) : [];
  const providerChecks: Promise<CheckResult>[] = settings
    ? servers.map((url) => checkProvider(url, settings, inputs.fetch))
    : [Promise.resolve({ id: 'provider', title: 'Servers', status: 'skipped', detail: 'not checked: the settings do not validate' })];
  if (settings && !servers.length) {
    providerChecks.push(Promise.resolve({ id: 'provider', title: 'Servers', status: 'ok', detail: 'none in use: the embedded voice is chosen' }));
  }
  const keyFacts = async (): Promise<CheckResult> =>
    checkApiKey({
      inSettingsFile: await settingsFileHasKey(inputs.settingsFile),
      protectedFileExists: await stat(join(dirname(inputs.settingsFile), 'api-key.bin')).then(() => true, () => false),
      fromEnvironment: env.UTTER_API_KEY ? 'UTTER_API_KEY' : env.OPENAI_API_KEY ? 'OPENAI_API_KEY' : undefined,
      protectionWarning: inApp?.keyProtectionWarning,
    });
  return Promise.all([
    checkNode(inputs.nodeVersion, inputs.minimumNode),
    inApp ? checkElectron(inApp.electronVersion, null) : inputs.electronPackage().then((pkg) => checkElectron(undefined, pkg)),
    checkSettingsFile(inputs.settingsFile),
    checkEnvironment(env),
    keyFacts(),
    ...providerChecks,
    checkEmbeddedVoice(inputs.makeLocalProvider),
    inApp ? checkAudioOutput(inApp.audio) : notInApp('audio-output', 'Audio output'),
    inApp ? checkHotkeys(inApp.hotkeys) : notInApp('hotkeys', 'Global shortcuts'),
    inApp ? checkUpdates(inApp.updates) : notInApp('updates', 'Updates'),
    checkWaylandPortal(env, inputs.platform, inputs.run),
    checkAppSocket(inputs.socketPath),
  ]);
}

/** Replaces the placeholders of the in-app checks with the app's own answers. */
export function mergeInAppResults(results: CheckResult[], fromApp: readonly CheckResult[]): CheckResult[] {
  return results.map((result) => fromApp.find((answer) => answer.id === result.id && (IN_APP_CHECKS as readonly string[]).includes(answer.id)) ?? result);
}

async function settingsFileHasKey(path: string): Promise<boolean> {
  // Bounded, and never a pipe: the settings check says what is wrong with those.
  if (await isPipeOrDevice(path)) return false;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(await readFileAtMost(path, MOST_SETTINGS_BYTES)));
    return Boolean(parsed && typeof parsed === 'object' && typeof (parsed as { apiKey?: unknown }).apiKey === 'string' && (parsed as { apiKey: string }).apiKey);
  } catch {
    return false;
  }
}

/** The electron package as the project at `root` resolves it; null when it is not installed. */
export async function findElectronPackage(root: string): Promise<ElectronPackage | null> {
  try {
    const file = createRequire(join(root, 'package.json')).resolve('electron/package.json');
    const { version } = JSON.parse(await readFile(file, 'utf8')) as { version: string };
    return { version, dir: dirname(file) };
  } catch {
    return null;
  }
}

/** Runs a command with a timeout; its standard output, or null when it cannot run or fails. */
export const runCommand: RunCommand = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 3000, encoding: 'utf8' }, (error, stdout) => resolve(error ? null : stdout));
  });

/** The Node version the package.json at `root` asks for in engines (">=22.12" → "22.12"). */
export async function minimumNodeVersion(root: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  return /(\d+(?:\.\d+){0,2})/.exec(pkg.engines?.node ?? '')?.[1] ?? '0';
}
