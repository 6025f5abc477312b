// "Speak clipboard": the clipboard's text, or a sentence saying why there is none to speak.
// The clipboard comes in as a parameter, so tests/shell/clipboard-text.test.ts needs no Electron.
import { textTooLong } from '../../shared/text-limit';

/** The part of Electron's clipboard read here (selection-text.ts passes its own fakes' too). */
export interface ClipboardTextAccess {
  readText(): Promise<string>;
  read(): Promise<{ readonly types: readonly string[] }[]>;
}

/** The text to speak, or the message to show instead. */
export type ClipboardSpeech = { ok: true; text: string } | { ok: false; message: string };

/**
 * Reads the clipboard for speaking. Electron's clipboard is promise-based (W3C style, see
 * electron.d.ts): readText() gives the plain text, read() the MIME types on offer, which
 * tell an image from an empty clipboard. Never rejects: a failed read becomes a message.
 */
export async function readClipboardForSpeech(clipboard: ClipboardTextAccess): Promise<ClipboardSpeech> {
  try {
    const text = await clipboard.readText();
    if (text.trim() !== '') {
      const refused = textTooLong(text, 'The clipboard text');
      return refused ? { ok: false, message: refused } : { ok: true, text };
    }
    const types = (await clipboard.read()).flatMap((item) => item.types);
    if (types.some((type) => type.startsWith('image/'))) return { ok: false, message: 'The clipboard holds an image, not text.' };
    const other = types.filter((type) => type !== 'text/plain');
    if (other.length > 0) return { ok: false, message: `The clipboard holds no plain text (only ${describeTypes(other)}).` };
    return { ok: false, message: 'The clipboard is empty.' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `The clipboard could not be read: ${reason}` };
  }
}

/** A short, readable list of clipboard formats for a message. */
function describeTypes(types: string[]): string {
  const unique = [...new Set(types)];
  const shown = unique.slice(0, 3).join(', ');
  return unique.length > 3 ? `${shown} and ${unique.length - 3} more` : shown;
}
