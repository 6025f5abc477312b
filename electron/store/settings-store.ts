// The app's settings on disk: settings.json validated by the one schema, the API
// key apart in a SecretStore. Electron-free: what it needs is passed in, so it is tested
// on real files in plain Node.
import { MOST_SETTINGS_BYTES } from '../engine/config';
import { readFileAtMost, TooLargeError } from '../engine/read-at-most';
import {
  DEFAULT_SETTINGS,
  formatSettingsIssues,
  HOTKEY_ACTIONS,
  settingsSchema,
  validateSettings,
  type Settings,
  type SettingsIssue,
} from '../../shared/config/schema';
import type { PublicSettings } from '../../shared/renderer-api';
import { originOf, originsOf } from '../engine/key-binding';
import { FollowedFile } from './followed-file';
import { keepBadFile } from './bad-file';
import type { SecretStore } from './secret-store';

/** What a page may see: every setting but the key, and whether a key is set. */
export type SettingsForRenderer = PublicSettings & { apiKeySet: boolean };

/** The answer to update(): the new settings, or why the patch was refused. */
export type SettingsUpdateResult = { ok: true; settings: SettingsForRenderer } | { ok: false; issues: SettingsIssue[] };

/** Where the settings live and who hears about problems the user must know of. */
export interface SettingsStoreOptions {
  /** settings.json; the folder is created on the first write. null: in memory only (`utter web`). */
  file: string | null;
  /** What an in-memory store starts from (the command line's settings); a file's store reads its file. */
  initial?: Settings;
  secrets: SecretStore;
  /** A message for the user: a broken file that was set aside, a key that is not protected. */
  onNotice?: (message: string) => void;
}

/**
 * Loads, validates, saves and broadcasts the app's settings. Every load and update runs
 * one after the other, so two quick updates neither interleave nor lose one another.
 */
export class SettingsStore {
  private settings: PublicSettings = withoutKey(DEFAULT_SETTINGS);
  private apiKey: string | undefined;
  /** The origins the key was entered or confirmed for; null: bound to none in particular (this run's command line). */
  private keyOrigins: string[] | null = null;
  /** A key the user wrote into settings.json that could not be moved to the secret store: keep it there. */
  private keyStaysInFile = false;
  private loaded = false;
  /** settings.json, as this store last read or wrote it: an edit made there by someone else is told apart. */
  private readonly followed: FollowedFile | null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(settings: Settings) => void>();

  /** There was no settings file at load: the first start, which the app welcomes. */
  firstStart = false;

  constructor(private readonly options: SettingsStoreOptions) {
    this.followed = options.file === null ? null : new FollowedFile(options.file, MOST_SETTINGS_BYTES);
  }

  /** Writes the settings file if there is none, so the next start is not a first one. */
  saveIfMissing(): Promise<void> {
    return this.serialize(async () => {
      this.assertLoaded();
      if (this.firstStart) await this.save();
    });
  }

  /**
   * Reads settings.json. A missing file means the defaults. A file that is not JSON, or
   * breaks the schema, is copied byte for byte to `settings.json.bad-<time>`; each setting
   * that is valid on its own is kept, the others go back to their defaults, the repaired
   * file is saved and onNotice names the backup and the problems. Only a file that cannot
   * be read at all (permissions) rejects, since defaults would then overwrite it.
   */
  load(): Promise<Settings> {
    return this.serialize(async () => {
      const fromFile = await this.readFile();
      const { apiKey: keyInFile, ...visible } = fromFile.settings;
      this.settings = visible;
      this.keyStaysInFile = false;
      const secret = await this.readSecret();
      // Trimmed as a key entered now is: one stored before with a pasted line break goes out whole.
      this.apiKey = secret?.key.trim() || undefined;
      // A key stored before keys were bound is bound from now on, to the servers in use now.
      this.keyOrigins = secret ? (secret.origins === undefined ? originsOf(visible.baseUrls) : secret.origins) : null;
      // The file's key wins: the user put it there more recently than anything else.
      const moved = keyInFile ? await this.moveKeyOutOfFile(keyInFile) : false;
      if (fromFile.repaired || moved) await this.save();
      if (moved) {
        this.notice(`The API key found in ${this.options.file} was moved to protected storage and removed from the file.`);
        this.warnIfUnprotected();
      }
      this.loaded = true;
      return this.get();
    });
  }

  /** The current settings, the API key included: for the main process only. */
  get(): Settings {
    this.assertLoaded();
    if (!this.apiKey) return { ...this.settings };
    return this.keyOrigins ? { ...this.settings, apiKey: this.apiKey, apiKeyOrigins: [...this.keyOrigins] } : { ...this.settings, apiKey: this.apiKey };
  }

