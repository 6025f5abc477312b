// Global hotkeys: accelerators are checked here before Electron sees them, and
// every registration that fails is reported with a reason a user can act on.
// Electron objects come in as parameters, so tests/shell/hotkeys.test.ts runs without Electron.
import type { CommandLine, GlobalShortcut } from 'electron';
import { canonical, displayAccelerator, parseAccelerator } from '../../shared/accelerator';
import { HOTKEY_ACTIONS, HOTKEY_LABELS, type HotkeyAction } from '../../shared/config/schema';

/** One accelerator per action; an empty string turns that hotkey off. */
export type HotkeyBindings = Record<HotkeyAction, string>;

/** A hotkey that is not active, and why, in words for the user. */
export interface HotkeyFailure {
  action: HotkeyAction;
  accelerator: string;
  reason: string;
}

/** The outcome of {@link registerHotkeys}: nothing is left out. */
export interface HotkeyReport {
  registered: { action: HotkeyAction; accelerator: string }[];
  failures: HotkeyFailure[];
  /** Actions whose binding is empty: turned off by the user, not an error. */
  disabled: HotkeyAction[];
}

/** The part of Electron's globalShortcut that hotkeys use. */
export type GlobalShortcutApi = Pick<GlobalShortcut, 'register' | 'unregister' | 'isSuspended'>;

/** What this module registered last time, per globalShortcut object. */
const registeredBefore = new WeakMap<object, string[]>();

/** The reason given when register() says no: the OS does not tell who holds the shortcut. */
export const HELD_ELSEWHERE = 'already used by another application or the system';

/**
 * Registers one global shortcut per action, after unregistering the ones this function
 * registered before (Electron refuses to register an accelerator the app already holds).
 * Shortcuts registered by other code are left alone. Call after app 'ready'.
 */
export function registerHotkeys(
  globalShortcut: GlobalShortcutApi,
  bindings: HotkeyBindings,
  handlers: Record<HotkeyAction, () => void>,
  platform: NodeJS.Platform = process.platform,
): HotkeyReport {
  for (const accelerator of registeredBefore.get(globalShortcut) ?? []) globalShortcut.unregister(accelerator);
  const report: HotkeyReport = { registered: [], failures: [], disabled: [] };
  const owners = new Map<string, HotkeyAction>();
  for (const action of HOTKEY_ACTIONS) {
    const accelerator = bindings[action].trim();
    if (accelerator === '') {
      report.disabled.push(action);
      continue;
    }
    const fail = (reason: string): void => void report.failures.push({ action, accelerator, reason });
    const parsed = parseAccelerator(accelerator);
    if (typeof parsed === 'string') {
      fail(`not a valid shortcut: ${parsed}`);
      continue;
    }
    const shortcut = canonical(parsed, platform);
    const owner = owners.get(shortcut);
    if (owner) {
      fail(`the same shortcut is already set for ${HOTKEY_LABELS[owner]}`);
      continue;
    }
    let ok: boolean;
    try {
      ok = globalShortcut.register(accelerator, handlers[action]);
    } catch (error) {
      // Electron throws when it cannot convert the accelerator (our check disagreed with it).
      fail(`not a valid shortcut: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (!ok) {
      fail(whyRefused(globalShortcut, shortcut, platform));
      continue;
    }
    owners.set(shortcut, action);
    report.registered.push({ action, accelerator });
  }
  registeredBefore.set(globalShortcut, report.registered.map((entry) => entry.accelerator));
  return report;
}

/** Why register() returned false: Electron only says "no", so name the likely causes. */
function whyRefused(globalShortcut: GlobalShortcutApi, shortcut: string, platform: NodeJS.Platform): string {
  if (globalShortcut.isSuspended()) return 'shortcuts are paused while a new one is being recorded';
  // electron.d.ts (globalShortcut.register): since macOS 10.14 the media keys need the app to
  // be a trusted accessibility client.
  if (platform === 'darwin' && /(^|\+)media/.test(shortcut)) {
    return 'macOS lets only apps allowed under Privacy & Security › Accessibility use media keys';
  }
  return HELD_ELSEWHERE;
}

/** "Speak clipboard (Ctrl+Alt+S): already used by another application or the system." */
export function describeHotkeyFailure(failure: HotkeyFailure, platform: NodeJS.Platform = process.platform): string {
  return `${HOTKEY_LABELS[failure.action]} (${displayAccelerator(failure.accelerator, platform === 'darwin')}): ${failure.reason}.`;
}

/**
 * The Chromium feature that routes globalShortcut through the xdg-desktop-portal
 * GlobalShortcuts interface, or null where it is not needed (anything but a Linux Wayland
 * session). Wayland gives no app a global key grab, so without the portal the hotkeys only
 * fire while Utter has focus.
 *
 * Sources: Electron's docs (docs/api/global-shortcut.md) show
 * `app.commandLine.appendSwitch('enable-features', 'GlobalShortcutsPortal')` "for cases when
 * the app runs in a Wayland session"; the feature came with electron/electron#45171
 * (Electron 34/35: "Electron must be run with --enable-features=GlobalShortcutsPortal").
 * Since electron/electron#48301 (Electron 38) the Wayland backend is chosen from
 * XDG_SESSION_TYPE, so an explicit "x11" session runs under X11 and needs no portal.
 * Through the portal the desktop may ask the user to confirm or bind the shortcuts in its
 * own settings (KDE, GNOME), and register() returning true does not prove a key is bound.
 */
export function waylandGlobalShortcutsSwitch(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  if (platform !== 'linux') return null;
  const session = env.XDG_SESSION_TYPE?.toLowerCase();
  const wayland = session === 'wayland' || (session !== 'x11' && Boolean(env.WAYLAND_DISPLAY));
  return wayland ? 'GlobalShortcutsPortal' : null;
}

/**
 * Adds `feature` to the enable-features switch, keeping features already there: Chromium
 * honours only the last --enable-features value (a known clobber, see
 * aaddrick/claude-desktop-debian#690), so a second appendSwitch would drop the first.
 * Must run before app 'ready'.
 */
export function enableChromiumFeature(commandLine: Pick<CommandLine, 'getSwitchValue' | 'appendSwitch'>, feature: string): void {
  const current = commandLine.getSwitchValue('enable-features').split(',').filter((name) => name !== '');
  if (current.includes(feature)) return;
  commandLine.appendSwitch('enable-features', [...current, feature].join(','));
}
