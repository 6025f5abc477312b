import { z } from 'zod';
import { displayAccelerator, sameShortcut, validateAccelerator } from '../accelerator';
import { AUDIO_FORMATS } from '../audio-format';
import { MAX_RATE, MIN_RATE } from '../playback-rate';
import { hideUrlSecrets } from '../endpoint-display';

/** A global shortcut in Electron's accelerator syntax, or '' for none. */
const accelerator = z
  .string()
  .max(100)
  .superRefine((text, context) => {
    const why = text.trim() ? validateAccelerator(text) : null;
    if (why) context.addIssue({ code: 'custom', message: why });
  });

/** In the order they are registered and listed. */
export const HOTKEY_ACTIONS: readonly HotkeyAction[] = ['speakClipboard', 'speakSelection', 'pauseResume', 'stop', 'faster', 'slower', 'normalRate'];

/** How the settings window and the notifications name each action. */
export const HOTKEY_LABELS: Readonly<Record<HotkeyAction, string>> = {
  speakClipboard: 'Speak clipboard',
  speakSelection: 'Speak selection',
  pauseResume: 'Pause / resume',
  stop: 'Stop',
  faster: 'Faster',
  slower: 'Slower',
  normalRate: 'Normal speed',
};

/** Where two actions share the same keys, each is refused naming the other (the app would give the keys to one only). */
// Typed by string, not HotkeyAction: that type comes from the schema this refines.
function refuseSharedShortcuts(hotkeys: Record<string, string>, context: z.RefinementCtx): void {
  const mac = /Mac/.test(globalThis.navigator?.platform ?? '');
  for (const action of HOTKEY_ACTIONS) {
    const keys = hotkeys[action].trim();
    const other = keys && HOTKEY_ACTIONS.find((o) => o !== action && sameShortcut(keys, hotkeys[o]));
    if (other) context.addIssue({ code: 'custom', path: [action], message: `${displayAccelerator(keys, mac)} is already the shortcut for ${HOTKEY_LABELS[other]}` });
  }
}

/** A model or voice name no server uses is this long: a longer one would go with every request. */
const MAX_NAME_CHARS = 256;

/** Why a URL's port cannot be one (0, or past 65535, which WHATWG URL refuses as a whole); undefined when it can or there is none. */
function portOutOfRange(url: unknown): string | undefined {
  const port = typeof url === 'string' ? /^[a-z][a-z\d+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]/?#]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(url.trim())?.[1] : undefined;
  if (port === undefined || (Number(port) >= 1 && Number(port) <= 65535)) return undefined;
  return `port ${port.length > 10 ? `${port.slice(0, 10)}…` : port} is out of range: a port is 1 to 65535`;
}

/**
 * The one schema for Utter's settings. The settings file, the environment, the CLI flags
 * and (later) the settings window are all validated by it, so a value means the same
 * thing wherever it comes from.
 */
/** The failover list's length: a main server and its fallbacks, not a directory. */
export const MOST_SERVERS = 16;

