import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../electron/doctor/doctor';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import type { SpeechProvider } from '../../electron/engine/provider';

describe('utter doctor and the API key', () => {
  it('sends the key only to the servers it was entered for, as the engine does', async () => {
    const sent = new Map<string, string | undefined>();
    const fetcher = (async (url: string, init?: RequestInit) => {
      sent.set(new URL(url).origin, (init?.headers as Record<string, string>).authorization);
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    await runDoctor({
      nodeVersion: '22.0.0',
      minimumNode: '20.0.0',
      electronPackage: async () => null,
      settingsFile: '/nonexistent/settings.json',
      env: {},
      settings: { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: ['https://api.example/v1', 'https://other.example/v1'], apiKey: 'sk-secret', apiKeyOrigins: ['https://api.example'] },
      // The embedded voice's check is not what this test is about: it fails at once.
      makeLocalProvider: () => ({ open: async () => Promise.reject(new Error('not here')), close: async () => {} }) as unknown as SpeechProvider,
      fetch: fetcher,
      run: async () => null,
      platform: 'linux',
      socketPath: '/nonexistent/utter.sock',
      inApp: null,
    });
    expect(sent.get('https://api.example')).toBe('Bearer sk-secret');
    expect(sent.has('https://other.example')).toBe(true);
    expect(sent.get('https://other.example')).toBeUndefined();
  });
});
