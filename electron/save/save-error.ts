import { SpeechError } from '../engine/errors';

/** Why a file could not be written: its name, an existing file, or the disk. */
export class SaveError extends Error {
  constructor(
    readonly kind: 'format' | 'exists' | 'disk',
    message: string,
  ) {
    super(message);
  }
}

const WHY: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'the folder does not exist',
  EISDIR: 'it is a folder',
};

/** A file system failure as a SaveError that names the file and says why; others pass unchanged. */
export function describeWriteError(error: unknown, out: string): unknown {
  if (error instanceof SpeechError || error instanceof SaveError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!code) return error;
  return new SaveError('disk', `Could not write ${out}: ${WHY[code] ?? (error as Error).message} (${code}).`);
}
