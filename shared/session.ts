// What the speaking session (in the main process, or in `utter web`) and its pages tell
// each other. The session owns the queue, the current text, the state and the history; a
// page shows the session's view, plays the audio it is handed, and reports what only the
// audio side knows (what is heard, when it drained).
import { z } from 'zod';
import { AUDIO_FORMATS, type AudioFormat } from './audio-format';
import { textTooLong } from './text-limit';
import { MAX_RATE, MIN_RATE, rateProblem } from './playback-rate';

export type SessionState = 'idle' | 'buffering' | 'playing' | 'paused' | 'error';

/** Where a text was when reading stopped, offered after a restart ("Resume reading …"). */
export interface Resumable {
  /** The first words of the text, to name it. */
  title: string;
  /** Characters left to read. */
  charsLeft: number;
}

/**
 * A text the session holds, as a view names it: its id (the text itself reaches each page
 * once, as a SessionText, before the first view that names it), its length and its start.
 */
export interface TextRef {
  textId: number;
  /** Its length in characters. */
  chars: number;
  /** Its first PREVIEW_CHARS characters, what the lists show. */
  preview: string;
}

/** A text of the history: `failed` says why it stopped, when it did (its Replay tries again). */
export interface HistoryRef extends TextRef {
  failed?: string;
}

/** A text itself, sent to a page once, before the first view that names it. */
export interface SessionText {
  textId: number;
  text: string;
}

/** How much of a text a TextRef carries. */
export const PREVIEW_CHARS = 200;

/** A text's ref: its id, length and first characters. */
export function textRefOf(textId: number, text: string): TextRef {
  return { textId, chars: text.length, preview: text.slice(0, PREVIEW_CHARS) };
}

/**
 * Everything a page shows of the session, on every change: texts by id only, as a view goes
 * to every page on each sentence. Offsets are into the current text.
 */
export interface SessionView {
  state: SessionState;
  current: {
    id: number;
    /** The text read (a SessionText the page has). */
    textId: number;
    /** Where in the text this utterance started speaking (after a resume, past the start). */
    offset: number;
    /** The sentence being heard. */
    segment: { index: number; start: number; end: number } | null;
  } | null;
  queued: TextRef[];
  /** The last texts spoken or tried, newest first; those that failed say so. */
  history: HistoryRef[];
  /** The last error, shown until the next text starts. */
  error: string;
  /** A note that is not an error (a retry, a failover, a resume). */
  notice: string;
  /** Who is speaking: the provider and the server in use (it changes on failover). */
  source: string;
  /** The format the next utterance asks for (the player's selector). */
  format: AudioFormat;
  /** The playback rate (0.5–3), time-stretched by the page that plays, on top of the provider's speed. */
  rate: number;
  resumable: Resumable | null;
  /** The current (or last) utterance's timing, epoch ms on this machine's clock. */
  timing: UtteranceTiming | null;
}

/**
 * One utterance's timing record (spec M1): each instant is written once, by the side that
 * sees it (the engine: the request; the audio side: the rest), as epoch ms on this
 * machine's clock, and only displayed elsewhere.
 */
export interface UtteranceTiming {
  id: number;
  /** The first request left the engine. */
  requestedAt: number | null;
  /** The first audio byte reached the decoder. */
  firstByteAt: number | null;
  /** The first audio was decoded into the ring. */
  firstDecodedAt: number | null;
  /** The first sample reached the ears (output latency included). */
  firstHeardAt: number | null;
  /** The output latency the first sample went through, in ms. */
  outputLatencyMs: number | null;
  /** The last sample reached the ears. */
  endedAt: number | null;
}

/** What the session hands the page for each utterance, with its audio port (or socket id). */
export interface PlayTicket {
  id: number;
  /** Where in the text this utterance starts: the engine's offsets (words) count from here. */
  offset: number;
  /** The settings in force for this utterance (the environment's included) that the page plays by. */
  streaming: boolean;
  pcmSampleRate: number;
  streamBufferMs: number;
  streamMaxBuffer: number;
  /** The pre-roll to start this utterance with (spec B2), and why: the setting, or what the link has shown. */
  prerollMs: number;
  prerollReason: string;
  /** Learned pre-rolls are not lowered for a stream that starts fast: the link has shown its gaps. */
  prerollLearned: boolean;
}

/** What the session asks of the audio side of the page. */
export type TransportAction = 'stop' | 'pause' | 'resume' | 'skip' | 'previous';

