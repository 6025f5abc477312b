// "Diagnostics…" in the tray, and the app's answer to `utter doctor`: the doctor's checks with
// what only the running app knows. Electron-free (types only), so tests run it in Node.
import type { MessageBoxOptions } from 'electron';
import { displayAccelerator } from '../../shared/accelerator';
import { HOTKEY_LABELS, type Settings } from '../../shared/config/schema';
import { minimumNodeVersion, runCommand, runDoctor, type InAppFacts } from '../doctor/doctor';
import { formatReport, worstStatus, type CheckResult } from '../doctor/report';
import { LocalVoiceProvider } from '../engine/providers/local';
import type { HotkeyReport } from './hotkeys';

/** What the shell hands over. */
export interface AppDiagnosticsInputs {
  /** The app's root (where its package.json is). */
  root: string;
  settingsFile: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  socketPath: string;
  electronVersion: string;
  /** The last registration of the global shortcuts; null before the first. */
  hotkeys: HotkeyReport | null;
  audio: InAppFacts['audio'];
  keyProtectionWarning: string;
  updates: InAppFacts['updates'];
  platform?: NodeJS.Platform;
}

/** Every check, run from inside the app. */
export async function appDiagnostics(inputs: AppDiagnosticsInputs): Promise<CheckResult[]> {
  const platform = inputs.platform ?? process.platform;
  const mac = platform === 'darwin';
  const shown = (accelerator: string): string => displayAccelerator(accelerator, mac);
  return runDoctor({
    nodeVersion: process.versions.node,
    minimumNode: await minimumNodeVersion(inputs.root),
    electronPackage: async () => null,
    settingsFile: inputs.settingsFile,
    env: inputs.env,
    settings: inputs.settings,
    makeLocalProvider: () => new LocalVoiceProvider({ voice: inputs.settings.provider === 'local' ? inputs.settings.voice : undefined }),
    run: runCommand,
    platform,
    socketPath: inputs.socketPath,
    inApp: {
      electronVersion: inputs.electronVersion,
      audio: inputs.audio,
      keyProtectionWarning: inputs.keyProtectionWarning,
      updates: inputs.updates,
      hotkeys: {
        registered: (inputs.hotkeys?.registered ?? []).map((r) => ({ label: HOTKEY_LABELS[r.action], accelerator: shown(r.accelerator) })),
        failures: (inputs.hotkeys?.failures ?? []).map((f) => ({ label: HOTKEY_LABELS[f.action], accelerator: shown(f.accelerator), reason: f.reason })),
      },
    },
  });
}

const SUMMARY = { ok: 'Utter is ready.', skipped: 'Utter is ready.', warning: 'Utter works, with warnings.', fail: 'Something keeps Utter from working.' } as const;

/** The native dialog that shows the report, with a button that copies it. */
export function diagnosticsDialog(results: readonly CheckResult[]): MessageBoxOptions {
  const worst = worstStatus(results);
  return {
    type: worst === 'fail' ? 'error' : worst === 'warning' ? 'warning' : 'info',
    title: 'Utter diagnostics',
    message: SUMMARY[worst],
    detail: formatReport(results),
    buttons: ['Copy report', 'Close'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