  /** The settings a page may see: never the key, only whether one is set. */
  publicSettings(): SettingsForRenderer {
    this.assertLoaded();
    const withheld = this.apiKey && this.keyOrigins ? originsOf(this.settings.baseUrls).filter((origin) => !this.keyOrigins!.includes(origin)) : [];
    return { ...this.settings, apiKeySet: Boolean(this.apiKey), ...(withheld.length ? { apiKeyWithheldFrom: withheld } : {}) };
  }

  /**
   * Takes up what someone else wrote into settings.json since this store last read or wrote
   * it (the user in an editor, `utter web`): its settings replace the ones in memory, and
   * the listeners hear them. A text that is not valid is left as it is (the user may be in
   * the middle of an edit) and said once; the settings in memory stay. True: taken up.
   */
  reloadIfChanged(): Promise<boolean> {
    return this.serialize(() => this.catchUp());
  }

  private async catchUp(): Promise<boolean> {
    const { file } = this.options;
    if (!this.followed || !this.loaded) return false;
    // Gone or unreadable: what is in memory stays, and the next save writes it again.
    const text = await this.followed.changedText();
    if (text === null) return false;
    const read = parseSettings(text);
    this.followed.judged(read.ok);
    if (!read.ok) {
      this.notice(`${file} was changed, but ${read.problem}. Utter keeps the settings it had until the file is fixed; a setting changed in Utter meanwhile replaces the file, which is then kept as a backup.`);
      return false;
    }
    const { apiKey: keyInFile, ...visible } = read.settings;
    this.settings = visible;
    if (this.keyStaysInFile && keyInFile !== this.apiKey) {
      // The key that had to stay in the file was taken out of it, or replaced there.
      this.apiKey = undefined;
      this.keyOrigins = null;
      this.keyStaysInFile = false;
    }
    if (keyInFile && !this.keyStaysInFile && (await this.moveKeyOutOfFile(keyInFile))) {
      await this.save();
      this.notice(`The API key found in ${file} was moved to protected storage and removed from the file.`);
    }
    this.emit();
    return true;
  }

