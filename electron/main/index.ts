// The Electron shell: as thin as it can be. Everything that can be proven without
// Electron lives in the engine and in app-protocol.ts; what the pages may ask is in page-ipc.ts.
import { basename, join } from 'node:path';
import { app, clipboard, dialog, globalShortcut, Notification, protocol, safeStorage, session } from 'electron';
import type { CheckResult } from '../doctor/report';
import { formatSettingsIssues, type Settings } from '../../shared/config/schema';
import type { PublicSettings } from '../../shared/renderer-api';
import { trayStatusOf } from '../../shared/session';
import { SavedSession } from '../session/saved-session';
import { LinkEstimates } from '../engine/link-estimate';
import { Session } from '../session/session';
import { APP_SCHEME } from '../pages/app-protocol';
import { readClipboardForSpeech } from '../shell/clipboard-text';
import { layerEnvironment, type LayeredSettings } from '../engine/config';
import { describeHotkeyFailure, enableChromiumFeature, registerHotkeys, waylandGlobalShortcutsSwitch, type HotkeyReport } from '../shell/hotkeys';
import { appDiagnostics, diagnosticsDialog } from '../shell/diagnostics';
import { newAppSocketPath, publishAppSocket, startAppSocket } from '../session/app-socket';
import { createSafeStorageSecretStore, type SecretStore } from '../store/secret-store';
import { SettingsStore } from '../store/settings-store';
import { watchFile } from '../store/watch-file';
import { PRONUNCIATIONS_FILE, PronunciationStore } from '../store/pronunciation-store';
import { readTextFilesFromDisk } from '../shell/text-files';
import { isAutostartEnabled, setAutostart } from '../shell/linux-autostart';
import { parseLaunchArgs, type LaunchRequest } from '../shell/launch-args';
import { registerPageIpc } from './page-ipc';
import { WindowStateFile } from '../shell/window-state';
import { rendererFileHandler } from '../pages/renderer-files';
import { AppUpdates, loadAutoUpdater, updateFeed } from '../shell/updates';
import { describeUpdateStatus, type UpdateStatus } from '../../shared/updates';
import { WarmEmbeddedVoice, warmRequestPath } from '../engine/warm-up';
import { LinkWarmer } from '../engine/link-warmer';
import { AppTray } from './tray';
import { SaveJobs } from '../save/save-jobs';
import { chooseSavePath } from './save-dialog';
import { describeSaveOutcome } from '../../shared/save';
import { AppWindows } from './windows';
import { AudioCache, MEGABYTE } from '../engine/cache/audio-cache';
import { createSelectionReader } from './selection';

// The bundle is out/main/index.js; its siblings are fixed by electron.vite.config.ts, and
// electron-builder.yml packs resources/icon.png next to out/ (also inside app.asar).
const RENDERER_ROOT = join(import.meta.dirname, '..', 'renderer');
const PRELOAD = join(import.meta.dirname, '..', 'preload', 'index.cjs');
const RESOURCES = join(import.meta.dirname, '..', '..', 'resources');
const ICON = join(RESOURCES, 'icon.png');

// Must happen before 'ready': a standard, secure scheme gets 'self', fetch, workers and
// cross-origin isolation like https does.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

