import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchApp } from '../support/fake-electron';
import { startTtsServer, type TtsServer } from '../support/tts-server';
import { channelOf } from '../../shared/contract';

/**
 * The app started with UTTER_* variables, under the mocked Electron: the page and the engine
 * both get the settings in force, and a bad variable is told without dropping the others.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

const trusted = { senderFrame: { url: 'app://utter/index.html', parent: null } };
let tts: TtsServer;

beforeAll(async () => {
  tts = await startTtsServer();
  captured.userData = mkdtempSync(join(tmpdir(), 'utter-shell-env-'));
  process.env.UTTER_SOCKET = join(captured.userData, 'utter.sock');
  process.env.XDG_CONFIG_HOME = captured.userData;
  Object.assign(process.env, {
    UTTER_BASE_URL: tts.url,
    UTTER_FORMAT: 'opus',
    UTTER_VOICE: 'nova',
    UTTER_STREAMING_ENABLED: 'false',
    UTTER_STREAM_BUFFER_MS: '400',
    UTTER_STREAM_MAX_BUFFER: '5',
    UTTER_STREAM_CHUNK_SIZE: '10',
    UTTER_SPEED: 'fast',
  });
  await launchApp(captured, () => import('../../electron/main/index'));
});
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (name.startsWith('UTTER_')) delete process.env[name];
  await tts.close();
});

describe('UTTER_* variables in the app', () => {
  it('reach the page as the settings in force, each field saying which variable set it', async () => {
    const settings = (await captured.handlers.get(channelOf('settings'))!({ ...trusted, sender: captured.windows[0].contents })) as Record<string, unknown>;
    expect(settings).toMatchObject({
      provider: 'openai',
      baseUrls: [tts.url],
      format: 'opus',
      voice: 'nova',
      streamingEnabled: false,
      streamBufferMs: 400,
      streamMaxBuffer: 5,
      // Refused: the defaults stand.
      streamChunkSize: 4096,
      speed: 1,
    });
    expect(settings.fromEnvironment).toEqual({
      baseUrls: 'UTTER_BASE_URL',
      provider: 'UTTER_BASE_URL',
      format: 'UTTER_FORMAT',
      voice: 'UTTER_VOICE',
      streamingEnabled: 'UTTER_STREAMING_ENABLED',
      streamBufferMs: 'UTTER_STREAM_BUFFER_MS',
      streamMaxBuffer: 'UTTER_STREAM_MAX_BUFFER',
    });
  });

  it('tell the user of each refused variable by name, value and range, once', () => {
    const told = captured.notifications.filter((n) => n.startsWith('Refused from the environment'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('UTTER_SPEED = "fast" (must be a number)');
    expect(told[0]).toContain('UTTER_STREAM_CHUNK_SIZE = 10 (must be at least 256)');
    expect(told[0]).not.toContain('UTTER_FORMAT');
  });

  it('are what the engine speaks with', async () => {
    const sender = {
      postMessage: (_channel: string, _message: unknown, ports: { on: (e: string, h: () => void) => void; start: () => void }[]) => ports[0].start(),
      send: () => {},
      on: () => {},
      once: () => {},
      isDestroyed: () => false,
    };
    await captured.handlers.get(channelOf('attachSink'))!({ ...trusted, sender });
    await captured.handlers.get(channelOf('speak'))!({ ...trusted, sender }, { texts: ['Spoken with the environment.'] });
    await vi.waitFor(() => expect(tts.speechRequests().at(-1)?.body).toMatchObject({ input: 'Spoken with the environment.', response_format: 'opus', voice: 'nova' }));
  });

  it('win over a stored change, which is kept for when the variable goes', async () => {
    const result = (await captured.handlers.get(channelOf('updateSettings'))!(trusted, { format: 'mp3', model: 'tts-1-hd' })) as { ok: boolean; settings: Record<string, unknown> };
    expect(result.ok).toBe(true);
    expect(result.settings).toMatchObject({ format: 'opus', model: 'tts-1-hd' });
  });
});