export const settingsSchema = z.object({
  /** "local" is the embedded eSpeak NG voice: works offline, with no key. */
  provider: z.enum(['local', 'openai']).default('local'),
  /** Ordered failover list of OpenAI-compatible base URLs. */
  baseUrls: z
    .array(
      z
        .url({ protocol: /^https?$/, abort: true, error: (issue) => portOutOfRange(issue.input) ?? 'must be an http(s) URL' })
        // Port 0 parses as a URL, but nothing can be reached on it.
        .refine((url) => !portOutOfRange(url), { error: (issue) => portOutOfRange(issue.input) })
        .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), {
          message: 'must not hold a user name or password: give the key as the API key',
        })
        // The request paths go before the query (kept, sent with each request), never after a #.
        .refine((url) => !url.includes('#'), { message: 'must not hold a # fragment: a server never sees what follows it' }),
    )
    .min(1)
    // Each is tried a few times before the next: 200 failing servers took minutes to give up.
    .max(MOST_SERVERS)
    .default(['https://api.openai.com/v1']),
  /** Only the CLI and tests pass it here; the app keeps it in safeStorage. */
  apiKey: z
    .string()
    .trim()
    .superRefine((key, context) => {
      // A line break or a non-Latin character cannot go in an HTTP header: said here, not as
      // the HTTP library's error, which quotes the header, key and all.
      const at = [...key].findIndex((c) => c !== '\t' && (c < ' ' || c === '\u007f' || c > '\u00ff'));
      if (at >= 0) context.addIssue({ code: 'custom', message: `holds a character no API key has (a line break, a control or a non-Latin character, at character ${at + 1}): paste it again` });
    })
    .optional(),
  /**
   * The origins the key may go to (those it was entered or confirmed for). Never read from
   * settings.json: the app keeps it with the key, and OPENAI_API_KEY is bound to OpenAI.
   * Absent: the key came with this run (a flag, UTTER_API_KEY) and may go to any https server.
   */
  apiKeyOrigins: z.array(z.string()).optional(),
  model: z.string().min(1).max(MAX_NAME_CHARS).default('tts-1'),
  /** Empty means the provider's default voice (alloy for OpenAI, en-us for local). */
  voice: z.string().max(MAX_NAME_CHARS).default(''),
  format: z.enum(AUDIO_FORMATS).default('pcm'),
  speed: z.number().min(0.25).max(4).default(1),
  /**
   * The player's rate, time-stretched on top of `speed`; the player's control and shortcuts set
   * it. Its range is the time-stretcher's (playback-rate.ts), which the audio worker reads without zod.
   */
  playbackRate: z.number().min(MIN_RATE).max(MAX_RATE).default(1),
  /** Sent only to models that take instructions (not tts-1, tts-1-hd). */
  instructions: z.string().max(4096).default(''),
  /** Raw PCM carries no rate; servers that do not say it in the content type use this. */
  pcmSampleRate: z.number().int().min(8000).max(192000).default(24000),
  stripMarkdown: z.boolean().default(true),
  /** spec C1: false = download whole, then play. */
  streamingEnabled: z.boolean().default(true),
  /** spec C2: pre-roll before playback starts. */
  streamBufferMs: z.number().int().min(20).max(5000).default(150),
  /** spec B2: size the pre-roll from what each server's link has shown (streamBufferMs until it has shown enough). */
  adaptiveBuffer: z.boolean().default(true),
  /** spec P3: on a link too slow for pcm or wav, ask for opus (or mp3) until it recovers. */
  qualityFallback: z.boolean().default(true),
  /** spec E1: a first byte later than the server's usual (p95) sends the same request to the next server too. */
  hedgeRequests: z.boolean().default(true),
  /** spec C3: bytes per chunk handed to the decoder. */
  streamChunkSize: z.number().int().min(256).max(1048576).default(4096),
  /** spec C4: most audio held ahead, in seconds; beyond it the network read stops. */
  streamMaxBuffer: z.number().min(0.2).max(60).default(2),
  /** Seconds without a body byte before a request is abandoned and retried. */
  idleTimeoutSec: z.number().min(1).max(300).default(10),
  /** Attempts per segment on retryable failures before failing over or giving up. */
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** Global shortcuts (Electron accelerators); an empty string turns one off. */
  hotkeys: z
    .object({
      speakClipboard: accelerator.default('CommandOrControl+Alt+S'),
      speakSelection: accelerator.default('CommandOrControl+Alt+A'),
      stop: accelerator.default('CommandOrControl+Alt+X'),
      pauseResume: accelerator.default('CommandOrControl+Alt+P'),
      faster: accelerator.default('CommandOrControl+Alt+='),
      slower: accelerator.default('CommandOrControl+Alt+-'),
      normalRate: accelerator.default('CommandOrControl+Alt+0'),
    })
    .strict()
    .superRefine(refuseSharedShortcuts)
    .prefault({}),
  /** Speak pressed while speaking: stop and speak the new text, or queue it. */
  whileSpeaking: z.enum(['interrupt', 'queue']).default('interrupt'),
  /** The local audio cache's size cap in MB (spec X4): replays cost nothing and work offline. 0 keeps nothing. */
  audioCacheMb: z.number().int().min(0).max(100_000).default(500),
  /** Look for a new version at start and daily (a build packaged with a feed); offered, never installed unasked. */
  checkForUpdates: z.boolean().default(true),
})
  // A misspelt setting must be an error, not silently ignored.
  .strict();

