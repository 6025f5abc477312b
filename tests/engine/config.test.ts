import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from '../../shared/config/schema';
import { layerEnvironment, loadSettings } from '../../electron/engine/config';
import { SpeechError } from '../../electron/engine/errors';

async function settingsFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'utter-config-'));
  const path = join(dir, 'settings.json');
  await writeFile(path, content);
  return path;
}

async function configError(promise: Promise<unknown>): Promise<SpeechError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpeechError);
  expect((error as SpeechError).kind).toBe('config');
  return error as SpeechError;
}

describe('loadSettings', () => {
  it('defaults to the embedded voice with the spec\'s four knobs', async () => {
    const settings = await loadSettings({ file: null, env: {} });
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings.provider).toBe('local');
    expect(settings.streamingEnabled).toBe(true);
    expect(settings.streamBufferMs).toBe(150);
    expect(settings.streamChunkSize).toBe(4096);
    expect(settings.streamMaxBuffer).toBe(2);
  });

  it('refuses a settings "file" that never ends (/dev/zero) at once, naming it', async () => {
    const error = await loadSettings({ file: '/dev/zero', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechError);
    expect((error as Error).message).toBe('Cannot read the settings file /dev/zero: it holds more than 1,048,576 bytes, and no settings file is that large.');
  });

  it('layers defaults < file < environment < flags', async () => {
    const file = await settingsFile(JSON.stringify({ voice: 'file-voice', speed: 1.5, model: 'file-model', format: 'mp3' }));
    const env = { UTTER_VOICE: 'env-voice', UTTER_SPEED: '2', UTTER_STREAM_MAX_BUFFER: '1.5' };
    const settings = await loadSettings({ file, env, flags: { voice: 'flag-voice' } });
    expect(settings.voice).toBe('flag-voice');
    expect(settings.speed).toBe(2);
    expect(settings.model).toBe('file-model');
    expect(settings.format).toBe('mp3');
    expect(settings.streamMaxBuffer).toBe(1.5);
  });

  it('reads every UTTER_ variable, the failover list and OPENAI_API_KEY', async () => {
    const settings = await loadSettings({
      file: null,
      env: {
        UTTER_BASE_URL: 'http://127.0.0.1:8880/v1, https://api.openai.com/v1',
        OPENAI_API_KEY: 'sk-fallback',
        UTTER_MODEL: 'gpt-4o-mini-tts',
        UTTER_FORMAT: 'opus',
        UTTER_STREAMING_ENABLED: 'false',
        UTTER_STREAM_BUFFER_MS: '200',
        UTTER_STREAM_CHUNK_SIZE: '8192',
      },
    });
    expect(settings.provider).toBe('openai');
    expect(settings.baseUrls).toEqual(['http://127.0.0.1:8880/v1', 'https://api.openai.com/v1']);
    expect(settings.apiKey).toBe('sk-fallback');
    expect(settings.format).toBe('opus');
    expect(settings.streamingEnabled).toBe(false);
    expect(settings.streamBufferMs).toBe(200);
    expect(settings.streamChunkSize).toBe(8192);
    const own = await loadSettings({ file: null, env: { UTTER_API_KEY: 'sk-own', OPENAI_API_KEY: 'sk-other' } });
    expect(own.apiKey).toBe('sk-own');
  });

  it('names the setting, the value and the accepted range', async () => {
    const error = await configError(loadSettings({ file: null, env: { UTTER_SPEED: '9' } }));
    expect(error.message).toMatch(/speed = 9 \(must be at most 4\)/);
    const format = await configError(loadSettings({ file: null, env: {}, flags: { format: 'ogg' as never } }));
    expect(format.message).toMatch(/format = "ogg" \(must be one of pcm, wav, mp3, opus, flac, aac\)/);
    const buffer = await configError(loadSettings({ file: null, env: { UTTER_STREAM_BUFFER_MS: '5' } }));
    expect(buffer.message).toMatch(/streamBufferMs = 5 \(must be at least 20\)/);
    // Not "(must be at least 1)", which reads as a number.
    const model = await configError(loadSettings({ file: null, env: {}, flags: { model: '' } }));
    expect(model.message).toMatch(/model = "" \(must not be empty\)/);
  });

  it('reports a value of the wrong type under the variable\'s name', async () => {
    const error = await configError(loadSettings({ file: null, env: { UTTER_STREAMING_ENABLED: 'maybe' } }));
    expect(error.message).toMatch(/UTTER_STREAMING_ENABLED = "maybe" \(must be a boolean\)/);
  });

  it('refuses a bad URL, an unknown setting and a broken file, naming the file', async () => {
    await expect(loadSettings({ file: null, env: { UTTER_BASE_URL: 'ftp://x' } })).rejects.toThrow(/baseUrls.0/);
    const unknown = await settingsFile(JSON.stringify({ sped: 2 }));
    await expect(loadSettings({ file: unknown, env: {} })).rejects.toThrow(/unknown setting: sped/);
    const broken = await settingsFile('{ "speed": ');
    await expect(loadSettings({ file: broken, env: {} })).rejects.toThrow(new RegExp(`${broken}.*not valid JSON`));
  });

  it('says a base URL\'s port is out of range, not that it is no URL', async () => {
    for (const port of ['99999', '0']) {
      const error = await configError(loadSettings({ file: null, env: { UTTER_BASE_URL: `http://127.0.0.1:${port}/v1` } }));
      expect(error.message).toMatch(`(port ${port} is out of range: a port is 1 to 65535)`);
      expect(error.message).not.toMatch(/http\(s\) URL/);
    }
    expect((await loadSettings({ file: null, env: { UTTER_BASE_URL: 'http://127.0.0.1:65535/v1' } })).baseUrls).toEqual(['http://127.0.0.1:65535/v1']);
  });

  it('quotes a value nested 20,000 deep (a 40 KB file) without overflowing the stack, and Infinity as itself', async () => {
    const deep = await settingsFile(`{"voice":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    await expect(loadSettings({ file: deep, env: {} })).rejects.toThrow(/voice = \[…\] \(must be text\)/);
    const huge = await settingsFile('{"streamMaxBuffer": 1e999}');
    await expect(loadSettings({ file: huge, env: {} })).rejects.toThrow(/streamMaxBuffer = Infinity \(must be a number\)/);
  });

  it('takes a failover list of up to 16 servers, not more', async () => {
    const urls = (n: number): string => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${8001 + i}/v1`).join(',');
    expect((await loadSettings({ file: null, env: { UTTER_BASE_URL: urls(16) } })).baseUrls).toHaveLength(16);
    const error = await configError(loadSettings({ file: null, env: { UTTER_BASE_URL: urls(17) } }));
    expect(error.message).toMatch(/\(must list at most 16\)$/);
  });

  it('says one thing wrong with each setting, by the setting\'s own range', async () => {
    const file = await settingsFile(JSON.stringify({ model: [], streamBufferMs: 1e300 }));
    const error = await configError(loadSettings({ file, env: {} }));
    expect(error.message).toMatch(/model = \[\] \(must be text\); streamBufferMs = 1e\+300 \(must be at most 5000\)$/);
  });

  it('treats a missing settings file as no settings', async () => {
    const settings = await loadSettings({ file: join(tmpdir(), 'utter-does-not-exist', 'settings.json'), env: {} });
    expect(settings.provider).toBe('local');
  });
});

