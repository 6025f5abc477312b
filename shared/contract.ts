// The one contract between a page and the app: each operation a page may ask for, how it
// travels, the schema its payload must pass at every door, and what comes back. The preload,
// the main process's handlers, `utter web`'s control socket, the renderer's bridge and the
// tests' stand-in are all derived from this table; adding an operation is a row here plus
// its handler in each shell.
import { z } from 'zod';
import type { AppInfo, CacheState, LocalServer, ProviderStatus, PublicSettings, SettingsUpdateResult, VoiceList } from './renderer-api';
import { controlSchema, formatSchema, rateSchema, sinkFactSchema, speakIntentSchema, readFromSchema, replaySchema, unqueueSchema, type PlayTicket, type SessionText, type SessionView, type SinkLevel, type TransportAction } from './session';
import { updateActionSchema, type UpdateStatus } from './updates';
import { saveRequestSchema, type SaveOutcome, type SaveStatus } from './save';
import { MAX_RULES, type PronunciationRule, type PronunciationsTryResult, type PronunciationsUpdateResult } from './pronunciation';

/** A request with a reply (ipcRenderer.invoke), or a message with none (ipcRenderer.send). */
type Kind = 'invoke' | 'send';

interface Operation<K extends Kind, S extends z.ZodType, Reply> {
  kind: K;
  request: S;
  /** Type only: what the handler answers. */
  reply?: Reply;
}

const invoke = <Reply>() => <S extends z.ZodType>(request: S): Operation<'invoke', S, Reply> => ({ kind: 'invoke', request });
const send = <S extends z.ZodType>(request: S): Operation<'send', S, void> => ({ kind: 'send', request });
const nothing = z.undefined({ error: 'takes no payload' });
/** A list of rules as a page sends it: each rule is checked by the store, which says what is wrong with which. */
const pronunciationRulesPayload = z.array(z.unknown(), { error: 'takes a list of rules' }).max(MAX_RULES * 5, { error: `takes at most ${MAX_RULES} rules` });

/** Every operation a page may ask of the app. */
export const OPERATIONS = {
  appInfo: invoke<AppInfo>()(nothing),
  settings: invoke<PublicSettings>()(nothing),
  /** The store checks each setting against the one schema and answers with the refusals. */
  updateSettings: invoke<SettingsUpdateResult>()(z.record(z.string(), z.unknown(), { error: 'takes an object of settings' })),
  /** The voices on offer; a server whose list could not be read is said in `unread`, not silently left out. */
  voices: invoke<VoiceList>()(nothing),
  /** TTS servers running on this computer (Kokoro-FastAPI, Speaches, openedai-speech…), asked afresh each time. */
  localServers: invoke<LocalServer[]>()(nothing),
  /** Whether the configured provider can speak now: one cheap request to the first server. */
  checkProvider: invoke<ProviderStatus>()(nothing),
  /** Texts for the session to speak; its view says how it goes. */
  speak: invoke<void>()(speakIntentSchema),
  /** Speaks again a text the session holds (Replay in the history), by its id; refused, with why, once the session no longer holds it. */
  replay: invoke<void>()(replaySchema),
  /** Stop, pause or resume, skip, previous, resume the text a restart interrupted. */
  control: send(controlSchema),
  /** Reads the current text from a sentence the user chose. */
  readFrom: send(readFromSchema),
  /** Takes a waiting text out of the queue, by its id; refused, with why, once it no longer waits. */
  unqueue: send(unqueueSchema),
  /** The format the next texts ask for (the player's selector). */
  setFormat: send(formatSchema),
  /** The playback rate, heard at once and kept for the next texts and the next start. */
  setRate: send(rateSchema),
  /** The player page is ready to play: it becomes the session's audio sink, and gets its view (its texts come first, as a `texts` event). */
  attachSink: invoke<SessionView>()(nothing),
  /** The player page unloads on purpose (a reload, a closed tab): reading goes on in the next page without the alarm a crash raises. */
  detachSink: send(nothing),
  /** What only the audio side knows: the sentence heard, drained, a decoder's failure. */
  sinkFact: send(sinkFactSchema),
  /** The session's view, for a page that only shows it. */
  sessionView: invoke<SessionView>()(nothing),
  openSettings: send(nothing),
  /** The welcome is done: the app closes its window, `utter web` does not show it again. */
  finishWelcome: send(nothing),
  /** The full player, from the mini player. */
  showPlayer: send(nothing),
  /** How full the local audio cache is. */
  cacheUsage: invoke<CacheState>()(nothing),
  /** Empties the local audio cache. */
  clearCache: invoke<CacheState>()(nothing),
  /** The mini player stays open when it loses the focus (true), or hides (false). */
  pinMini: send(z.boolean({ error: 'takes true or false' })),
  /** Where the app's own updates stand (off, with why, in a build without a feed and under utter web). */
  updateStatus: invoke<UpdateStatus>()(nothing),
  /** Check now, download the version offered, or install the one downloaded: only when the user asks. */
  updateAction: invoke<UpdateStatus>()(updateActionSchema),
  /** A text's audio to a file: the app asks where (a save dialog), `utter web` offers a download. Progress comes as `save` events. */
  saveAudio: invoke<SaveOutcome>()(saveRequestSchema),
  /** Stops the save that runs; nothing of it is left on disk. */
  cancelSave: send(nothing),
  /** The pronunciation dictionary's rules, in the order they apply. */
  pronunciations: invoke<PronunciationRule[]>()(nothing),
  /** Replaces the dictionary; the store checks each rule and answers with the refusals, saving nothing unless all pass. */
  /** The new list, and the list it was made from: changes made elsewhere since are kept (merge-rules.ts). */
  updatePronunciations: invoke<PronunciationsUpdateResult>()(
    z.object({ rules: pronunciationRulesPayload, base: pronunciationRulesPayload.optional() }, { error: 'takes {rules, base}' }).strict(),
  ),
  /** "Try it": a text as the voice would get it under these rules (saved or not). */
  tryPronunciations: invoke<PronunciationsTryResult>()(
    z.object({ rules: pronunciationRulesPayload, text: z.string({ error: 'takes the text to try' }).max(10_000, { error: 'takes at most 10000 characters to try' }) }, { error: 'takes {rules, text}' }).strict(),
  ),
} as const;

