import { DAMAGE_NOTICE_MS, damageNotice } from '../../shared/playback/damage';
import { createReadStream, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SettingsInput } from '../../shared/config/schema';
import { NotTextError } from '../../shared/text-file';
import { textTooLong } from '../../shared/text-limit';
import { isLoopback } from '../engine/key-binding';
import { defaultSettingsPath, loadSettings } from '../engine/config';
import { createProvider } from '../engine/engine';
import { SpeechError, type SpeechErrorKind } from '../engine/errors';
import { hideSecrets } from '../engine/known-secrets';
import { saveAudio } from '../save/save-audio';
import { SaveError } from '../save/save-error';
import { saveFormatRefusal } from '../../shared/save';
import { webCommand } from '../web/web-command';
import { ListenError } from '../web/listen-error';
import { doctorCommand } from './doctor-command';
import { voicesCommand } from './voices-command';
import { readTextSource } from './read-text';
import { readFileAtMost, TooLargeError } from '../engine/read-at-most';
import { sayWhileWaiting } from './pipe-wait';
import { readPrimarySelection, SelectionUnavailable } from './primary-selection';
import { appSocketPath, sendToApp, type AppRequest } from '../session/app-socket';
import { dirname, join } from 'node:path';
import { PRONUNCIATIONS_FILE, PronunciationStore } from '../store/pronunciation-store';
import type { Pronunciations } from '../engine/pronunciation';
import { AudioCache, MEGABYTE } from '../engine/cache/audio-cache';
import { withCache } from '../engine/cache/caching-provider';

/** Exit codes: scripts tell usage, provider, network and bad-audio failures apart. */
export const EXIT = { ok: 0, usage: 2, provider: 3, network: 4, badAudio: 5, cannotWrite: 6, interrupted: 130 } as const;

const USAGE = `Usage:
  utter speak [TEXT] [--file PATH] --out FILE [--force] [options]
                                                               speak TEXT (or the file, or standard input: no text, or --file -) to FILE.wav, .mp3
                                                               or .opus (the extension says which); --force replaces a file
  utter speak [TEXT] [--file PATH]                             have the running app speak it
  utter speak --clipboard                                      have the running app speak its clipboard
  utter speak --selection [--out FILE.wav]                     speak the selected text (Linux: the PRIMARY selection,
                                                               read with xsel, xclip or wl-paste; elsewhere the
                                                               running app reads it, without --out)
  utter voices [--provider local|openai] [options]             list the voices
  utter web [--port N] [--host 127.0.0.1] [--allow-key-changes] [options]
                                                               the player page in any browser, on this machine's engine
                                                               (--allow-key-changes: its pages may change the key and servers;
                                                               a --host other than this machine needs --tls-cert and --tls-key)
  utter doctor [--json] [--settings PATH]                      check Node, Electron, settings, key, servers, voice, shortcuts, socket

Options:
  --provider local|openai   the embedded offline voice (default) or an OpenAI-compatible server
  --base-url URL            server base URL; repeat or comma-separate for a failover list
  --api-key KEY             API key (else UTTER_API_KEY, else OPENAI_API_KEY)
  --model M  --voice V  --format pcm|wav|mp3|opus|flac|aac  --speed 0.25-4  --instructions TEXT
  --settings PATH           settings file (default ~/.config/utter/settings.json)
  --no-markdown             speak Markdown syntax instead of stripping it
  --no-dictionary           leave out the pronunciation dictionary (pronunciations.json beside the settings file)
  --no-cache                fetch every sentence, neither reading nor filling the audio cache (audio-cache/ beside the settings file)
  --json                    print a JSON report on standard output when done
  -h, --help                this help`;

