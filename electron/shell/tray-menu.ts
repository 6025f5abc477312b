// What the tray shows for the player's state: its menu, tooltip and icon.
// Pure functions; the shell turns the template into a Menu with Menu.buildFromTemplate and
// calls tray.setContextMenu again on every change (Linux shows a changed menu only then).
import type { MenuItemConstructorOptions, Rectangle } from 'electron';
import type { TrayStatus } from '../../shared/session';
import type { HotkeyAction } from '../../shared/config/schema';
import { formatRate, MAX_RATE, MIN_RATE } from '../../shared/playback-rate';

/** What the session is doing. */
export type PlayerStatus = TrayStatus['status'];

/** Everything the tray shows. */
export interface TrayState {
  status: PlayerStatus;
  /** The text being read (or paused), for the tooltip. */
  reading?: string;
  /** The last error, shown in the tooltip when status is 'error'. */
  error?: string;
  openAtLogin: boolean;
  /** The first words of a text a restart interrupted, offered for resuming; null when none. */
  resumable?: string | null;
  /** Accelerators to show next to the items; an empty string shows none. */
  hotkeys: Record<HotkeyAction, string>;
  /** There is a text to save (one being read, or read before): "Save audio…" is offered. */
  canSave?: boolean;
  /** The playback rate (1 when absent). */
  rate?: number;
  /** An update on offer ("Utter 1.2.0 is available."), which opens Settings › About and updates; null when none. */
  update?: string | null;
}

/** What the menu's items do. */
export interface TrayActions {
  speakClipboard(): void;
  /** The text selected in the focused application (PRIMARY on Linux). */
  speakSelection(): void;
  pauseResume(): void;
  stop(): void;
  skip(): void;
  /** The playback rate a step faster or slower, or back to 1×. */
  changeRate(change: 'faster' | 'slower' | 'normal'): void;
  /** Reading goes on in the text a restart interrupted. */
  resumeReading(): void;
  openPlayer(): void;
  /** The mini player by the tray icon (its bounds where the tray reports them), or hidden if it shows. */
  openMini(icon: Rectangle | null): void;
  openSettings(): void;
  /** The first-run welcome, again. */
  openWelcome(): void;
  openFile(): void;
  /** Saves the audio of the text being read, or of the last one read. */
  saveAudio(): void;
  /** Runs the checks of `utter doctor` and shows what they found. */
  diagnostics(): void;
  /** Gets the new value: Electron has already flipped the checkbox when click runs. */
  toggleOpenAtLogin(openAtLogin: boolean): void;
  quit(): void;
}

/** "Speed 1.25×": faster, slower and normal, each with its shortcut; the rate applies at once and to the next texts. */
function speedMenu(rate: number, shortcut: (action: HotkeyAction) => Partial<MenuItemConstructorOptions>, actions: TrayActions): MenuItemConstructorOptions {
  return {
    id: 'speed',
    label: `Speed ${formatRate(rate)}`,
    submenu: [
      { id: 'faster', label: 'Faster', enabled: rate < MAX_RATE, ...shortcut('faster'), click: () => actions.changeRate('faster') },
      { id: 'slower', label: 'Slower', enabled: rate > MIN_RATE, ...shortcut('slower'), click: () => actions.changeRate('slower') },
      { id: 'normal-rate', label: 'Normal speed', enabled: rate !== 1, ...shortcut('normalRate'), click: () => actions.changeRate('normal') },
    ],
  };
}

/** The tray's context menu for `state`; build it anew whenever the state changes. */
export function buildTrayMenu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const playing = state.status === 'speaking' || state.status === 'paused';
  // The global shortcuts are registered by hotkeys.ts; the menu only shows them.
  const shortcut = (action: HotkeyAction): Pick<MenuItemConstructorOptions, 'accelerator' | 'registerAccelerator'> =>
    state.hotkeys[action] ? { accelerator: state.hotkeys[action], registerAccelerator: false } : {};
  const resume: MenuItemConstructorOptions[] = state.resumable
    ? [{ id: 'resume-reading', label: `Resume reading “${snippet(state.resumable)}”`, click: () => actions.resumeReading() }]
    : [];
  return [
    ...resume,
    { id: 'speak-clipboard', label: 'Speak clipboard', ...shortcut('speakClipboard'), click: () => actions.speakClipboard() },
    { id: 'speak-selection', label: 'Speak selection', ...shortcut('speakSelection'), click: () => actions.speakSelection() },
    {
      id: 'pause-resume',
      label: state.status === 'paused' ? 'Resume' : 'Pause',
      enabled: playing,
      ...shortcut('pauseResume'),
      click: () => actions.pauseResume(),
    },
    { id: 'stop', label: 'Stop', enabled: state.status !== 'idle', ...shortcut('stop'), click: () => actions.stop() },
    { id: 'skip', label: 'Skip sentence', enabled: playing, click: () => actions.skip() },
    speedMenu(state.rate ?? 1, shortcut, actions),
    { type: 'separator' },
    // macOS opens the menu on a click, so the mini player is offered here too.
    { id: 'open-mini', label: 'Mini player', click: () => actions.openMini(null) },
    { id: 'open-player', label: 'Open player', click: () => actions.openPlayer() },
    { id: 'open-file', label: 'Open file…', click: () => actions.openFile() },
    { id: 'save-audio', label: 'Save audio…', enabled: state.canSave === true, click: () => actions.saveAudio() },
    { id: 'settings', label: 'Settings…', click: () => actions.openSettings() },
    { id: 'diagnostics', label: 'Diagnostics…', click: () => actions.diagnostics() },
    { id: 'welcome', label: 'Welcome…', click: () => actions.openWelcome() },
    ...(state.update ? [{ id: 'update', label: `${state.update.replace(/\.$/, '')}…`, click: () => actions.openSettings() }] : []),
    { type: 'separator' },
    {
      id: 'open-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: state.openAtLogin,
      click: (item) => actions.toggleOpenAtLogin(item.checked),
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit', click: () => actions.quit() },
  ];
}

const SNIPPET_LENGTH = 60;

/** The first `SNIPPET_LENGTH` characters on one line, with "…" when cut. */
function snippet(text: string): string {
  // By code point, so an emoji is never cut in half.
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length > SNIPPET_LENGTH ? `${chars.slice(0, SNIPPET_LENGTH).join('').trimEnd()}…` : chars.join('');
}

/** The tray's tooltip: "Utter — idle", "Utter — reading: …", "Utter — paused: …", "Utter — error: …". */
export function trayTooltip(state: Pick<TrayState, 'status' | 'reading' | 'error'>): string {
  const about = (label: string, text: string | undefined): string => {
    const shown = text ? snippet(text) : '';
    return shown ? `Utter — ${label}: ${shown}` : `Utter — ${label}`;
  };
  switch (state.status) {
    case 'idle':
      return 'Utter — idle';
    case 'speaking':
      return about('reading', state.reading);
    case 'paused':
      return about('paused', state.reading);
    case 'error':
      return about('error', state.error);
  }
}

/**
 * The file in resources/ for the tray icon. On macOS a name ending in "Template" makes
 * Electron load it as a template image (black and alpha only), which the menu bar recolours
 * for light and dark mode (docs/api/native-image.md, "Template Image"). Electron picks the
 * @2x file beside it on HiDPI screens. resources/make-tray-icons.mjs draws them.
 */
export function trayIconName(status: PlayerStatus, platform: NodeJS.Platform): string {
  const base = status === 'idle' ? 'tray' : `tray-${status}`;
  return platform === 'darwin' ? `${base}Template.png` : `${base}.png`;
}
