import { readFileAtMost, TooLargeError } from './read-at-most';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  formatSettingsIssues,
  validateSettings,
  type Settings,
  type SettingsInput,
  type SettingsIssue,
} from '../../shared/config/schema';
import { SpeechError } from './errors';

/** Environment variables and the settings they set (spec C1–C4). */
const ENV_SETTINGS: Record<string, { key: keyof Settings; kind: 'string' | 'number' | 'boolean' | 'list' }> = {
  UTTER_PROVIDER: { key: 'provider', kind: 'string' },
  UTTER_BASE_URL: { key: 'baseUrls', kind: 'list' },
  UTTER_API_KEY: { key: 'apiKey', kind: 'string' },
  UTTER_MODEL: { key: 'model', kind: 'string' },
  UTTER_VOICE: { key: 'voice', kind: 'string' },
  UTTER_FORMAT: { key: 'format', kind: 'string' },
  UTTER_SPEED: { key: 'speed', kind: 'number' },
  UTTER_INSTRUCTIONS: { key: 'instructions', kind: 'string' },
  UTTER_PCM_SAMPLE_RATE: { key: 'pcmSampleRate', kind: 'number' },
  UTTER_STRIP_MARKDOWN: { key: 'stripMarkdown', kind: 'boolean' },
  UTTER_STREAMING_ENABLED: { key: 'streamingEnabled', kind: 'boolean' },
  UTTER_STREAM_BUFFER_MS: { key: 'streamBufferMs', kind: 'number' },
  UTTER_ADAPTIVE_BUFFER: { key: 'adaptiveBuffer', kind: 'boolean' },
  UTTER_QUALITY_FALLBACK: { key: 'qualityFallback', kind: 'boolean' },
  UTTER_HEDGE_REQUESTS: { key: 'hedgeRequests', kind: 'boolean' },
  UTTER_STREAM_CHUNK_SIZE: { key: 'streamChunkSize', kind: 'number' },
  UTTER_STREAM_MAX_BUFFER: { key: 'streamMaxBuffer', kind: 'number' },
};

/** Where the CLI looks for the settings file: $UTTER_SETTINGS, else ~/.config/utter/settings.json. */
export function defaultSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.UTTER_SETTINGS) return env.UTTER_SETTINGS;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'utter', 'settings.json');
}

/**
 * Reads the environment's settings. A value that is not even the right type
 * (`UTTER_SPEED=fast`) is reported under the variable's own name.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): { input: SettingsInput; issues: SettingsIssue[] } {
  const input: Record<string, unknown> = {};
  const issues: SettingsIssue[] = [];
  for (const [name, { key, kind }] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const parsed = parseValue(raw, kind);
    if (parsed === undefined) issues.push({ setting: name, value: raw, message: `must be a ${kind}` });
    else input[key] = parsed;
  }
  // OPENAI_API_KEY is set for OpenAI's own tools: it goes to OpenAI and nowhere else.
  if (input.apiKey === undefined && env.OPENAI_API_KEY) {
    input.apiKey = env.OPENAI_API_KEY;
    input.apiKeyOrigins = [OPENAI_ORIGIN];
  }
  return { input: input as SettingsInput, issues };
}

/** Where OPENAI_API_KEY may go. */
export const OPENAI_ORIGIN = 'https://api.openai.com';

/** Settings with the environment on top, which variables set what, and the ones refused. */
export interface LayeredSettings {
  settings: Settings;
  /** Setting → the variable that set it (the key's variable is not named). */
  fromEnvironment: Partial<Record<keyof Settings, string>>;
  /** Each refused variable by name, with its value and the accepted range. */
  issues: SettingsIssue[];
}

/**
 * Puts the UTTER_* variables on top of `base`, one at a time: a variable that is not the
 * right type or out of range is refused under its own name, and every other still applies
 * (the app cannot stop at one bad variable as the CLI does).
 */