const OPTIONS = {
  file: { type: 'string' },
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  provider: { type: 'string' },
  'base-url': { type: 'string', multiple: true },
  'api-key': { type: 'string' },
  model: { type: 'string' },
  voice: { type: 'string' },
  format: { type: 'string' },
  speed: { type: 'string' },
  instructions: { type: 'string' },
  settings: { type: 'string' },
  'no-markdown': { type: 'boolean' },
  'no-dictionary': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  clipboard: { type: 'boolean' },
  selection: { type: 'boolean' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-key-changes': { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A command-line mistake: exit 2 with the usage hint. */
class UsageError extends Error {}

/** Runs `utter` with its arguments; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    const { values, positionals } = parseArguments(argv);
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.out(USAGE + '\n');
      return values.help ? EXIT.ok : EXIT.usage;
    }
    // Before the settings load: diagnosing a broken settings file must not stop at it.
    if (command === 'doctor') {
      if (rest.length) throw new UsageError(`doctor takes no arguments, not "${rest.join(' ')}".`);
      return await doctorCommand({ settingsFile: values.settings, env: io.env, socketPath: io.appSocket ?? appSocketPath(), json: values.json === true, out: io.out });
    }
    // A file named on the command line is meant: a typo in its path must not fall back to the defaults (and another server) unsaid.
    if (values.settings !== undefined && !existsSync(values.settings)) {
      throw new UsageError(`There is no settings file at ${values.settings}: --settings names one that exists (without it, ${defaultSettingsPath(io.env)} is read if it is there).`);
    }
    const settingsFile = values.settings ?? defaultSettingsPath(io.env);
    const settings = await sayWhileWaiting(settingsFile, () => loadSettings({ file: values.settings, env: io.env, flags: flagsToSettings(values) }), io.err);
    if (command === 'speak') return await speakCommand(rest, values, settings, io);
    if (command === 'voices') return await listVoices(settings, values.json === true, io);
    if (command === 'web') {
      // A first start is welcomed: no settings file, and no voice chosen on the command line or in the environment.
      const voiceChosen = Boolean(values.provider || values['base-url'] || io.env.UTTER_PROVIDER || io.env.UTTER_BASE_URL);
      const firstStart = !voiceChosen && !existsSync(settingsFile);
      const reloadSettings = () => loadSettings({ file: values.settings, env: io.env, flags: flagsToSettings(values) });
      await webCommand({ host: values.host, port: parsePort(values.port), settings, settingsFile, reloadSettings, signal: io.signal, allowKeyChanges: values['allow-key-changes'] === true, tls: await webTls(values), firstStart }, io);
      return EXIT.ok;
    }
    throw new UsageError(`Unknown command "${command}".`);
  } catch (error) {
    return report(error, io);
  }
}

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  stdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  isTerminal: boolean;
  signal?: AbortSignal;
  /** The running app's socket (tests point it elsewhere). */
  appSocket?: string;
  /** The selected text, for --selection (default: the PRIMARY selection, on Linux). */
  readSelection?: () => Promise<string>;
}

function processIo(): CliIo {
  const interrupt = new AbortController();
  // Ctrl-C, a kill and a service manager stop it cleanly (no partial file); a second signal stops it at once.
  // Not SIGHUP: a handler would undo `nohup`, which ignores it so a long job outlives its terminal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdin: () => {
      // At a terminal, `utter speak` alone seems to hang: it is reading what is typed.
      if (process.stdin.isTTY) process.stderr.write(`utter: type the text to speak, then ${process.platform === 'win32' ? 'Ctrl-Z and Enter' : 'Ctrl-D on a line of its own'}.\n`);
      return readTextSource(process.stdin, 'standard input');
    },
    env: process.env,
    isTerminal: process.stderr.isTTY === true,
    signal: interrupt.signal,
  };
}

type Values = ReturnType<typeof parseArguments>['values'];

