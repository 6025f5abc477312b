// The app's own updates (issue 11 #12): electron-updater against the one generic feed the
// build was packaged with. Checked at start and daily unless turned off; an update is
// offered (downloaded and installed only when the user asks), never forced. Electron-free:
// the updater is handed in, so tests run the real electron-updater against a local server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppUpdater } from 'electron-updater';
import type { UpdateStatus } from '../../shared/updates';

/** The parts of electron-updater's AppUpdater this uses. */
export type Updater = Pick<AppUpdater, 'checkForUpdates' | 'downloadUpdate' | 'quitAndInstall' | 'autoDownload' | 'autoInstallOnAppQuit' | 'logger'>;

export const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;
/** The check at start waits a little: the first thing a user does should not compete with it. */
export const FIRST_CHECK_MS = 20_000;

/** The feed a packaged build names, or why there is none. */
export type UpdateFeed = { url: string } | { off: string };

/**
 * electron-builder writes app-update.yml beside app.asar when the build names a feed
 * (UTTER_UPDATE_URL at packaging time); without it there is nothing to update from.
 */
export function updateFeed(resourcesPath: string | undefined, packaged: boolean): UpdateFeed {
  if (!packaged || !resourcesPath) return { off: 'a copy run from source does not update itself' };
  const file = join(resourcesPath, 'app-update.yml');
  if (!existsSync(file)) return { off: 'this build names no update feed (it was packaged without UTTER_UPDATE_URL)' };
  const url = /^url:\s*['"]?([^'"\s]+)/m.exec(readFileSync(file, 'utf8'))?.[1];
  return url ? { url } : { off: `${file} names no feed URL` };
}

export interface AppUpdatesOptions {
  feed: UpdateFeed;
  /** Made on first use: electron-updater is not loaded by a build without a feed. */
  createUpdater: () => Promise<Updater>;
  /** The setting: automatic checks at start and daily. A check asked for by the user always runs. */
  automatic: () => boolean;
  onChange: (status: UpdateStatus) => void;
  firstCheckMs?: number;
  everyMs?: number;
  /** Where electron-updater's warnings and errors go (the console by default). */
  log?: (message: string) => void;
}

export class AppUpdates {
  private current: UpdateStatus;
  private updater: Promise<Updater> | null = null;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  private busy: Promise<UpdateStatus> | null = null;

  constructor(private readonly options: AppUpdatesOptions) {
    this.current = 'off' in options.feed ? { state: 'off', reason: options.feed.off } : { state: 'idle', feed: options.feed.url };
  }

  get status(): UpdateStatus {
    return this.current;
  }

  /** Schedules the automatic checks; they do nothing while the setting is off. */
  start(): void {
    if (this.current.state === 'off') return;
    const automatic = (): void => {
      if (this.options.automatic()) void this.check();
    };
    const first = setTimeout(automatic, this.options.firstCheckMs ?? FIRST_CHECK_MS);
    const daily = setInterval(automatic, this.options.everyMs ?? CHECK_EVERY_MS);
    // A tray app's timers must not keep a quitting process alive.
    first.unref?.();
    daily.unref?.();
    this.timers.push(first, daily);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  /** Asks the feed for a newer version; answers with where things stand after it. */
  check(): Promise<UpdateStatus> {
    const feed = this.feed();
    if (!feed || this.current.state === 'downloading' || this.current.state === 'ready') return Promise.resolve(this.current);
    return this.once(async () => {
      this.set({ state: 'checking', feed });
      try {
        const updater = await this.loadUpdater();
        const result = await updater.checkForUpdates();
        if (!result) return this.set({ state: 'off', reason: 'this kind of installation cannot update itself (only the AppImage, the installer and the deb/rpm packages can)' });
        const version = result.updateInfo.version;
        if (result.isUpdateAvailable) return this.set({ state: 'available', feed, version });
        return this.set({ state: 'up-to-date', feed, version, checkedAt: Date.now() });
      } catch (error) {
        return this.set({ state: 'error', feed, message: describeUpdateError(error, 'check') });
      }
    });
  }

  /** Downloads the update offered; electron-updater checks its sha512 before calling it ready. */
  download(): Promise<UpdateStatus> {
    const feed = this.feed();
    const offered = this.current;
    if (!feed || offered.state !== 'available') return Promise.resolve(this.current);
    return this.once(async () => {
      this.set({ state: 'downloading', feed, version: offered.version });
      try {
        await (await this.loadUpdater()).downloadUpdate();
        return this.set({ state: 'ready', feed, version: offered.version });
      } catch (error) {
        return this.set({ state: 'error', feed, message: describeUpdateError(error, 'download') });
      }
    });
  }

  /** Quits and installs, only once a verified download is ready and the user asked. */
  async install(): Promise<UpdateStatus> {
    if (this.current.state !== 'ready') return this.current;
    (await this.loadUpdater()).quitAndInstall(false, true);
    return this.current;
  }

  private feed(): string | null {
    return this.current.state === 'off' ? null : this.current.feed;
  }

  /** One check or download at a time; a second ask joins the one running. */
  private once(work: () => Promise<UpdateStatus>): Promise<UpdateStatus> {
    this.busy ??= work().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private loadUpdater(): Promise<Updater> {
    this.updater ??= this.options.createUpdater().then((updater) => {
      // Offered, never forced: nothing is downloaded or installed unless the user asks.
      updater.autoDownload = false;
      updater.autoInstallOnAppQuit = false;
      updater.logger = quietLogger(this.options.log ?? ((message) => console.warn(`Utter updates: ${message}`)));
      return updater;
    });
    return this.updater;
  }

  private set(status: UpdateStatus): UpdateStatus {
    this.current = status;
    this.options.onChange(status);
    return status;
  }
}

/** electron-updater logs every step; only its warnings and errors matter. */
function quietLogger(log: (message: string) => void): NonNullable<Updater['logger']> {
  return {
    info: () => {},
    warn: (message?: unknown) => log(String(message)),
    error: (message?: unknown) => log(String(message)),
  };
}

/** electron-updater's errors, as a sentence a user can act on. */
export function describeUpdateError(error: unknown, during: 'check' | 'download'): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error).split('\n')[0].slice(0, 240);
  if (code === 'ERR_CHECKSUM_MISMATCH' || /sha512 checksum mismatch/i.test(text)) {
    return 'The downloaded update did not match its published checksum (sha512), so it was deleted and nothing was installed. Try again later; if it keeps happening, the update server is serving a damaged file.';
  }
  if (code === 'ERR_UPDATER_INVALID_UPDATE_INFO' || code === 'ERR_UPDATER_INVALID_VERSION' || /YAMLException|Cannot parse update info|invalid version/i.test(text)) {
    return `The update server's description of the latest version could not be read, so no update was offered (${text}).`;
  }
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND') return `The update server has no description of the latest version for this system (${text}).`;
  return during === 'check' ? `Could not check for updates: ${text}` : `The update could not be downloaded: ${text}`;
}

/** The platform's updater (AppImage, NSIS, Squirrel.Mac, deb/rpm), loaded only when a feed exists. */
export async function loadAutoUpdater(): Promise<Updater> {
  return (await import('electron-updater')).autoUpdater;
}
