// `utter doctor`: every check that can run from a terminal, plus the running app's own
// (shortcuts, audio, key protection) when it answers on the app socket.
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { findElectronPackage, mergeInAppResults, minimumNodeVersion, runCommand, runDoctor } from '../doctor/doctor';
import { formatReport, worstStatus, type CheckResult } from '../doctor/report';
import { askAppDiagnostics } from '../session/app-socket';
import { defaultSettingsPath, loadSettings } from '../engine/config';
import { isPipeOrDevice } from '../engine/read-at-most';
import { LocalVoiceProvider } from '../engine/providers/local';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** How long the running app may take over its own checks. */
const APP_ANSWER_MS = 8000;

/** Options of `utter doctor`. */
export interface DoctorCommandOptions {
  settingsFile?: string;
  env: NodeJS.ProcessEnv;
  socketPath: string;
  json: boolean;
  out(text: string): void;
}

/** Runs the checks and prints them; resolves to 0 when none failed, else 1. */
export async function doctorCommand(options: DoctorCommandOptions): Promise<number> {
  const { env } = options;
  const settingsFile = options.settingsFile ?? defaultSettingsPath(env);
  // A pipe is read once, by the settings check, which says it is no settings file.
  const settings = (await isPipeOrDevice(settingsFile)) ? null : await loadSettings({ file: settingsFile, env }).catch((): Settings | null => null);
  let results = await runDoctor({
    nodeVersion: process.versions.node,
    minimumNode: await minimumNodeVersion(PROJECT_ROOT),
    electronPackage: () => findElectronPackage(PROJECT_ROOT),
    settingsFile,
    env,
    settings,
    makeLocalProvider: () => new LocalVoiceProvider({ voice: settings?.provider === 'local' ? settings.voice : DEFAULT_SETTINGS.voice }),
    run: runCommand,
    platform: process.platform,
    socketPath: options.socketPath,
    inApp: null,
  });
  const fromApp = await askAppDiagnostics(options.socketPath, APP_ANSWER_MS).catch(
    (error: Error): CheckResult[] => [{ id: 'app', title: 'Running app', status: 'warning', detail: error.message, fix: 'restart Utter' }],
  );
  if (fromApp !== 'no-app') results = mergeInAppResults(results, fromApp).concat(fromApp.filter((r) => r.id === 'app'));
  options.out(options.json ? JSON.stringify({ status: worstStatus(results), checks: results }, null, 2) + '\n' : formatReport(results));
  return worstStatus(results) === 'fail' ? 1 : 0;
}
