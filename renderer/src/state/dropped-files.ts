import { textToSpeak } from '../../../shared/text-file';

/** What came of a drop or an "Open file…": the texts in order, and why the others were refused. */
export interface ReadFiles {
  texts: { name: string; text: string }[];
  errors: string[];
}

/** Reads dropped or opened files as text, in the order given (rules: shared/text-file.ts). */
export async function readTextFiles(files: readonly File[]): Promise<ReadFiles> {
  const result: ReadFiles = { texts: [], errors: [] };
  for (const file of files) {
    const outcome = await textToSpeak(file.name, file.size, async () => new Uint8Array(await file.arrayBuffer()));
    if ('text' in outcome) result.texts.push({ name: file.name, text: outcome.text });
    else result.errors.push(outcome.refused);
  }
  return result;
}