// Global shortcuts under Wayland go through the desktop portal (hotkeys.ts).
const portalFeature = waylandGlobalShortcutsSwitch(process.env, process.platform);
if (portalFeature) enableChromiumFeature(app.commandLine, portalFeature);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch hands its command line to this one: files to read, --speak-clipboard, --speak-selection.
  app.on('second-instance', (_event, argv, workingDirectory) => onLaunch(parseLaunchArgs(argv, workingDirectory, process.defaultApp), 'second'));
  // macOS: files opened with Utter from Finder, or dropped on its Dock icon; they may come before 'ready'.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (windows) void speakFiles([path]);
    else filesBeforeStart.push(path);
  });
  // A failure while starting (not only in 'ready' itself) is said, never swallowed.
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('Utter could not start:', error);
      dialog.showErrorBox('Utter could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}

let tray: AppTray | null = null;
const filesBeforeStart: string[] = [];
let store: SettingsStore;
let stopWatchingSettings = (): void => {};
let stopWatchingDictionary = (): void => {};
let pronunciations: PronunciationStore;
let secrets: SecretStore;
let speaking: Session;
let updates: AppUpdates;
/** Where `utter speak` reaches this run (a new random pipe on Windows). */
const socketPath = newAppSocketPath();
let windows: AppWindows | null = null;
let links: LinkEstimates | null = null;
let saves: SaveJobs;
/** Opens the server's connection when the user may speak soon (the tray, the player, a settings change). */
const linkWarmer = new LinkWarmer();
const selection = createSelectionReader((message) => console.warn(`Utter: ${message}`));

// A tray app: closing its windows does not quit it; the tray's Quit does.
app.on('window-all-closed', () => {});
app.on('before-quit', () => {
  if (windows) windows.quitting = true;
});
app.on('will-quit', () => {
  stopWatchingSettings();
  stopWatchingDictionary();
  globalShortcut.unregisterAll();
  links?.flush();
  void selection.close();
});

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, rendererFileHandler(RENDERER_ROOT));
  // Deny every permission (camera, notifications from the page, …) unless listed later.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  const userData = app.getPath('userData');
  secrets = createSafeStorageSecretStore(safeStorage, join(userData, 'api-key.bin'));
  const settingsFile = join(userData, 'settings.json');
  store = new SettingsStore({ file: settingsFile, secrets, onNotice: notify });
  await store.load();
  // settings.json changed while the app runs (by hand, or by `utter web`) is taken up at once.
  stopWatchingSettings = watchFile(settingsFile, () => void store.reloadIfChanged().catch((error: Error) => notify(`The settings file could not be written: ${error.message}`)));
  const pronunciationsFile = join(userData, PRONUNCIATIONS_FILE);
  pronunciations = new PronunciationStore({ file: pronunciationsFile, onNotice: notify });
  await pronunciations.load();
  // The dictionary too: an edit by hand, or from `utter web`, applies to the next text spoken.
  stopWatchingDictionary = watchFile(pronunciationsFile, () => void pronunciations.reloadIfChanged());
  const refused = effectiveSettings().issues;
  if (refused.length) notify(`Refused from the environment (the other variables apply): ${formatSettingsIssues(refused)}.`);
  const places = new WindowStateFile(join(userData, 'windows.json'));
  await places.load();
  windows = new AppWindows({ preload: PRELOAD, icon: ICON }, places);
  speaking = new Session({
    settings: engineSettings,
    pronunciations: () => pronunciations.compiled(),
    // The player page is the audio sink; a crashed one is recreated (windows.ts) and attaches anew.
    needSink: () => windows?.ensurePlayer(),
    // The hidden player loads in well under a second; far longer means it is broken, and the user must hear of it.
    sinkTimeoutMs: 15_000,
    saved: new SavedSession(join(userData, 'session.json'), notify),
    cache: new AudioCache(join(userData, 'audio-cache'), () => engineSettings().audioCacheMb * MEGABYTE, (message) => console.warn(`Utter: ${message}`)),
    links: (links = new LinkEstimates(join(userData, 'network.json'), (message) => console.warn(`Utter: ${message}`))),
    notify: (message) => {
      if (!windows?.playerVisible) notify(message);
    },
    warn: (message) => console.warn(`Utter: ${message}`),
    saveRate: (rate) => void store.update({ playbackRate: rate }),
    warmLink: (settings) => void linkWarmer.warm(settings),
  });
  await speaking.restore();
  updates = new AppUpdates({
    feed: updateFeed(process.resourcesPath, app.isPackaged),
    createUpdater: loadAutoUpdater,
    automatic: () => store.get().checkForUpdates,
    onChange: onUpdateStatus,
  });
  // The session's speech, in its request format: what the player plays is what is saved.
  saves = new SaveJobs({ settings: () => ({ ...engineSettings(), format: speaking.view().format }), provider: (settings) => speaking.speechProvider(settings), pronunciations: () => pronunciations.compiled() });
  saves.subscribe((status) => {
    // Saved from the tray with no player in sight: the outcome still reaches the user.
    if ((status.state === 'saved' || status.state === 'failed') && !windows?.playerVisible) notify(describeSaveOutcome(status));
  });
  registerPageIpc({
    store,
    engineSettings,
    withShellState,
    setOpenAtLogin,
    openSettings: () => windows?.showSettings(),
    showPlayer: () => windows?.showPlayer(),
    finishWelcome: () => windows?.closeWelcome(),
    pinMini: (pinned) => windows?.pinMini(pinned),
    session: speaking,
    updates,
    saves,
    chooseSaveTarget: (name, format) => chooseSavePath(name, format, saveFolder()),
    pronunciations,
  });
  startTray();
  updates.start();
  speaking.subscribe((view) => {
    tray?.update({ ...trayStatusOf(view, view.current ? speaking.textOf(view.current.textId) : undefined), resumable: view.resumable?.title ?? null, canSave: Boolean(view.current ?? view.history[0]), rate: view.rate });
    // Nobody sees the player: an error, or a switch to another server, must still reach the user.
    const unseen = !windows?.playerVisible;
    // Each error once, whatever the state: a queued text may already be playing after it.
    if (view.error && view.error !== lastError && unseen) notify(view.error);
    lastError = view.error;
    if (view.notice && view.notice !== lastNotice && /^Switched to/.test(view.notice) && unseen) notify(view.notice);
    lastNotice = view.notice;
  });
  // The player page loads hidden now, so the first hotkey finds its audio path warm.
  windows.ensurePlayer();
  // `utter speak TEXT`, `--clipboard` and `--selection` from a terminal reach the app here.
  startAppSocket(socketPath, (request) => {
    if (request.type === 'speak-clipboard') return speakClipboard();
    if (request.type === 'speak-selection') return speakSelection();
    if (request.type === 'doctor') return diagnostics().then((checks) => ({ checks }));
    return speaking.speak([request.text]);
  })
    .then(() => publishAppSocket(socketPath))
    .catch((error: Error) => console.warn(`Utter: the command-line socket could not start: ${error.message}`));
  applyHotkeys(store.get());
  const voice = new WarmEmbeddedVoice();
  voice.follow(engineSettings().provider);
  // A warm-up that fails costs only speed: the first request then says what is wrong.
  warmRequestPath().catch((error: Error) => console.warn(`Utter: the request path could not warm up: ${error.message}`));
  store.subscribe((settings) => {
    applyHotkeys(settings);
    tray?.update({ hotkeys: settings.hotkeys });
    voice.follow(engineSettings().provider);
    speaking.expectSpeech();
  });
  const launch = parseLaunchArgs(process.argv, process.cwd(), process.defaultApp);
  // The first start (no settings file) welcomes the user once: the file is written now, so
  // the welcome comes back only from the tray's Welcome…
  if (store.firstStart) {
    windows.showWelcome();
    void store.saveIfMissing().catch((error: Error) => console.warn(`Utter: the settings file could not be written: ${error.message}`));
  }
  onLaunch({ ...launch, files: [...filesBeforeStart.splice(0), ...launch.files] }, 'first', store.firstStart);
}

