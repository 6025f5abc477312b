// "Save audio…": the formats a text can be saved in, how a file name says its format, and
// what a page is told while a save runs. Pure: used by the CLI, both shells and the page.
import { z } from 'zod';
import { textTooLong } from './text-limit';

/** The formats Utter writes. */
export const SAVE_FORMATS = ['mp3', 'opus', 'wav'] as const;
export type SaveFormat = (typeof SAVE_FORMATS)[number];

/** File extensions, per format (the first is the one a new name gets). */
export const SAVE_EXTENSIONS: Record<SaveFormat, readonly string[]> = { mp3: ['mp3'], opus: ['opus', 'ogg'], wav: ['wav'] };

/** What the save dialogs show per format. */
export const SAVE_FORMAT_NAMES: Record<SaveFormat, string> = { mp3: 'MP3', opus: 'Ogg Opus', wav: 'WAV (32-bit float)' };

/** The format a file name asks for by its extension, or null when Utter writes none such. */
export function saveFormatOf(path: string): SaveFormat | null {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (!extension) return null;
  return SAVE_FORMATS.find((format) => SAVE_EXTENSIONS[format].includes(extension)) ?? null;
}

/** Why a path cannot be saved to, by its extension, or null when it can. */
export function saveFormatRefusal(path: string): string | null {
  if (saveFormatOf(path)) return null;
  const extension = /\.([^./\\]+)$/.exec(path)?.[1];
  const known = SAVE_FORMATS.flatMap((format) => SAVE_EXTENSIONS[format].map((e) => `.${e}`)).join(', ');
  return `${extension ? `Utter cannot write .${extension} files` : `"${path}" has no extension to tell the format`}: name the file ${known}.`;
}

/** A file name from the text's first words: "Hello-from-Utter.mp3". */
export function defaultSaveName(text: string, format: SaveFormat, words = 6): string {
  const first = text
    .normalize('NFKC')
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}'-]+/gu, ''))
    .filter(Boolean)
    .slice(0, words)
    .join('-')
    .slice(0, 60);
  return `${first || 'Utter'}.${SAVE_EXTENSIONS[format][0]}`;
}

/** A page asks for a text's audio in a file: what the text box holds, or a text of the session's history by its id. */
export const saveRequestSchema = z
  .object({
    text: z
      .string({ error: 'A save needs text.' })
      .superRefine((value, context) => {
        if (!value.trim()) context.addIssue({ code: 'custom', message: 'There is nothing to save.' });
        const refused = textTooLong(value);
        if (refused) context.addIssue({ code: 'custom', message: refused });
      })
      .optional(),
    textId: z.number({ error: 'takes the id of a text the session holds (textId)' }).int().nonnegative().optional(),
    format: z.enum(SAVE_FORMATS, { error: (issue) => `Utter saves mp3, opus or wav, not ${JSON.stringify(issue.input)}.` }),
  }, { error: 'takes { text, format } or { textId, format }' })
  .strict()
  .refine((request) => (request.text === undefined) !== (request.textId === undefined), { error: 'takes the text to save, or the id of a text the session holds (textId): one of them' });
export type SaveRequest = z.output<typeof saveRequestSchema>;

/** Where a running save is: fetching and decoding the speech, then encoding it. */
export interface SaveProgress {
  /** 'speaking': `done` of `total` characters of the text have been turned into audio; 'encoding': seconds of audio. */
  phase: 'speaking' | 'encoding';
  done: number;
  total: number;
}

/** What the pages are told of the save (one at a time), on every change. */
export type SaveStatus =
  | { state: 'idle' }
  | { state: 'saving'; id: number; name: string; format: SaveFormat; progress: SaveProgress }
  | { state: 'saved'; id: number; name: string; format: SaveFormat; seconds: number; bytes: number; path?: string; download?: string }
  | { state: 'failed'; id: number; name: string; message: string }
  | { state: 'cancelled'; id: number; name: string };

/** The answer to saveAudio: where the file went (or the link to download it), or why not. */
export type SaveOutcome = Exclude<SaveStatus, { state: 'idle' } | { state: 'saving' }> | { state: 'not-saved'; reason: string };

/** The progress line a player shows: "Speaking 42% of the text" / "Encoding 12 of 30 s". */
export function describeSaveProgress(progress: SaveProgress): string {
  if (progress.phase === 'speaking') {
    const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
    return `Getting the audio: ${percent}% of the text`;
  }
  return `Encoding: ${Math.floor(progress.done)} of ${Math.ceil(progress.total)} s`;
}

/** One line for the player or a notification: where the audio went, or why it did not. */
export function describeSaveOutcome(outcome: SaveOutcome): string {
  switch (outcome.state) {
    case 'saved':
      return outcome.download
        ? `Saved ${outcome.seconds.toFixed(1)} s of audio: “${outcome.name}” is in your downloads.`
        : `Saved ${outcome.seconds.toFixed(1)} s of audio to ${outcome.path ?? outcome.name}.`;
    case 'failed':
      return outcome.message;
    case 'cancelled':
      return `Saving “${outcome.name}” was cancelled; nothing was written.`;
    case 'not-saved':
      return outcome.reason;
  }
}