describe('shortcuts in the settings', () => {
  it('are checked by the accelerator grammar, and an empty one turns a hotkey off', () => {
    expect(validateSettings({ hotkeys: { speakClipboard: '' } })).toMatchObject({ ok: true });
    const refused = validateSettings({ hotkeys: { stop: 'Alt' } });
    expect(refused).toMatchObject({ ok: false, issues: [{ setting: 'hotkeys.stop', message: expect.stringMatching(/no key, only modifiers/) }] });
  });
});

describe('layerEnvironment (the app: every variable on its own)', () => {
  // Each variable the README lists, with a value that differs from the default, and where it lands.
  const EACH: [string, string, string, unknown][] = [
    ['UTTER_PROVIDER', 'openai', 'provider', 'openai'],
    ['UTTER_MODEL', 'gpt-4o-mini-tts', 'model', 'gpt-4o-mini-tts'],
    ['UTTER_VOICE', 'nova', 'voice', 'nova'],
    ['UTTER_FORMAT', 'opus', 'format', 'opus'],
    ['UTTER_SPEED', '1.5', 'speed', 1.5],
    ['UTTER_STREAMING_ENABLED', 'false', 'streamingEnabled', false],
    ['UTTER_STREAM_BUFFER_MS', '400', 'streamBufferMs', 400],
    ['UTTER_STREAM_CHUNK_SIZE', '8192', 'streamChunkSize', 8192],
    ['UTTER_STREAM_MAX_BUFFER', '5', 'streamMaxBuffer', 5],
  ];

  it.each(EACH)('%s=%s sets %s, and says which variable did', (name, raw, key, value) => {
    const layered = layerEnvironment(DEFAULT_SETTINGS, { [name]: raw });
    expect(layered.issues).toEqual([]);
    expect(layered.settings[key as keyof typeof DEFAULT_SETTINGS]).toEqual(value);
    expect(layered.fromEnvironment).toEqual({ [key]: name });
  });

  it('UTTER_BASE_URL names the servers and, as on the command line, chooses them unless UTTER_PROVIDER says otherwise', () => {
    const layered = layerEnvironment(DEFAULT_SETTINGS, { UTTER_BASE_URL: 'http://127.0.0.1:8880/v1, http://127.0.0.1:8000/v1' });
    expect(layered.settings).toMatchObject({ provider: 'openai', baseUrls: ['http://127.0.0.1:8880/v1', 'http://127.0.0.1:8000/v1'] });
    expect(layered.fromEnvironment).toEqual({ baseUrls: 'UTTER_BASE_URL', provider: 'UTTER_BASE_URL' });
    expect(layerEnvironment(DEFAULT_SETTINGS, { UTTER_BASE_URL: 'http://127.0.0.1:8880/v1', UTTER_PROVIDER: 'local' }).settings.provider).toBe('local');
  });

  it('refuses a bad variable by name, value and range, and applies the others', () => {
    const layered = layerEnvironment(DEFAULT_SETTINGS, {
      UTTER_SPEED: 'fast',
      UTTER_STREAM_BUFFER_MS: '5',
      UTTER_FORMAT: 'ogg',
      UTTER_STREAMING_ENABLED: 'no',
      UTTER_STREAM_MAX_BUFFER: '3',
    });
    expect(layered.issues).toEqual([
      { setting: 'UTTER_SPEED', value: 'fast', message: 'must be a number' },
      { setting: 'UTTER_FORMAT', value: 'ogg', message: expect.stringContaining('must be one of pcm') },
      { setting: 'UTTER_STREAM_BUFFER_MS', value: 5, message: 'must be at least 20' },
    ]);
    expect(layered.settings).toMatchObject({ speed: 1, format: 'pcm', streamBufferMs: 150, streamingEnabled: false, streamMaxBuffer: 3 });
    expect(layered.fromEnvironment).toEqual({ streamingEnabled: 'UTTER_STREAMING_ENABLED', streamMaxBuffer: 'UTTER_STREAM_MAX_BUFFER' });
  });

  it('takes the key from UTTER_API_KEY, else OPENAI_API_KEY, and never names it as a visible setting', () => {
    expect(layerEnvironment(DEFAULT_SETTINGS, { OPENAI_API_KEY: 'sk-a' }).settings.apiKey).toBe('sk-a');
    const layered = layerEnvironment({ ...DEFAULT_SETTINGS, apiKey: 'stored' }, { UTTER_API_KEY: 'sk-b', OPENAI_API_KEY: 'sk-a' });
    expect(layered.settings.apiKey).toBe('sk-b');
    expect(layered.fromEnvironment).toEqual({});
  });
});
