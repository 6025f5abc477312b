import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from '../../shared/config/schema';
import { loadSettings } from '../../electron/main/engine/config';
import { SpeechError } from '../../electron/main/engine/errors';

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
