import { decodeTextFile, MAX_TEXT_FILE_BYTES, NotTextError } from '../../shared/text-file';

/** What came of a drop or an "Open file…": the texts in order, and why the others were refused. */
export interface ReadFiles {
  texts: { name: string; text: string }[];
  errors: string[];
}

/**
 * Reads dropped or opened files as text, in the order given: UTF-8 (with or without BOM)
 * and UTF-16 with BOM. A binary, an oversized or an empty file is refused by name; the
 * rest still play.
 */
export async function readTextFiles(files: readonly File[]): Promise<ReadFiles> {
  const result: ReadFiles = { texts: [], errors: [] };
  for (const file of files) {
    if (file.size > MAX_TEXT_FILE_BYTES) {
      result.errors.push(`${file.name} is too large to read aloud (${(file.size / 1024 / 1024).toFixed(1)} MB; the most is 5 MB).`);
      continue;
    }
    try {
      const text = decodeTextFile(new Uint8Array(await file.arrayBuffer()), file.name);
      if (!text.trim()) result.errors.push(`${file.name} is empty.`);
      else result.texts.push({ name: file.name, text });
    } catch (error) {
      result.errors.push(error instanceof NotTextError ? error.message : `${file.name} could not be read: ${(error as Error).message}`);
    }
  }
  return result;
}