  /**
   * Applies an untrusted patch (it comes from a page over IPC). The merged settings are
   * validated by the schema; a bad value is refused with one issue per setting and nothing
   * is written. `apiKey` goes to the secret store, never into the file; `apiKey: ''` clears
   * it. A property set to undefined means "unchanged". Rejects only when the disk write
   * fails; the settings in memory then stay as they were (a key change, stored first, stays).
   */
  update(patch: unknown): Promise<SettingsUpdateResult> {
    return this.serialize(async () => {
      this.assertLoaded();
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) {
        return refuse([{ setting: '(settings)', value: patch, message: 'must be an object of settings' }]);
      }
      const { apiKey: newKey, apiKeyConfirm, ...changes } = definedEntries(patch as Record<string, unknown>);
      if ('apiKeyOrigins' in changes) {
        return refuse([{ setting: 'apiKeyOrigins', value: changes.apiKeyOrigins, message: 'is set by entering the key, or confirming it, for the servers in use' }]);
      }
      if (apiKeyConfirm !== undefined && apiKeyConfirm !== true) return refuse([{ setting: 'apiKeyConfirm', value: apiKeyConfirm, message: 'must be true' }]);
      // The change goes over the file as it is now: an edit made there meanwhile is not lost.
      await this.catchUp();
      const merged: Record<string, unknown> = { ...this.settings, ...changes };
      if (newKey !== undefined) merged.apiKey = newKey;
      const checked = validateSettings(merged);
      if (!checked.ok) return refuse(checked.issues);
      // The key first: a key that cannot be stored safely refuses the whole update. A new
      // key, or a confirmed one, goes to the servers in use with it, and only to them.
      if (newKey !== undefined || (apiKeyConfirm && this.apiKey)) {
        const refusal = await this.storeKey(newKey !== undefined ? (checked.settings.apiKey ?? '') : this.apiKey!, originsOf(checked.settings.baseUrls));
        if (refusal) return refuse([refusal]);
      }
      const previous = this.settings;
      this.settings = withoutKey(checked.settings);
      try {
        await this.save();
      } catch (error) {
        this.settings = previous;
        throw error;
      }
      this.emit();
      return { ok: true, settings: this.publicSettings() };
    });
  }

  /** Calls `listener` with the new settings after every successful update; returns the unsubscribe. */
  subscribe(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new Error('SettingsStore: load() must finish before the settings are used.');
  }

  private async readFile(): Promise<{ settings: Settings; repaired: boolean }> {
    const { file } = this.options;
    if (file === null) return { settings: this.options.initial ?? DEFAULT_SETTINGS, repaired: false };
    let bytes: Uint8Array;
    try {
      bytes = await readFileAtMost(file, MOST_SETTINGS_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.firstStart = true;
        return { settings: DEFAULT_SETTINGS, repaired: false };
      }
      // Not copied as a backup either: it may be a device that never ends.
      if (error instanceof TooLargeError) return this.unsaved(`The settings file ${file} holds ${error.message}, and no settings file is that large`, 'too large to copy');
      throw new Error(`Cannot read the settings file ${file}: ${(error as Error).message}`);
    }
    // Editors on Windows may add a byte-order mark, which JSON.parse refuses (TextDecoder drops it).
    const text = new TextDecoder().decode(bytes);
    this.followed?.readHere(text);
    const read = parseSettings(text);
    if (read.ok) return { settings: read.settings, repaired: false };
    const backup = await this.backUp();
    if (read.issues) {
      if (!backup.ok) return this.unsaved(`Some settings in ${file} were not valid: ${describeIssues(read.issues)}`, backup.why, read.salvage);
      this.notice(
        `Some settings in ${file} were not valid: ${describeIssues(read.issues)}. The original file was kept as ${backup.file}; ` +
          'those settings were reset to their defaults (unknown ones dropped) and the valid ones kept.',
      );
      return { settings: read.salvage, repaired: true };
    }
    if (!backup.ok) return this.unsaved(`The settings file ${file} ${read.problem}`, backup.why);
    this.notice(`The settings file ${file} ${read.problem}. It was kept as ${backup.file}; Utter is using the default settings.`);
    return { settings: DEFAULT_SETTINGS, repaired: true };
  }

  /** Copies the bad file, byte for byte, next to it under a name that never overwrites another; or says why it could not. */
  private backUp(): Promise<{ ok: true; file: string } | { ok: false; why: string }> {
    return keepBadFile(this.options.file!);
  }

  /**
   * A bad file that could not be backed up: Utter starts from the defaults and says so, and
   * leaves the file as it is until the user changes a setting (which then replaces it).
   */
  private unsaved(problem: string, why: string, settings: Settings = DEFAULT_SETTINGS): { settings: Settings; repaired: false } {
    const using = settings === DEFAULT_SETTINGS ? 'the default settings' : 'the valid settings and the defaults for the rest';
    this.notice(`${problem}. It could not be kept as a backup (${why}), so it was left as it is; Utter is using ${using} until you change one.`);
    return { settings, repaired: false };
  }

  private async readSecret(): Promise<StoredKey | undefined> {
    try {
      const stored = await this.options.secrets.get();
      return stored === undefined ? undefined : decodeStoredKey(stored);
    } catch (error) {
      this.notice((error as Error).message);
      return undefined;
    }
  }

  /**
   * A key typed into settings.json: move it to the secret store (true: the file must be
   * rewritten without it), or keep it where it is and say so.
   */
  private async moveKeyOutOfFile(key: string): Promise<boolean> {
    this.apiKey = key;
    // Bound to the servers the same file names: the binding starts here.
    this.keyOrigins = originsOf(this.settings.baseUrls);
    try {
      await this.options.secrets.set(encodeStoredKey({ key, origins: this.keyOrigins }));
      return true;
    } catch (error) {
      this.keyStaysInFile = true;
      this.notice(
        `${this.options.file} holds an API key in clear text. Utter uses it, but could not move it to protected storage: ${(error as Error).message}`,
      );
      return false;
    }
  }

  /** Stores or clears the key, bound to `origins`; a refusal comes back as an issue the settings window can show. */
  private async storeKey(key: string, origins: string[]): Promise<SettingsIssue | undefined> {
    try {
      await this.options.secrets.set(key ? encodeStoredKey({ key, origins }) : undefined);
    } catch (error) {
      return { setting: 'apiKey', value: '(hidden)', message: (error as Error).message };
    }
    this.apiKey = key || undefined;
    this.keyOrigins = key ? origins : null;
    this.keyStaysInFile = false;
    if (key) this.warnIfUnprotected();
    return undefined;
  }

  private warnIfUnprotected(): void {
    const warning = this.options.secrets.warning();
    if (warning) this.notice(warning);
  }

  private async save(): Promise<void> {
    if (!this.followed) return;
    const content = this.keyStaysInFile && this.apiKey ? { ...this.settings, apiKey: this.apiKey } : this.settings;
    // Only this user may read it: it may hold a key (kept in the file where protected storage failed).
    const said = await this.followed.write(`${JSON.stringify(content, null, 2)}\n`, 0o600);
    if (said) this.notice(said);
  }

  private emit(): void {
    const settings = this.get();
    for (const listener of [...this.listeners]) {
      try {
        listener(settings);
      } catch (error) {
        // One broken listener must not stop the others, nor fail an update that was saved.
        console.error('A settings listener failed:', error);
      }
    }
  }

  private notice(message: string): void {
    this.options.onNotice?.(message);
  }
}

