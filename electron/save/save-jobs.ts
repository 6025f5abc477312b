// The app's "Save audio…" (the Electron main process, or `utter web`): one save at a time,
// its progress told to every page, and a cancel. Electron-free: the shell says where the
// file goes (a save dialog, or a file to download).
import type { Pronunciations } from '../engine/pronunciation';
import type { Settings } from '../../shared/config/schema';
import { defaultSaveName, type SaveFormat, type SaveOutcome, type SaveStatus } from '../../shared/save';
import { SpeechError } from '../engine/errors';
import type { SpeechProvider } from '../engine/provider';
import type { RetryPolicy } from '../engine/retry';
import { decodableHere, saveAudio } from './save-audio';
import { SaveError } from './save-error';

/** Progress reaches the pages at most this often: a long save reports every tenth of a second of audio. */
const PROGRESS_EVERY_MS = 100;

/** Where the shell wants the file: a path (and whether the user agreed to replace it), or null when the user chose none. */
export interface SaveTarget {
  path: string;
  format: SaveFormat;
  overwrite: boolean;
  /** The name the pages show (default: the path's). */
  name?: string;
  /** What the pages are told on success (the download link under `utter web`). */
  download?: string;
}

export interface SaveJobsOptions {
  /** The settings the session speaks with, read anew for each save (the same request format, so a cache answers). */
  settings(): Settings;
  /** The session's provider factory: a caching one answers from its cache and fetches the rest. */
  provider(settings: Settings): SpeechProvider;
  retryPolicy?: Partial<RetryPolicy>;
  /** The pronunciation rules in force, read anew for each save. */
  pronunciations?(): Pronunciations | undefined;
}

export class SaveJobs {
  private status: SaveStatus = { state: 'idle' };
  private running: AbortController | null = null;
  private count = 0;
  private readonly listeners = new Set<(status: SaveStatus) => void>();

  constructor(private readonly options: SaveJobsOptions) {}

  view(): SaveStatus {
    return this.status;
  }

  subscribe(listener: (status: SaveStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while a save runs (a second one is refused until it ends). */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Saves `text`'s audio where `choose` says (given a default file name); resolves with how
   * it went, never rejects. Nothing is written when `choose` gives null.
   */
  async save(text: string, format: SaveFormat, choose: (name: string, format: SaveFormat) => Promise<SaveTarget | null>): Promise<SaveOutcome> {
    if (this.running) return { state: 'not-saved', reason: 'Audio is being saved already: wait for it, or cancel it.' };
    if (!text.trim()) return { state: 'not-saved', reason: 'There is nothing to save.' };
    const stop = (this.running = new AbortController());
    try {
      let target: SaveTarget | null;
      try {
        target = await choose(defaultSaveName(text, format), format);
      } catch (error) {
        return { state: 'not-saved', reason: (error as Error).message };
      }
      if (!target) return { state: 'not-saved', reason: 'No file was chosen, so nothing was saved.' };
      if (stop.signal.aborted) return { state: 'not-saved', reason: 'The save was cancelled before it started.' };
      return await this.write(text, target, stop);
    } finally {
      this.running = null;
    }
  }

  /** Stops the save that runs; what it wrote so far is removed. */
  cancel(): void {
    this.running?.abort();
  }

  private async write(text: string, target: SaveTarget, stop: AbortController): Promise<SaveOutcome> {
    const id = ++this.count;
    const name = target.name ?? target.path.split(/[\\/]/).at(-1) ?? target.path;
    const { format } = target;
    let lastEmit = 0;
    this.emit({ state: 'saving', id, name, format, progress: { phase: 'speaking', done: 0, total: text.length } });
    const settings = decodableHere(this.options.settings());
    const provider = this.options.provider(settings);
    let outcome: SaveOutcome;
    try {
      const report = await saveAudio(text, {
        settings,
        provider,
        out: target.path,
        format,
        overwrite: target.overwrite,
        signal: stop.signal,
        retryPolicy: this.options.retryPolicy,
        pronunciations: this.options.pronunciations?.(),
        onProgress: (progress) => {
          const now = performance.now();
          if (now - lastEmit < PROGRESS_EVERY_MS) return;
          lastEmit = now;
          this.emit({ state: 'saving', id, name, format, progress });
        },
      });
      outcome = { state: 'saved', id, name, format, seconds: report.seconds, bytes: report.bytes, ...(target.download ? { download: target.download } : { path: target.path }) };
    } catch (error) {
      outcome = stop.signal.aborted || (error instanceof SpeechError && error.kind === 'cancelled')
        ? { state: 'cancelled', id, name }
        : { state: 'failed', id, name, message: failureMessage(error) };
    } finally {
      await provider.close().catch(() => {});
    }
    this.emit(outcome);
    return outcome;
  }

  private emit(status: SaveStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof SaveError) return error.message;
  if (error instanceof SpeechError) return `The audio could not be saved: ${error.message}`;
  return `The audio could not be saved: ${(error as Error)?.message ?? String(error)}`;
}
