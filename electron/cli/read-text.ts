import { LIMIT_IN_WORDS, MAX_TEXT_BYTES } from '../../shared/text-limit';
import { NotTextError, decodeTextFile, fileText, fileTextRefusal } from '../../shared/text-file';
import { readAtMost, TooLargeError } from '../engine/read-at-most';

/** The most bytes a text to speak can take (UTF-16 takes twice its characters, plus a BOM). */
const MOST_TEXT_BYTES = 2 * MAX_TEXT_BYTES + 2;

/** A text to speak from a file or standard input, by the rules of dropped files (shared/text-file.ts): not empty, within the limit. */
export async function readTextSource(source: AsyncIterable<Uint8Array>, name: string): Promise<string> {
  let text: string;
  try {
    text = fileText(await readAtMost(source, MOST_TEXT_BYTES), name);
  } catch (error) {
    if (!(error instanceof TooLargeError)) throw error;
    // /dev/zero is no text, long or not: say that rather than that it is long.
    throw binaryError(error.head, name) ?? new NotTextError(`${name} is too long to speak: the most is ${LIMIT_IN_WORDS}.`);
  }
  // Refused here, where the name is known: past here it is "the text", whichever file it was.
  const refused = fileTextRefusal(text, name);
  if (refused) throw new NotTextError(refused);
  return text;
}

function binaryError(head: Uint8Array, name: string): NotTextError | null {
  try {
    decodeTextFile(head, name);
    return null;
  } catch (error) {
    return error instanceof NotTextError && error.binary ? error : null;
  }
}