/**
 * What a launch asks for. Files are read aloud with the player shown; --speak-clipboard
 * and --speak-selection speak without showing anything, like the hotkeys. Otherwise the first launch shows the
 * player (unless started at login, --hidden) and a second one brings it forward.
 */
function onLaunch(request: LaunchRequest, which: 'first' | 'second', welcomed = false): void {
  if (request.missing.length) notify(`Nothing to read at ${request.missing.map((path) => basename(path)).join(', ')}: no such file.`);
  if (request.speakClipboard) void speakClipboard();
  if (request.speakSelection) void speakSelection();
  if (request.files.length) void speakFiles(request.files);
  // The welcome stands in for the player at the first start.
  const quiet = request.speakClipboard || request.speakSelection || (which === 'first' && (request.hidden || welcomed));
  if (request.files.length || !quiet) windows?.showPlayer();
}

/** The version last announced: an update is offered once, not at every daily check. */
let announcedUpdate = '';

function onUpdateStatus(status: UpdateStatus): void {
  const offered = status.state === 'available' || status.state === 'ready' ? status : null;
  tray?.update({ update: offered ? describeUpdateStatus(offered) : null });
  if (status.state === 'available' && status.version !== announcedUpdate) {
    announcedUpdate = status.version;
    notify(`${describeUpdateStatus(status)} Open Settings › About and updates to download it.`);
  }
  if (status.state === 'error') console.warn(`Utter: ${status.message}`);
}

