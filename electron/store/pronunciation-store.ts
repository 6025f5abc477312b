// The pronunciation dictionary on disk: pronunciations.json beside settings.json, checked by
// the one schema (shared/pronunciation.ts). Electron-free, tested on real files in plain Node.
import { readFile, stat } from 'node:fs/promises';
import { checkRules, MAX_RULES, pronunciationFileSchema, ruleIssues, type PronunciationRule, type PronunciationsUpdateResult } from '../../shared/pronunciation';
import { compilePronunciations, type Pronunciations } from '../engine/pronunciation';
import { keepBadFile } from './bad-file';
import { FollowedFile } from './followed-file';
import { mergeRules } from './merge-rules';

/** The file's name in the data folder. */
export const PRONUNCIATIONS_FILE = 'pronunciations.json';
/** A dictionary file larger than this is not read: 200 rules of the longest kind fit in far less. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Where the dictionary lives and who hears of a file that could not be used. */
export interface PronunciationStoreOptions {
  /** pronunciations.json; null: in memory only. */
  file: string | null;
  /** What an in-memory store starts from. */
  initial?: PronunciationRule[];
  onNotice?: (message: string) => void;
}

/**
 * Loads, checks and saves the dictionary. A file that is not JSON, not the schema, too
 * large, or holds rules that are refused is copied as it was to `pronunciations.json.bad-<time>`;
 * the rules that pass are kept and onNotice says what happened. Loads and updates run one
 * after the other.
 */
export class PronunciationStore {
  private current: PronunciationRule[] = [];
  private compiledRules: Pronunciations = compilePronunciations([]);
  /** The file, as this store last read or wrote it: an edit made there by someone else is told apart. */
  private readonly followed: FollowedFile | null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(rules: PronunciationRule[]) => void>();

  constructor(private readonly options: PronunciationStoreOptions) {
    this.followed = options.file === null ? null : new FollowedFile(options.file, MAX_FILE_BYTES);
  }

  /** Reads the file (missing: no rules); never rejects for a bad file, only for one that cannot be read. */
  load(): Promise<PronunciationRule[]> {
    return this.serialize(async () => {
      const rules = await this.readFile();
      try {
        this.set(rules);
      } catch (error) {
        // Never expected (every rule passed its check), but a dictionary must not stop the app.
        this.set([]);
        this.notice(`The pronunciation rules could not be prepared (${(error as Error).message}); none are used.`);
      }
      return this.rules();
    });
  }

  /** The rules, in the order they apply. */
  rules(): PronunciationRule[] {
    return this.current.map((rule) => ({ ...rule }));
  }

