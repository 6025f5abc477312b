// The session's queue and position on disk, so a restart or a crash loses nothing.
import { readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomically } from '../store/atomic-file';

/** What survives a restart: the text being read, where, and what waits after it. */
export interface SessionSnapshot {
  current: { text: string; offset: number } | null;
  queued: string[];
}

const snapshotSchema = z.object({
  current: z.object({ text: z.string(), offset: z.number().int().nonnegative() }).nullable(),
  queued: z.array(z.string()),
});

/**
 * One JSON file, replaced atomically. Saves come at every sentence: while one is being
 * written, only the newest of the ones asked for meanwhile is written next.
 */
export class SavedSession {
  private writing: Promise<void> | null = null;
  private next: SessionSnapshot | 'clear' | undefined;

  constructor(
    private readonly file: string,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /** The last snapshot, or null when there is none or it cannot be read (said once, then dropped). */
  async load(): Promise<SessionSnapshot | null> {
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = snapshotSchema.parse(JSON.parse(raw));
      if (parsed.current && parsed.current.offset > parsed.current.text.length) parsed.current = null;
      return parsed;
    } catch {
      this.onError(`The saved reading position (${this.file}) could not be read; it was set aside.`);
      return null;
    }
  }

  save(snapshot: SessionSnapshot): void {
    this.schedule(snapshot);
  }

  clear(): void {
    this.schedule('clear');
  }

  /** Resolves once everything asked for is on disk (tests, quitting). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private schedule(next: SessionSnapshot | 'clear'): void {
    this.next = next;
    if (this.writing) return;
    this.writing = this.drain().finally(() => (this.writing = null));
  }

  private async drain(): Promise<void> {
    while (this.next !== undefined) {
      const next = this.next;
      this.next = undefined;
      try {
        if (next === 'clear') await rm(this.file, { force: true });
        else await writeFileAtomically(this.file, JSON.stringify(next), 0o600);
      } catch (error) {
        this.onError(`The reading position could not be saved: ${(error as Error).message}`);
      }
    }
  }
}
