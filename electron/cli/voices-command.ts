// `utter voices`: the voices on offer, one a line or as JSON; a server's list that could not
// be read is handed back, to be said and to set the exit code.
import type { SpeechError } from '../engine/errors';
import type { SpeechProvider, VoiceInfo } from '../engine/provider';

/** Prints the voices; resolves to the servers' lists that could not be read (none: all were). */
export async function voicesCommand(provider: SpeechProvider, options: { json: boolean; signal?: AbortSignal; out(text: string): void }): Promise<SpeechError[]> {
  const unread: SpeechError[] = [];
  const voices = await provider.voices(options.signal, (problem) => unread.push(problem));
  if (options.json) options.out(JSON.stringify(voices) + '\n');
  else for (const voice of voices) options.out(voiceLine(voice));
  return unread;
}

/** A voice as one line of tab-separated columns: id, name, language, (source). */
function voiceLine({ id, name, language, source }: VoiceInfo): string {
  const columns = [id, name && name !== id ? name : undefined, language].filter((column): column is string => Boolean(column));
  return `${columns.map(printable).join('\t')}\t(${source})\n`;
}

/**
 * Text a server chose, safe on a terminal line: control characters (ESC, BEL, a line break
 * that would forge a line, a tab that would shift the columns) and bidi overrides are
 * written as escapes (`\x1b`, `\n`, `\u202e`).
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const named = ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' } as Record<string, string>)[c];
    const code = c.charCodeAt(0);
    return named ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}