let lastNotice: string | undefined;
let lastError: string | undefined;

/**
 * The settings in force: the stored ones with the UTTER_* variables on top, the same
 * layering as the CLI (defaults < file < environment), so a key in UTTER_API_KEY works
 * where safeStorage cannot and the page plays by the same buffering the engine reads with.
 */
function effectiveSettings(): LayeredSettings {
  return layerEnvironment(store.get(), process.env);
}

function engineSettings(): Settings {
  return effectiveSettings().settings;
}

function startTray(): void {
  tray = new AppTray(
    RESOURCES,
    store.get().hotkeys,
    {
      speakClipboard: () => void speakClipboard(),
      speakSelection: () => void speakSelection(),
      pauseResume: () => speaking.pauseResume(),
      stop: () => speaking.stop(),
      skip: () => speaking.skip(),
      changeRate: (change) => speaking.changeRate(change),
      resumeReading: () => speaking.resumeSaved(),
      openPlayer: () => {
        speaking.expectSpeech();
        windows?.showPlayer();
      },
      openMini: (icon) => {
        speaking.expectSpeech();
        windows?.toggleMini(icon);
      },
      openWelcome: () => windows?.showWelcome(),
      openSettings: () => windows?.showSettings(),
      openFile: () => void openFiles(),
      saveAudio: () => void saveFromTray(),
      diagnostics: () => void showDiagnostics(),
      toggleOpenAtLogin: (openAtLogin) => void setOpenAtLogin(openAtLogin),
      quit: () => app.quit(),
    },
    isOpenAtLogin(),
    (paths) => void speakFiles(paths),
  );
}

/**
 * What a page sees: the settings in force (the environment's among them, and which variable
 * set each) plus what the shell knows (hotkeys taken, login item); never the key.
 */
function withShellState(stored: PublicSettings): PublicSettings {
  const { settings, fromEnvironment } = effectiveSettings();
  const { apiKey, apiKeyOrigins: _origins, ...visible } = settings;
  return { ...stored, ...visible, apiKeySet: Boolean(stored.apiKeySet || apiKey), fromEnvironment, hotkeyProblems, openAtLogin: isOpenAtLogin() };
}

function isOpenAtLogin(): boolean {
  return process.platform === 'linux' ? isAutostartEnabled() : app.getLoginItemSettings().openAtLogin;
}

/** Shortcuts that could not be registered, for the settings window. */
let hotkeyProblems: PublicSettings['hotkeyProblems'] = {};
let hotkeyReport: HotkeyReport | null = null;

/** Registers the global shortcuts; one that cannot be had is reported, never ignored. */
function applyHotkeys(settings: Settings): void {
  const report = registerHotkeys(globalShortcut, settings.hotkeys, {
    speakClipboard: () => void speakClipboard(),
    speakSelection: () => void speakSelection(),
    stop: () => speaking.stop(),
    pauseResume: () => speaking.pauseResume(),
    faster: () => speaking.changeRate('faster'),
    slower: () => speaking.changeRate('slower'),
    normalRate: () => speaking.changeRate('normal'),
  });
  hotkeyReport = report;
  hotkeyProblems = Object.fromEntries(report.failures.map((failure) => [failure.action, failure.reason]));
  for (const failure of report.failures) notify(`A shortcut could not be set. ${describeHotkeyFailure(failure)}`);
}

