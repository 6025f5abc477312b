// What the user changes in `utter web`'s settings, kept in the settings file the command
// read, so that "Saved." outlives the run. Only the settings the page changed are written:
// the file's others, and what the command line or the environment set for this run, stay.
import type { Settings } from '../../shared/config/schema';
import { MOST_SETTINGS_BYTES } from '../engine/config';
import { isPipeOrDevice, readFileAtMost } from '../engine/read-at-most';
import { writeFileAtomically } from '../store/atomic-file';

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