  /** Calls `listener` with the rules after each change, made here or in the file; returns the unsubscribe. */
  subscribe(listener: (rules: PronunciationRule[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The rules ready to apply (compiled once per change). */
  compiled(): Pronunciations {
    return this.compiledRules;
  }

  /**
   * Takes up what someone else wrote into the file since this store last read or wrote it
   * (the user in an editor, `utter web`'s settings page): the next text spoken uses it. A
   * file that is not valid is left as it is (the user may be in the middle of an edit) and
   * said once; the rules in use stay. True: taken up.
   */
  reloadIfChanged(): Promise<boolean> {
    return this.serialize(() => this.takeUpFile());
  }

  /** reloadIfChanged, in the queue already. */
  private async takeUpFile(): Promise<boolean> {
    const { file } = this.options;
    if (!this.followed) return false;
    // Gone, unreadable or too large: the rules in use stay, and the next change writes them again.
    const text = await this.followed.changedText();
    if (text === null) return false;
    const read = parseDictionary(text);
    this.followed.judged(!read.problem);
    if (read.problem) {
      this.notice(`${file} was changed, but it ${read.problem}. Utter keeps the rules it had until the file is fixed; a change made in Utter meanwhile replaces the file, which is then kept as a backup.`);
      return false;
    }
    try {
      this.set(read.rules);
    } catch (error) {
      this.notice(`${file} was changed, but its rules could not be prepared (${(error as Error).message}). Utter keeps the rules it had.`);
      return false;
    }
    this.emit();
    return true;
  }

  /**
   * Replaces the list with an untrusted one: every refusal, or the saved rules. Nothing is
   * written when any rule is refused. With `base`, the list the new one was made from, what
   * changed elsewhere since (the file by hand, another window) is kept, not overwritten.
   */
  update(input: unknown, base?: unknown): Promise<PronunciationsUpdateResult> {
    return this.serialize(async () => {
      const checked = checkRules(input);
      if (!checked.ok) return checked;
      // The list as it is now, with an edit of the file the watcher has not yet reported.
      await this.takeUpFile();
      const known = base === undefined ? null : checkRules(base);
      const rules = known?.ok ? mergeRules(known.rules, checked.rules, this.current) : checked.rules;
      if (rules.length > MAX_RULES) return { ok: false, issues: [{ index: -1, field: 'rules', message: `at most ${MAX_RULES} rules, with those added elsewhere meanwhile` }] };
      // Compiled before it is saved: a list the engine cannot run is never written.
      const compiled = compilePronunciations(rules);
      await this.save(rules);
      this.current = rules;
      this.compiledRules = compiled;
      this.emit();
      return { ok: true, rules: this.rules() };
    });
  }

  private set(rules: PronunciationRule[]): void {
    this.compiledRules = compilePronunciations(rules);
    this.current = rules;
  }

  private async save(rules: PronunciationRule[]): Promise<void> {
    if (!this.followed) return;
    const said = await this.followed.write(`${JSON.stringify({ version: 1, rules }, null, 2)}\n`);
    if (said) this.notice(said);
  }

  private async readFile(): Promise<PronunciationRule[]> {
    const { file } = this.options;
    if (file === null) return checkedOrEmpty(this.options.initial ?? []);
    let bytes: Buffer;
    try {
      if ((await stat(file)).size > MAX_FILE_BYTES) return await this.setAside(`is larger than ${MAX_FILE_BYTES / 1024} KB`, []);
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`Cannot read the pronunciation file ${file}: ${(error as Error).message}`);
    }
    // Decoded as FollowedFile reads it (a byte-order mark dropped), so that the watcher's next look finds it unchanged.
    const text = new TextDecoder().decode(bytes);
    this.followed?.readHere(text);
    const read = parseDictionary(text);
    return read.problem ? this.setAside(read.problem, read.rules) : read.rules;
  }

  /** Keeps the bad file beside it, saves what could be kept, and says so. */
  private async setAside(problem: string, kept: PronunciationRule[]): Promise<PronunciationRule[]> {
    const file = this.options.file!;
    const backup = await keepBadFile(file);
    const keeping = kept.length === 0 ? 'no rules are used' : kept.length === 1 ? 'the one valid rule is used' : `the ${kept.length} valid rules are used`;
    if (!backup.ok) {
      this.notice(`The pronunciation file ${file} ${problem}. It could not be kept as a backup (${backup.why}), so it was left as it is; ${keeping} until you change the dictionary.`);
      return kept;
    }
    await this.save(kept);
    this.notice(`The pronunciation file ${file} ${problem}. It was kept as ${backup.file}; ${keeping}.`);
    return kept;
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(this.rules());
      } catch (error) {
        // One broken listener must not stop the others, nor fail a change that was saved.
        console.error('A dictionary listener failed:', error);
      }
    }
  }

  private notice(message: string): void {
    this.options.onNotice?.(message);
  }
}

/**
 * The file's text as rules, or what is wrong with it (to follow "The pronunciation file X")
 * with the rules that can be kept of it.
 */
function parseDictionary(text: string): { rules: PronunciationRule[]; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { rules: [], problem: `is not valid JSON (${(error as Error).message})` };
  }
  const shaped = pronunciationFileSchema.safeParse(parsed);
  if (!shaped.success) return { rules: [], problem: 'is not a dictionary of this version ({"version": 1, "rules": [...]})' };
  const rules = shaped.data.rules;
  const refused = rules.flatMap((rule, index) => ruleIssues(rule, index));
  if (!refused.length && rules.length <= MAX_RULES) return { rules: checkedOrEmpty(rules) };
  const kept = rules.filter((_rule, index) => !refused.some((issue) => issue.index === index)).slice(0, MAX_RULES);
  const problem = refused.length
    ? `has rules that cannot be used (${refused.slice(0, 3).map((issue) => `rule ${issue.index + 1}: ${issue.message}`).join('; ')}${refused.length > 3 ? '; …' : ''})`
    : `has more than ${MAX_RULES} rules (the first ${MAX_RULES} are kept)`;
  return { rules: checkedOrEmpty(kept), problem };
}

/** The rules if they all pass (they were checked one by one before), else none. */
function checkedOrEmpty(rules: unknown[]): PronunciationRule[] {
  const checked = checkRules(rules);
  return checked.ok ? checked.rules : [];
}