function parseArguments(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function flagsToSettings(values: Values): SettingsInput {
  const flags: Record<string, unknown> = {
    provider: values.provider,
    apiKey: values['api-key'],
    model: values.model,
    voice: values.voice,
    format: values.format,
    instructions: values.instructions,
    stripMarkdown: values['no-markdown'] ? false : undefined,
  };
  if (values['base-url']) {
    flags.baseUrls = values['base-url'].flatMap((url) => url.split(',')).map((url) => url.trim()).filter(Boolean);
    // Naming a server means using it, unless the provider is named too.
    flags.provider ??= 'openai';
  }
  if (values.speed !== undefined) {
    const speed = Number(values.speed);
    if (!Number.isFinite(speed)) throw new UsageError(`--speed must be a number from 0.25 to 4, not "${values.speed}".`);
    flags.speed = speed;
  }
  return flags as SettingsInput;
}

/** Hands a request to the running app, or says why it could not. */
async function handToApp(request: AppRequest, io: CliIo): Promise<number> {
  const sent = await sendToApp(io.appSocket ?? appSocketPath(), request).catch((error: Error) => {
    throw new UsageError(`The running app refused: ${error.message}`);
  });
  if (sent === 'no-app') throw new UsageError('Utter is not running: start the app to speak through it, or write a file with --out FILE.wav.');
  if (io.isTerminal) io.err('utter: handed to the running app\n');
  return EXIT.ok;
}

async function speakCommand(
  positionals: string[],
  values: Values,
  settings: Awaited<ReturnType<typeof loadSettings>>,
  io: CliIo,
): Promise<number> {
  if (positionals.length && values.file) throw new UsageError('Give the text or --file, not both.');
  if (values.selection && (positionals.length || values.file || values.clipboard)) {
    throw new UsageError('--selection speaks the selected text: give no text, --file or --clipboard with it.');
  }
  if (values.clipboard) {
    // Only the app can read the clipboard; a desktop shortcut can run this where global hotkeys cannot be had.
    if (positionals.length || values.file || values.out) throw new UsageError('--clipboard asks the running app to speak its clipboard: give no text, --file or --out with it.');
    return handToApp({ type: 'speak-clipboard' }, io);
  }
  // Windows and macOS have no PRIMARY: the app reads the focused application's selection (selection-hook).
  if (values.selection && !io.readSelection && process.platform !== 'linux') {
    if (values.out) throw new UsageError('--selection with --out reads the PRIMARY selection, which only Linux has; without --out the running app speaks the selection.');
    return handToApp({ type: 'speak-selection' }, io);
  }
  // `--file -` is standard input, as for most commands that read files.
  const file = values.file === '-' ? undefined : values.file;
  const text = values.selection
    ? await selectedText(io)
    : positionals.length
      ? positionals.join(' ')
      : file
        ? await sayWhileWaiting(file, () => readTextFile(file), io.err)
        : await io.stdin();
  // Said before the text is handed to the app: without one running, "not running" hid it.
  if (!text.trim()) throw new UsageError(`There is no text to speak: ${positionals.length ? 'the text given' : (file ?? 'standard input')} is empty.`);
  const tooLong = textTooLong(text);
  if (tooLong) throw new UsageError(tooLong);
  // No file: the running app speaks it.
  if (!values.out) {
    if (values.force) throw new UsageError('--force replaces the --out file: give --out FILE with it.');
    return handToApp({ type: 'speak', text }, io);
  }
  // Refused before any request: a name Utter cannot write, or a file that is there.
  const refused = saveFormatRefusal(values.out);
  if (refused) throw new UsageError(refused);
  if (!values.force && existsSync(values.out)) throw new UsageError(`${values.out} already exists: add --force to replace it.`);
  const settingsFile = values.settings ?? defaultSettingsPath(io.env);
  const pronunciations = values['no-dictionary'] ? undefined : await loadDictionary(settingsFile, io);
  // The cache beside the settings file, as utter web's: a text heard there is saved with no request.
  const cache = values['no-cache'] ? undefined : new AudioCache(join(dirname(settingsFile), 'audio-cache'), () => settings.audioCacheMb * MEGABYTE, (message) => io.err(`utter: ${message}\n`));
  const provider = withCache(createProvider(settings), cache, settings, (message) => io.err(`utter: ${message}\n`));
  const terminal = io.isTerminal && !values.json;
  let encoding = 0;
  /** Where the text's spoken parts end: what a failure part way through has already cost. */
  let spokenChars = 0;
  try {
    const saved = await saveAudio(text, {
      settings,
      provider,
      pronunciations,
      out: values.out,
      overwrite: values.force === true,
      signal: io.signal,
      onNote: terminal ? (line) => io.err(`utter: ${line}\n`) : undefined,
      // Off a terminal too: a server that does not answer is not left to look like a hang.
      onNotice: terminal ? undefined : (message) => io.err(`utter: ${message}\n`),
      onProgress: (progress) => {
        if (progress.phase === 'speaking') spokenChars = Math.max(spokenChars, progress.done);
        // A long text takes a while to encode: said once, when it starts.
        if (terminal && progress.phase === 'encoding' && !encoding) io.err(`utter: encoding ${(encoding = progress.total).toFixed(1)} s of audio…\n`);
      },
    });
    const result = { ...saved.speech, out: saved.out, outFormat: saved.format, outBytes: saved.bytes };
    // Said whatever the output: the file is shorter than the text (spec E2).
    if (result.skippedMs > DAMAGE_NOTICE_MS) io.err(`utter: warning: ${damageNotice(result.skippedMs)}\n`);
    if (values.json) io.out(JSON.stringify(result) + '\n');
    else if (io.isTerminal) io.err(`utter: wrote ${result.audioSeconds.toFixed(2)} s to ${result.out}\n`);
    return EXIT.ok;
  } catch (error) {
    // A long text that failed near its end: say what was done, and that a run again costs only the rest.
    if (error instanceof SpeechError && error.kind !== 'cancelled' && spokenChars > 0 && spokenChars < text.length) {
      const again = cache ? ' Run the same command again to go on: the parts already spoken come from the audio cache, without a request.' : '';
      io.err(speechErrorLine(error));
      io.err(`utter: ${values.out} was not written: the failure came ${Math.floor((spokenChars / text.length) * 100)}% into the text, after “${lastWords(text.slice(0, spokenChars))}”.${again}\n`);
      return EXIT_BY_KIND[error.kind];
    }
    throw error;
  } finally {
    await provider.close();
  }
}

/** The end of `text` as a reader would quote it: its last few words, on one line. */
function lastWords(text: string): string {
  const words = text.trim().split(/\s+/);
  return (words.length > 8 ? '…' : '') + words.slice(-8).join(' ');
}

/** The app's pronunciation dictionary, beside the settings file; a problem with it is said, not fatal. */
async function loadDictionary(settingsFile: string, io: CliIo): Promise<Pronunciations> {
  const store = new PronunciationStore({ file: join(dirname(settingsFile), PRONUNCIATIONS_FILE), onNotice: (message) => io.err(`utter: warning: ${message}\n`) });
  try {
    await store.load();
  } catch (error) {
    io.err(`utter: warning: ${(error as Error).message}; speaking without the dictionary.\n`);
  }
  return store.compiled();
}

/** The selection for `speak --selection` on Linux; nothing selected is said, not spoken as silence. */
async function selectedText(io: CliIo): Promise<string> {
  let text: string;
  try {
    text = await (io.readSelection ?? (() => readPrimarySelection(io.env)))();
  } catch (error) {
    if (error instanceof SelectionUnavailable) throw new UsageError(`--selection: ${error.message}.`);
    throw error;
  }
  if (text.trim() === '') throw new UsageError('Nothing is selected: select some text, then run this again.');
  return text;
}

/** `utter voices`: the list, and each server's list that could not be read said, with its exit code. */
async function listVoices(settings: Awaited<ReturnType<typeof loadSettings>>, json: boolean, io: CliIo): Promise<number> {
  const provider = createProvider(settings);
  try {
    const unread = await voicesCommand(provider, { json, signal: io.signal, out: io.out });
    for (const problem of unread) io.err(speechErrorLine(problem));
    return unread.length ? EXIT_BY_KIND[unread[0].kind] : EXIT.ok;
  } finally {
    await provider.close();
  }
}

/**
 * HTTPS for `utter web`: required for a --host other than this machine, where plain HTTP
 * would carry the token in the clear and the page could not even play (no secure context).
 */
async function webTls(values: Values): Promise<{ cert: Uint8Array; key: Uint8Array } | undefined> {
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if (Boolean(cert) !== Boolean(key)) throw new UsageError('Give both --tls-cert and --tls-key, or neither.');
  if (!cert || !key) {
    if (values.host && !isLoopback(values.host)) {
      throw new UsageError(`--host ${values.host} lets other machines in: give --tls-cert and --tls-key so it serves HTTPS, or leave --host out to stay on this machine.`);
    }
    return undefined;
  }
  return { cert: await readFileOrExplain(cert), key: await readFileOrExplain(key) };
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), not "${value}".`);
  return port;
}

/** A key or certificate is a few KB: a larger file is not one (and /dev/zero never ends). */
const MOST_TLS_FILE_BYTES = 1024 * 1024;

async function readFileOrExplain(path: string): Promise<Uint8Array> {
  try {
    return await readFileAtMost(path, MOST_TLS_FILE_BYTES);
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${error instanceof TooLargeError ? `it holds ${error.message}, and no key or certificate is that large` : cantRead(error)}.`);
  }
}

