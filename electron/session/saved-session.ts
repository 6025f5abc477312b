// The session's queue and position on disk, so a restart or a crash loses nothing.
import { randomUUID } from 'node:crypto';
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
  // Names this save, so that a position file left by an earlier one is not believed.
  saveId: z.string().optional(),
});

const positionSchema = z.object({ saveId: z.string(), offset: z.number().int().nonnegative() });

type Write = { kind: 'snapshot'; snapshot: SessionSnapshot } | { kind: 'position'; offset: number } | { kind: 'clear' };

/**
 * Two JSON files, each replaced atomically: the texts (up to megabytes) when they change,
 * and beside them the sentence heard, a few bytes, as often as the page hears one. While
 * one write runs, only the newest of the ones asked for meanwhile is written next.
 */
export class SavedSession {
  private writing: Promise<void> | null = null;
  private next: Write | undefined;
  private saveId = '';
  private readonly positionFile: string;

  constructor(
    private readonly file: string,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.positionFile = file.endsWith('.json') ? `${file.slice(0, -5)}.position.json` : `${file}.position`;
  }

  /** The last snapshot, or null when there is none or it cannot be read (said once, then dropped). */
  async load(): Promise<SessionSnapshot | null> {
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch {
      return null;
    }
    try {
      const { saveId, ...parsed } = snapshotSchema.parse(JSON.parse(raw));
      if (parsed.current && saveId) parsed.current.offset = (await this.savedPosition(saveId)) ?? parsed.current.offset;
      if (parsed.current && parsed.current.offset > parsed.current.text.length) parsed.current = null;
      return parsed;
    } catch {
      this.onError(`The saved reading position (${this.file}) could not be read; it was set aside.`);
      return null;
    }
  }

  save(snapshot: SessionSnapshot): void {
    this.schedule({ kind: 'snapshot', snapshot });
  }

  /** The sentence heard in the text last saved: only the small file is written. */
  savePosition(offset: number): void {
    const pending = this.next;
    if (pending?.kind === 'snapshot') {
      if (pending.snapshot.current) pending.snapshot.current.offset = offset;
    } else if (pending?.kind !== 'clear') this.schedule({ kind: 'position', offset });
  }

  clear(): void {
    this.schedule({ kind: 'clear' });
  }

  /** Resolves once everything asked for is on disk (tests, quitting). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** A position file that is unreadable or from another save is only a lost sentence or two. */
  private async savedPosition(saveId: string): Promise<number | undefined> {
    try {
      const position = positionSchema.parse(JSON.parse(await readFile(this.positionFile, 'utf8')));
      return position.saveId === saveId ? position.offset : undefined;
    } catch {
      return undefined;
    }
  }

  private schedule(next: Write): void {
    this.next = next;
    if (this.writing) return;
    this.writing = this.drain().finally(() => (this.writing = null));
  }

  private async drain(): Promise<void> {
    while (this.next !== undefined) {
      const next = this.next;
      this.next = undefined;
      try {
        await this.write(next);
      } catch (error) {
        this.onError(`The reading position could not be saved: ${(error as Error).message}`);
      }
    }
  }

  private async write(next: Write): Promise<void> {
    if (next.kind === 'clear') {
      this.saveId = '';
      await rm(this.file, { force: true });
      return void (await rm(this.positionFile, { force: true }));
    }
    if (next.kind === 'snapshot') {
      this.saveId = randomUUID();
      return writeFileAtomically(this.file, JSON.stringify({ ...next.snapshot, saveId: this.saveId }), 0o600);
    }
    // A position with no snapshot on disk would place nothing.
    if (this.saveId) await writeFileAtomically(this.positionFile, JSON.stringify({ saveId: this.saveId, offset: next.offset }), 0o600);
  }
}
