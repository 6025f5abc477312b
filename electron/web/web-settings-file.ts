// What the user changes in `utter web`'s settings, kept in the settings file the command
// read, so that "Saved." outlives the run. Only the settings the page changed are written:
// the file's others, and what the command line or the environment set for this run, stay.
import type { Settings } from '../../shared/config/schema';
import { MOST_SETTINGS_BYTES } from '../engine/config';
import { isPipeOrDevice, readFileAtMost } from '../engine/read-at-most';
import { writeFileAtomically } from '../store/atomic-file';
import { watchFile } from '../store/watch-file';
import { isDeepStrictEqual } from 'node:util';

/** Kept in memory for the run: `utter web` has no protected storage to put a key in. */
const NEVER_WRITTEN = new Set(['apiKey', 'apiKeyConfirm', 'apiKeyOrigins']);

export class WebSettingsFile {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /**
   * Writes the `changed` settings, with their values in `settings`, into the file. Resolves
   * to what the page shows instead of "Saved." when not all were kept, or undefined.
   */
  keep(changed: readonly string[], settings: Settings): Promise<string | undefined> {
    const run = this.queue.then(() => this.write(changed, settings));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(changed: readonly string[], settings: Settings): Promise<string | undefined> {
    const key = changed.some((name) => NEVER_WRITTEN.has(name)) ? 'Saved; the API key is kept for this run only: `utter web` has no protected place for it (the app, or UTTER_API_KEY, keeps one).' : undefined;
    const kept = changed.filter((name) => !NEVER_WRITTEN.has(name) && name in settings);
    if (!kept.length) return key;
    const notSaved = (why: string) => `Applied for this run, not saved: ${why}.`;
    // Read once already, as the command started: it would be waited on, or replaced by a file.
    if (await isPipeOrDevice(this.file)) return notSaved(`${this.file} is a pipe or a device`);
    let content: Record<string, unknown>;
    try {
      content = await this.read();
    } catch (error) {
      return notSaved((error as Error).message);
    }
    for (const name of kept) content[name] = settings[name as keyof Settings];
    try {
      await writeFileAtomically(this.file, `${JSON.stringify(content, null, 2)}\n`, 0o600);
    } catch (error) {
      return notSaved(`${this.file} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return key;
  }

  /** The file as it is: a missing one is empty; one that is not a JSON object is left alone. */
  private async read(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = new TextDecoder().decode(await readFileAtMost(this.file, MOST_SETTINGS_BYTES));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${this.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${this.file} does not hold valid JSON settings, and is left as it is`);
    return parsed as Record<string, unknown>;
  }
}

/** Kept as the command line gave them: an edit of the file does not change where a key goes. */
const NOT_FOLLOWED = new Set(['apiKey', 'apiKeyOrigins']);

/**
 * Follows edits of the settings file while `utter web` runs (by hand, or by the app, which
 * writes the same file): `reload` reads the settings as the command did (file < environment
 * < flags, so a flag still wins), and each setting that changed in it, and differs from the
 * one in use, goes to `apply`. An edit that does not load (the user is in the middle of it)
 * is said once and changes nothing. Returns the function that stops following.
 */
export function followSettingsFile(options: {
  file: string;
  /** The settings as the command loaded them at the start. */
  loaded: Settings;
  reload(): Promise<Settings>;
  inUse(): Settings;
  apply(changes: Partial<Settings>): Promise<void>;
  warn(message: string): void;
}): () => void {
  let loaded = options.loaded;
  let problem = '';
  const follow = async (): Promise<void> => {
    // Read once already, as the command started: reading it again would wait on the pipe.
    if (await isPipeOrDevice(options.file)) return;
    let next: Settings;
    try {
      next = await options.reload();
    } catch (error) {
      const now = (error as Error).message;
      if (now !== problem) options.warn(`${options.file} was changed, but ${now.replace(/\.$/, '')}: the settings in use stay.`);
      problem = now;
      return;
    }
    problem = '';
    const inUse = options.inUse();
    const changes = Object.fromEntries(
      Object.keys(next)
        .filter((name) => !NOT_FOLLOWED.has(name))
        .filter((name) => !isDeepStrictEqual(next[name as keyof Settings], loaded[name as keyof Settings]))
        .filter((name) => !isDeepStrictEqual(next[name as keyof Settings], inUse[name as keyof Settings]))
        .map((name) => [name, next[name as keyof Settings]]),
    ) as Partial<Settings>;
    loaded = next;
    if (Object.keys(changes).length) await options.apply(changes);
  };
  return watchFile(options.file, () => void follow().catch((error: Error) => options.warn(`${options.file} was changed, but it could not be taken up: ${error.message}`)));
}