function withoutKey(settings: Settings): PublicSettings {
  const { apiKey: _secret, apiKeyOrigins: _origins, ...visible } = settings;
  return visible;
}

/** The key as the secret store keeps it, with where it may go; `origins` null: anywhere it is encrypted. */
export interface StoredKey {
  key: string;
  /** undefined: stored before keys were bound. */
  origins?: string[] | null;
}

/** What goes into the secret store: the key and its origins, encrypted together, so editing settings.json cannot widen them. */
export function encodeStoredKey(stored: StoredKey): string {
  return JSON.stringify({ utterKey: 1, key: stored.key, origins: stored.origins ?? null });
}

export function decodeStoredKey(stored: string): StoredKey {
  try {
    const parsed = JSON.parse(stored) as { utterKey?: unknown; key?: unknown; origins?: unknown };
    if (parsed?.utterKey === 1 && typeof parsed.key === 'string') {
      const origins = Array.isArray(parsed.origins) ? parsed.origins.map(String).map((o) => originOf(o) ?? o) : null;
      return { key: parsed.key, origins };
    }
  } catch {
    // A key from before: the bare string.
  }
  return { key: stored };
}

/**
 * settings.json's text as settings, or what is wrong with it. Settings that break the schema
 * come with the issues and what can be kept of them (keepValidSettings).
 */
function parseSettings(text: string): { ok: true; settings: Settings } | { ok: false; problem: string; issues?: SettingsIssue[]; salvage: Settings } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `is not valid JSON (${(error as Error).message})`, salvage: DEFAULT_SETTINGS };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, problem: 'does not hold a JSON object', salvage: DEFAULT_SETTINGS };
  // Where the key may go is kept with the key, never taken from this file.
  delete (parsed as Record<string, unknown>).apiKeyOrigins;
  const checked = validateSettings(parsed as Record<string, unknown>);
  if (checked.ok) return { ok: true, settings: checked.settings };
  return { ok: false, problem: `has settings that are not valid: ${describeIssues(checked.issues)}`, issues: checked.issues, salvage: keepValidSettings(parsed as Record<string, unknown>) };
}

function definedEntries(patch: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

/** Issues as a page or a notice may show them: never the key's value. */
function refuse(issues: SettingsIssue[]): SettingsUpdateResult {
  return { ok: false, issues: issues.map(hideSecrets) };
}

function hideSecrets(issue: SettingsIssue): SettingsIssue {
  if (issue.setting === 'apiKey') return { ...issue, value: '(hidden)' };
  // A whole-object issue (unknown settings) carries every value, the key included.
  if (issue.setting === '(settings)' && issue.value && typeof issue.value === 'object') return { ...issue, value: undefined };
  return issue;
}

function describeIssues(issues: SettingsIssue[]): string {
  return issues
    .map(hideSecrets)
    .map((issue) => (issue.value === undefined ? `${issue.message}` : formatSettingsIssues([issue])))
    .join('; ');
}

/**
 * Salvage for a file that breaks the schema: each known setting whose value passes its own
 * field schema is kept, the rest fall back to the defaults. Safe because the schema's only
 * rule across values (two shortcuts on the same keys) stays inside `hotkeys`, so valid fields
 * stay valid together (re-checked anyway).
 */
function keepValidSettings(input: Record<string, unknown>): Settings {
  const shape = settingsSchema.shape;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(shape, key)) continue;
    if (shape[key as keyof typeof shape].safeParse(value).success) kept[key] = value;
    else if (key === 'hotkeys') kept.hotkeys = keepValidHotkeys(value);
  }
  const checked = validateSettings(kept);
  return checked.ok ? checked.settings : DEFAULT_SETTINGS;
}

/**
 * A file's shortcuts, one bad or two on the same keys (which earlier versions saved): each
 * good one is kept, in the order they are registered, so of two on the same keys the earlier
 * keeps them as it always did; a bad one, or one whose keys are taken, gets its default if
 * that is free, else none.
 */
function keepValidHotkeys(value: unknown): Record<string, string> {
  const given = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const kept: Record<string, string> = Object.fromEntries(HOTKEY_ACTIONS.map((action) => [action, '']));
  for (const action of HOTKEY_ACTIONS) {
    const fits = (keys: unknown): keys is string => typeof keys === 'string' && settingsSchema.shape.hotkeys.safeParse({ ...kept, [action]: keys }).success;
    const mine = Object.hasOwn(given, action) ? given[action] : undefined;
    kept[action] = [mine, DEFAULT_SETTINGS.hotkeys[action]].find(fits) ?? '';
  }
  return kept;
}