export type OperationName = keyof typeof OPERATIONS;
type Row<K extends OperationName> = (typeof OPERATIONS)[K];

/** The operation names, in table order. */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** What a page passes. */
export type RequestOf<K extends OperationName> = z.input<Row<K>['request']>;
/** What a handler receives: the payload once its schema has passed it. */
export type CheckedRequestOf<K extends OperationName> = z.output<Row<K>['request']>;
export type ReplyOf<K extends OperationName> = Row<K> extends Operation<Kind, z.ZodType, infer Reply> ? Reply : never;

type Args<K extends OperationName> = undefined extends RequestOf<K> ? [request?: RequestOf<K>] : [request: RequestOf<K>];

/** The operations as a page calls them: a promise for each invoke, nothing back for each send. */
export type PageOperations = {
  [K in OperationName]: Row<K>['kind'] extends 'invoke' ? (...args: Args<K>) => Promise<ReplyOf<K>> : (...args: Args<K>) => void;
};

/** What each shell implements: one handler per operation, given the checked payload and who asked. */
export type OperationHandlers<Context> = {
  [K in OperationName]: (request: CheckedRequestOf<K>, context: Context) => Row<K>['kind'] extends 'invoke' ? ReplyOf<K> | Promise<ReplyOf<K>> : void;
};

/** The IPC channel of an operation. */
export function channelOf(name: OperationName): string {
  return `utter:${name}`;
}

/** True for a name in the table (the name came from outside, as on `utter web`'s socket). */
export function isOperation(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}

/** Checks a payload against its operation's schema: the value to hand on, or why it was refused. */
export function checkRequest<K extends OperationName>(name: K, payload: unknown): { ok: true; request: CheckedRequestOf<K> } | { ok: false; error: string } {
  const result = OPERATIONS[name].request.safeParse(payload);
  if (result.success) return { ok: true, request: result.data as CheckedRequestOf<K> };
  const why = result.error.issues[0]?.message ?? 'malformed';
  return { ok: false, error: `${name} refused: ${why}${/[.!?]$/.test(why) ? '' : '.'}` };
}

/**
 * Messages from the app to its pages: the session's view on every change (and before it,
 * once each, the texts it names: see session-texts.ts), each utterance to play (with its
 * audio port in Electron), what the audio side must do, and the settings and the dictionary
 * whenever they change (from any window, the tray, or their file edited by hand), to the
 * pages that asked for them.
 */
export const PAGE_EVENTS = {
  texts: 'utter:texts',
  session: 'utter:session',
  play: 'utter:play',
  transport: 'utter:transport',
  level: 'utter:level',
  save: 'utter:save',
  settings: 'utter:settings',
  pronunciations: 'utter:pronunciations',
} as const;
export type PageEventName = keyof typeof PAGE_EVENTS;

/** The payload of each page event. */
export interface PageEventPayloads {
  texts: SessionText[];
  session: SessionView;
  play: PlayTicket;
  transport: TransportAction;
  level: SinkLevel;
  save: SaveStatus;
  settings: PublicSettings;
  pronunciations: PronunciationRule[];
}

/** The window message the preload forwards each play ticket and its port in (a port cannot cross the context bridge). */
export const AUDIO_PORT_MESSAGE = 'utter:audio-port';