/** The doctor's checks, with what only the app knows: its shortcuts, its audio, how the key is kept. */
function diagnostics(): Promise<CheckResult[]> {
  return appDiagnostics({
    root: app.getAppPath(),
    settingsFile: join(app.getPath('userData'), 'settings.json'),
    settings: engineSettings(),
    env: process.env,
    socketPath,
    electronVersion: process.versions.electron ?? 'unknown',
    updates: { status: updates.status, automatic: store.get().checkForUpdates },
    hotkeys: hotkeyReport,
    audio: speaking.audioOutput,
    keyProtectionWarning: secrets.warning() ?? '',
  });
}

/** "Diagnostics…" from the tray: the report in a dialog that can copy it. */
async function showDiagnostics(): Promise<void> {
  const report = diagnosticsDialog(await diagnostics());
  const { response } = await dialog.showMessageBox(report);
  if (response === 0) clipboard.writeText(report.detail ?? '');
}

/** Start at login: the OS's login items, or an XDG autostart entry on Linux. */
async function setOpenAtLogin(openAtLogin: boolean): Promise<void> {
  try {
    if (process.platform !== 'linux') app.setLoginItemSettings({ openAtLogin, args: ['--hidden'] });
    else await setAutostart(openAtLogin, process.env.APPIMAGE ?? process.execPath);
  } catch (error) {
    notify(`Start at login could not be changed: ${(error as Error).message}`);
  }
  tray?.update({ openAtLogin: isOpenAtLogin() });
}

/** "Open file…" from the tray: the chosen text files are read aloud in order. */
async function openFiles(): Promise<void> {
  const chosen = await dialog.showOpenDialog({
    title: 'Read aloud',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Text', extensions: ['txt', 'md', 'markdown', 'text', 'html', 'htm'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  if (!chosen.canceled) await speakFiles(chosen.filePaths);
}

/** Files from the tray (opened, or dropped on it on macOS): the first speaks, the rest queue. */
async function speakFiles(paths: readonly string[]): Promise<void> {
  const { texts, errors } = await readTextFilesFromDisk(paths);
  if (errors.length) notify(errors.join(' '));
  if (texts.length) speaking.speak(texts);
}

/** "Save audio…" from the tray: the text being read, or the last one read. */
async function saveFromTray(): Promise<void> {
  const view = speaking.view();
  const held = view.current?.textId ?? view.history[0]?.textId;
  const text = held === undefined ? undefined : speaking.textOf(held);
  if (!text) return notify('Nothing has been read yet, so there is no audio to save.');
  const outcome = await saves.save(text, 'mp3', (name, format) => chooseSavePath(name, format, saveFolder()));
  if (outcome.state === 'not-saved' && !/No file was chosen/.test(outcome.reason)) notify(outcome.reason);
}

/** Where the save dialog opens: the user's music folder, else their home. */
function saveFolder(): string {
  try {
    return app.getPath('music');
  } catch {
    return app.getPath('home');
  }
}

/** Speaks the clipboard's text; when there is none, says so (and returns why, for the CLI). */
async function speakClipboard(): Promise<string | null> {
  const result = await readClipboardForSpeech(clipboard);
  if (!result.ok) {
    notify(result.message);
    return result.message;
  }
  return speaking.speak([result.text]);
}

/** Speaks the text selected in the focused application; when there is none, says so. */
async function speakSelection(): Promise<string | null> {
  const result = await selection.read();
  if (!result.ok) {
    notify(result.message);
    return result.message;
  }
  // macOS without the Accessibility permission read the clipboard instead, and says so.
  if (result.notice) notify(result.notice);
  return speaking.speak([result.text]);
}

function notify(body: string): void {
  if (Notification.isSupported()) new Notification({ title: 'Utter', body, icon: ICON }).show();
  else console.warn(`Utter: ${body}`);
}
