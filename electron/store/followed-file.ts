import { readFileAtMost } from '../engine/read-at-most';
import { writeFileAtomically } from './atomic-file';
import { keepBadFile } from './bad-file';

/**
 * A file this process writes that others change too (the user in an editor; the app and
 * `utter web` share the settings and the dictionary): tells an edit made there since this
 * process last read or wrote it, and keeps an edit that was not valid as a backup before
 * writing over it, so that nothing the user wrote is lost.
 */
export class FollowedFile {
  /** The text as this process last read or wrote it: another text there was written by someone else. */
  private known: string | null = null;
  /** The file holds an outside edit that is not valid: the next write keeps it as a backup first. */
  private brokenEdit = false;

  constructor(
    readonly path: string,
    private readonly mostBytes: number,
  ) {}

  /** This process read `text` from the file (at load). */
  readHere(text: string): void {
    this.known = text;
  }

  /** The file's text when someone else wrote it since; null when it is as known, or gone, unreadable or too large. */
  async changedText(): Promise<string | null> {
    let text: string;
    try {
      // TextDecoder drops the byte-order mark an editor on Windows may add.
      text = new TextDecoder().decode(await readFileAtMost(this.path, this.mostBytes));
    } catch {
      return null;
    }
    if (text === this.known) return null;
    this.known = text;
    return text;
  }

  /** Whether the changed text could be used: one that could not is kept before the next write. */
  judged(valid: boolean): void {
    this.brokenEdit = !valid;
  }

  /** Writes `text` atomically; returns what became of a broken edit it replaced, for the user, or null. */
  async write(text: string, mode?: number): Promise<string | null> {
    let said: string | null = null;
    if (this.brokenEdit) {
      const backup = await keepBadFile(this.path);
      said = backup.ok ? `The changed ${this.path}, which was not valid, was kept as ${backup.file}.` : `The changed ${this.path}, which was not valid, is replaced: it could not be kept as a backup (${backup.why}).`;
      this.brokenEdit = false;
    }
    await writeFileAtomically(this.path, text, mode);
    this.known = text;
    return said;
  }
}