export function layerEnvironment(base: Settings, env: NodeJS.ProcessEnv): LayeredSettings {
  const { input, issues } = settingsFromEnv(env);
  // As on the command line: naming a server means using it, unless the provider is named too.
  const impliedProvider = input.baseUrls !== undefined && input.provider === undefined;
  if (impliedProvider) input.provider = 'openai';
  let settings = base;
  const fromEnvironment: LayeredSettings['fromEnvironment'] = {};
  for (const [key, value] of Object.entries(input) as [keyof Settings, unknown][]) {
    if (key === 'apiKeyOrigins') continue;
    const name = key === 'apiKey' ? (env.UTTER_API_KEY ? 'UTTER_API_KEY' : 'OPENAI_API_KEY') : key === 'provider' && impliedProvider ? 'UTTER_BASE_URL' : envName(key);
    // A key from the environment brings its own binding, replacing the stored key's.
    const patch = key === 'apiKey' ? { apiKey: value, apiKeyOrigins: input.apiKeyOrigins } : { [key]: value };
    const result = validateSettings({ ...settings, ...patch });
    if (!result.ok) {
      issues.push(...result.issues.map((issue) => ({ ...issue, setting: name, value: key === 'apiKey' ? '(hidden)' : issue.value })));
      continue;
    }
    settings = result.settings;
    if (key !== 'apiKey') fromEnvironment[key] = name;
  }
  return { settings, fromEnvironment, issues };
}

function envName(key: keyof Settings): string {
  return Object.entries(ENV_SETTINGS).find(([, entry]) => entry.key === key)![0];
}

function parseValue(raw: string, kind: 'string' | 'number' | 'boolean' | 'list'): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return text;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    case 'number': {
      const n = Number(text);
      return text !== '' && Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return undefined;
  }
}

/** A settings file is a few KB; /dev/zero, given as one, never ends. */
export const MOST_SETTINGS_BYTES = 1024 * 1024;

/** Reads a settings file; a missing file is no settings, a broken one is an error naming the file. */
export async function settingsFromFile(path: string): Promise<SettingsInput> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readFileAtMost(path, MOST_SETTINGS_BYTES));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    const why = error instanceof TooLargeError ? `it holds ${error.message}, and no settings file is that large` : (error as Error).message;
    throw new SpeechError('config', `Cannot read the settings file ${path}: ${why}.`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as SettingsInput;
  } catch (error) {
    throw new SpeechError('config', `The settings file ${path} is not valid JSON (${(error as Error).message}).`);
  }
}

/**
 * Merges defaults < settings file < environment < flags and validates the result once.
 * Throws a SpeechError('config') that names every bad setting, its value and the accepted range.
 */
export async function loadSettings(options: {
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  flags?: SettingsInput;
}): Promise<Settings> {
  const env = options.env ?? process.env;
  const fromFile = options.file === null ? {} : await settingsFromFile(options.file ?? defaultSettingsPath(env));
  // Where a key may go is never taken from the file: a program that edits it could widen it.
  delete (fromFile as Record<string, unknown>).apiKeyOrigins;
  const fromEnv = settingsFromEnv(env);
  if (fromEnv.issues.length) throw new SpeechError('config', `Bad setting: ${formatSettingsIssues(fromEnv.issues)}`);
  const merged: Record<string, unknown> = { ...fromFile, ...fromEnv.input, ...stripUndefined(options.flags ?? {}) };
  // A key on the command line was given for this run: whatever the environment bound, it is not bound.
  if (options.flags?.apiKey !== undefined) delete merged.apiKeyOrigins;
  // Naming a server means using it, unless a provider is named too.
  if (merged.provider === undefined && merged.baseUrls !== undefined) merged.provider = 'openai';
  const result = validateSettings(merged);
  if (!result.ok) throw new SpeechError('config', `Bad setting: ${formatSettingsIssues(result.issues)}`);
  return result.settings;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