/** What a page's buttons ask of the session. */
export const CONTROL_ACTIONS = ['stop', 'pause-resume', 'skip', 'previous', 'resume-saved'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const text = z.string({ error: 'A speak request needs text.' }).superRefine((value, context) => {
  const refused = textTooLong(value);
  if (refused) context.addIssue({ code: 'custom', message: refused });
});
const format = z.enum(AUDIO_FORMATS, { error: (issue) => `Unknown audio format: ${JSON.stringify(issue.input)}.` });

/** Read the current text (utterance `id`) again from `offset`, a sentence the user chose. */
export const readFromSchema = z.object({ id: z.number().int().nonnegative(), offset: z.number().int().nonnegative() }, { error: 'takes { id, offset }' }).strict();

/** A text the session holds, by its id. */
export const textIdSchema = z.number({ error: 'takes the id of a text the session holds (textId)' }).int().nonnegative();

/** A waiting text to take out of the queue: where the page showed it, and which it was. */
export const unqueueSchema = z.object({ index: z.number().int().nonnegative(), textId: textIdSchema }, { error: 'takes { index, textId }' }).strict();

/** A text of the history (or the queue) to speak again, by its id: the first now (or queued, as speak does). */
export const replaySchema = z.object({ textId: textIdSchema, format: format.optional() }, { error: 'takes { textId, format? }' }).strict();

/** A page asks for texts to be spoken: the first now (or queued), the rest after it. */
export const speakIntentSchema = z
  .object({
    texts: z.array(text).min(1, { error: 'A speak request needs text.' }).max(1000, { error: 'At most 1000 texts at once.' }),
    format: format.optional(),
    /** Wait for what is playing instead of interrupting it, whatever the settings say. */
    queue: z.boolean().optional(),
  })
  .strict();
export type SpeakIntent = z.output<typeof speakIntentSchema>;

/** A playback rate from a page: refused outside MIN_RATE–MAX_RATE, with why. */
export const rateSchema = z.number({ error: `takes a rate from ${MIN_RATE} to ${MAX_RATE}` }).superRefine((value, context) => {
  const refused = rateProblem(value);
  if (refused) context.addIssue({ code: 'custom', message: refused });
});

export const controlSchema = z.enum(CONTROL_ACTIONS, { error: (issue) => `Unknown control: ${JSON.stringify(issue.input)}.` });
export const formatSchema = format;

const id = z.number().int().nonnegative();
const message = z.string().max(100_000).transform((value) => value.slice(0, 2000));

/** What only the audio side knows, reported by the page that plays. */
export const sinkFactSchema = z.discriminatedUnion('type', [
  /** Sentence `index` of utterance `id` is being heard. */
  z.object({ type: z.literal('playing'), id, index: id }).strict(),
  /** The sentence heard inside that part starts at `offset` of the text (by the words heard, or placed at the voice's pace). */
  z.object({ type: z.literal('sentence'), id, offset: id }).strict(),
  /** The last sample of utterance `id` is heard at `heardAt` (epoch ms). */
  z.object({ type: z.literal('drained'), id, heardAt: z.number().finite() }).strict(),
  /** The first sample of utterance `id` was heard at `heardAt`, with the audio side's earlier instants (epoch ms). */
  z
    .object({
      type: z.literal('first-heard'),
      id,
      heardAt: z.number().finite(),
      firstByteAt: z.number().finite().nullable(),
      firstDecodedAt: z.number().finite().nullable(),
      outputLatencyMs: z.number().finite().nonnegative(),
    })
    .strict(),
  /** The audio side failed utterance `id` (a decoder refused the stream). */
  z.object({ type: z.literal('error'), id, message }).strict(),
  /** A note for the user (a segment that plays only once downloaded). */
  z.object({ type: z.literal('notice'), id, message }).strict(),
  /** The buffer and the word being heard, a few times a second while audio plays: for pages that only show the session (the mini player). */
  z
    .object({
      type: z.literal('level'),
      id,
      bufferedMs: z.number().finite().nonnegative(),
      prerollMs: z.number().finite().nonnegative(),
      maxMs: z.number().finite().positive(),
      underruns: id,
      word: z.object({ start: id, end: id }).strict().nullable(),
    })
    .strict(),
  /** How the audio output opened, for Diagnostics. */
  z.object({ type: z.literal('audio-output'), ok: z.boolean(), detail: message }).strict(),
]);
export type SinkFact = z.output<typeof sinkFactSchema>;

/** What the page that plays says of its buffer and the word heard, passed on to the pages that show. */
export type SinkLevel = Omit<Extract<SinkFact, { type: 'level' }>, 'type'>;

/** What the tray shows of the session. */
export interface TrayStatus {
  status: 'idle' | 'speaking' | 'paused' | 'error';
  /** The sentence being heard. */
  reading?: string;
  error?: string;
}

/** The tray's summary of a view: speaking, paused, idle or failed, and the sentence heard (in `text`, the current text). */
export function trayStatusOf(view: SessionView, text: string | undefined): TrayStatus {
  const status = view.state === 'buffering' || view.state === 'playing' ? 'speaking' : view.state;
  const segment = view.current?.segment;
  const reading = segment && text !== undefined ? text.slice(segment.start, segment.end).slice(0, 500) : undefined;
  return { status, reading, error: view.error || undefined };
}

/** The first words of a text, for a one-line entry ("Resume reading …", a list). */
export function previewOf(text: string, length = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