async function readTextFile(path: string): Promise<string> {
  try {
    return await readTextSource(createReadStream(path), path);
  } catch (error) {
    if (error instanceof NotTextError) throw error;
    throw new UsageError(`Cannot read ${path}: ${cantRead(error)}.`);
  }
}

function cantRead(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

const EXIT_BY_KIND: Record<SpeechErrorKind, number> = {
  input: EXIT.usage,
  config: EXIT.usage,
  auth: EXIT.provider,
  request: EXIT.provider,
  'rate-limit': EXIT.provider,
  server: EXIT.provider,
  network: EXIT.network,
  'bad-audio': EXIT.badAudio,
  unsupported: EXIT.badAudio,
  cancelled: EXIT.interrupted,
};

const HINT_BY_KIND: Partial<Record<SpeechErrorKind, string>> = {
  auth: 'check --api-key, UTTER_API_KEY or OPENAI_API_KEY',
  network: 'check --base-url',
  'rate-limit': 'wait a moment and try again',
  request: 'check --model, --voice and --format',
  unsupported: 'choose another --format',
};

/** One line on standard error that says what to do; the exit code says what kind. */
function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError || error instanceof NotTextError || error instanceof ListenError) {
    io.err(`utter: ${error.message} (utter --help)\n`);
    return EXIT.usage;
  }
  if (error instanceof SaveError) {
    io.err(`utter: ${error.message}\n`);
    return error.kind === 'disk' ? EXIT.cannotWrite : EXIT.usage;
  }
  if (error instanceof SpeechError) {
    io.err(speechErrorLine(error));
    return EXIT_BY_KIND[error.kind];
  }
  // A stack can quote the key or a URL's secret (a fetch error names the URL): hidden as everywhere.
  io.err(`utter: unexpected failure: ${hideSecrets((error as Error)?.stack ?? String(error))}\n`);
  return 1;
}

/** Where a refusal's status says more than its kind: no such path under the base URL. */
const HINT_BY_STATUS: Record<number, string> = {
  404: 'check --base-url: an OpenAI-compatible server\'s usually ends in /v1',
  405: 'check --base-url: an OpenAI-compatible server\'s usually ends in /v1',
};

/** A SpeechError as its line on standard error, with what to check. */
function speechErrorLine(error: SpeechError): string {
  // A server that asked for a long wait is not to be tried "in a moment": the message says when.
  const status = error.details.status;
  const hint = error.details.tooLongToWait ? undefined : ((status !== undefined ? HINT_BY_STATUS[status] : undefined) ?? HINT_BY_KIND[error.kind]);
  return `utter: ${error.message}${hint ? ` (${hint})` : ''}\n`;
}
