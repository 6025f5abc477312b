import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFromEnv, loadSettings } from '../../electron/engine/config';
import { keyMayGoTo } from '../../electron/engine/key-binding';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { SpeechError } from '../../electron/engine/errors';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/** The API key goes only where it was entered for, and never unencrypted to another machine. */
let tts: TtsServer;
beforeAll(async () => {
  tts = await startTtsServer({ apiKey: 'sk-secret' });
});
afterAll(async () => tts?.close());

async function speakTo(options: { apiKey?: string; apiKeyOrigins?: string[] }): Promise<{ authorization: string | undefined; error?: SpeechError }> {
  const provider = new OpenAiProvider({ baseUrls: [tts.url], model: 'tts-1', voice: 'alloy', format: 'pcm', speed: 1, ...options });
  const before = tts.speechRequests().length;
  let error: SpeechError | undefined;
  try {
    const audio = await provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal });
    await audio.body.cancel();
  } catch (failure) {
    error = failure as SpeechError;
  }
  return { authorization: tts.speechRequests()[before]?.headers.authorization, error };
}

describe('where the API key goes', () => {
  it('to a server it was entered for', async () => {
    const { authorization, error } = await speakTo({ apiKey: 'sk-secret', apiKeyOrigins: [new URL(tts.url).origin] });
    expect(error).toBeUndefined();
    expect(authorization).toBe('Bearer sk-secret');
  });

  it('not to another: the request goes without it, and a refusal says why', async () => {
    const { authorization, error } = await speakTo({ apiKey: 'sk-secret', apiKeyOrigins: ['https://api.openai.com'] });
    expect(authorization).toBe('Bearer no-key');
    expect(error?.kind).toBe('auth');
    expect(error?.message).toBe(`The API key is not sent to ${new URL(tts.url).origin}: it was entered for https://api.openai.com. Enter the key again, or confirm it for this server, in the settings (API key).`);
  });

  it('OPENAI_API_KEY from the environment goes to api.openai.com only', async () => {
    const { input } = settingsFromEnv({ OPENAI_API_KEY: 'sk-secret' });
    expect(input).toMatchObject({ apiKey: 'sk-secret', apiKeyOrigins: ['https://api.openai.com'] });
    const settings = await loadSettings({ file: null, env: { OPENAI_API_KEY: 'sk-secret', UTTER_BASE_URL: tts.url } });
    expect((await speakTo({ apiKey: settings.apiKey, apiKeyOrigins: settings.apiKeyOrigins })).authorization).toBe('Bearer no-key');
    // UTTER_API_KEY (or --api-key) is Utter's own: given for this run's servers.
    const own = await loadSettings({ file: null, env: { UTTER_API_KEY: 'sk-secret', UTTER_BASE_URL: tts.url } });
    expect(own.apiKeyOrigins).toBeUndefined();
    expect((await speakTo({ apiKey: own.apiKey, apiKeyOrigins: own.apiKeyOrigins })).authorization).toBe('Bearer sk-secret');
  });

  it('never unencrypted to another machine, whatever it was entered for', () => {
    expect(keyMayGoTo('http://192.168.1.20:8880/v1', undefined)).toEqual({ ok: false, why: expect.stringMatching(/^The API key is not sent to http:\/\/192\.168\.1\.20:8880: the connection is not encrypted\. Use an https:\/\/ address in the Base URLs setting/) });
    expect(keyMayGoTo('http://tts.example.com/v1', ['http://tts.example.com']).ok).toBe(false);
    for (const local of ['http://127.0.0.1:8880/v1', 'http://localhost:8000/v1', 'http://[::1]:8880/v1']) expect(keyMayGoTo(local, undefined)).toEqual({ ok: true });
    expect(keyMayGoTo('https://api.openai.com/v1', ['https://api.openai.com'])).toEqual({ ok: true });
  });
});