/** Validated settings, every field present. */
export type Settings = z.infer<typeof settingsSchema>;

/** A partial set of settings from one source, before merging. */
export type SettingsInput = Partial<z.input<typeof settingsSchema>>;

/** The defaults: what Utter does with no configuration at all. */
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** What a global hotkey can do. */
export type HotkeyAction = keyof Settings['hotkeys'];

/** One problem with one setting, phrased for the user. */
export interface SettingsIssue {
  setting: string;
  value: unknown;
  message: string;
}

/** Validates merged settings; on failure lists each bad setting with its value and the accepted range. */
export function validateSettings(
  input: Record<string, unknown>,
): { ok: true; settings: Settings } | { ok: false; issues: SettingsIssue[] } {
  const result = settingsSchema.safeParse(input);
  if (result.success) return { ok: true, settings: result.data };
  // One issue per setting: an empty list is not "text" and also short of "at least one", and
  // 1e308 is past a whole number's safe range and also past the setting's own (the one said).
  const seen = new Set<string>();
  const issues = [...result.error.issues].sort((a, b) => Number(isSafeRangeIssue(a)) - Number(isSafeRangeIssue(b))).flatMap((issue) => {
    const setting = issue.path.map(String).join('.') || '(settings)';
    if (setting !== '(settings)' && seen.has(setting)) return [];
    seen.add(setting);
    const value = issue.path.reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined),
      input,
    );
    return [{ setting, value, message: describeIssue(issue) }];
  });
  return { ok: false, issues };
}

/** zod's bound on every whole number, which says less than a setting's own bound. */
function isSafeRangeIssue(issue: { code: string }): boolean {
  const bound = (issue as { maximum?: unknown; minimum?: unknown }).maximum ?? (issue as { minimum?: unknown }).minimum;
  return (issue.code === 'too_big' || issue.code === 'too_small') && (bound === Number.MAX_SAFE_INTEGER || bound === Number.MIN_SAFE_INTEGER);
}

/** zod's type names as a person says them ("must be a int" was what a decimal got). */
const EXPECTED: Record<string, string> = { int: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a group of settings' };

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      // "model = "" (must be at least 1)" read as a number: say what a text or a list lacks.
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      if (issue.origin === 'array') return Number(issue.minimum) <= 1 ? 'needs at least one' : `needs at least ${String(issue.minimum)}`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must list at most ${String(issue.maximum)}`;
      return `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return `must be ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}`;
    case 'unrecognized_keys':
      return `unknown setting${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}

/** One line per issue: `speed = 9 (must be at most 4)`. */
export function formatSettingsIssues(issues: SettingsIssue[]): string {
  return issues.map((i) => `${i.setting} = ${shown(i.setting, i.value)} (${i.message})`).join('; ');
}

/** A value as JSON would write it, but for numbers JSON has none for (1e999 is Infinity, not null) and nesting too deep to write. */
function asJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // 5,000 levels of [[[…]]] is a 10 KB file, and overflows the stack when written back.
    return Array.isArray(value) ? '[…]' : '{…}';
  }
}

/** A value as a message may quote it: never a key, never a URL's password or query secrets. */
function shown(setting: string, value: unknown): string {
  if (setting === 'apiKey') return '(the key, not shown)';
  // A megabyte of a value is not repeated back whole, nor searched whole for a URL's secrets.
  const quoted = hideUrlSecrets(asJson(value).slice(0, 4096));
  return quoted.length > 80 ? `${quoted.slice(0, 79)}…` : quoted;
}
