import { afterEach, describe, expect, it } from 'vitest';
import { askControl } from '../support/utter-web';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';

/** A token holder under `utter web` may not point the key elsewhere, unless it was started to allow it. */
let web: WebServer | undefined;
afterEach(async () => web?.close());

function updateSettings(server: WebServer, patch: object): Promise<{ ok: boolean; issues?: { setting: string; message: string }[] }> {
  return askControl(server, 'updateSettings', patch);
}

const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: ['https://tts.example.com/v1'], apiKey: 'sk-run' };

describe('utter web and the API key', () => {
  it('refuses a change of the key or the servers, and says how to allow it', async () => {
    web = await startWebServer({ root: RENDERER_BUILD, settings });
    for (const patch of [{ baseUrls: ['https://collector.example.net/v1'] }, { apiKey: 'sk-new' }, { apiKeyConfirm: true }]) {
      const result = await updateSettings(web, patch);
      expect(result).toMatchObject({ ok: false, issues: [{ message: expect.stringContaining('--allow-key-changes') }] });
    }
    // Everything else changes as before.
    expect(await updateSettings(web, { speed: 1.5 })).toMatchObject({ ok: true });
  });

  it('allows them when started with --allow-key-changes, and still keeps the key from a server it was not given for', async () => {
    web = await startWebServer({ root: RENDERER_BUILD, settings: { ...settings, apiKeyOrigins: ['https://tts.example.com'] }, allowKeyChanges: true });
    const result = await updateSettings(web, { baseUrls: ['https://collector.example.net/v1'] });
    expect(result).toMatchObject({ ok: true, settings: { apiKeyWithheldFrom: ['https://collector.example.net'] } });
  });
});
