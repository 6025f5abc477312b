import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { UtterApi } from '../../shared/renderer-api';
import { AUDIO_PORT_MESSAGE, OPERATION_NAMES, PAGE_EVENTS } from '../../shared/contract';

/** The preload under a mocked Electron: what it exposes, and what it does with main's messages. */
const captured = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: [] as { channel: string; listener: (event: unknown, message: unknown) => void }[],
  posted: [] as { message: unknown; origin: string; ports: unknown[] }[],
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => captured.exposed.set(name, api) },
  ipcRenderer: {
    on: (channel: string, listener: (event: unknown, message: unknown) => void) => void captured.listeners.push({ channel, listener }),
    removeListener: (channel: string, listener: unknown) => {
      captured.listeners = captured.listeners.filter((entry) => entry.channel !== channel || entry.listener !== listener);
    },
    invoke: async () => {},
    send: () => {},
  },
}));

let api: UtterApi;
/** main's webContents.send / postMessage, as the preload's listeners get them. */
const fromMain = (channel: string, message: unknown, ports: unknown[] = []) => {
  for (const entry of captured.listeners.filter((e) => e.channel === channel)) entry.listener({ sender: 'the IPC event', ports }, message);
};

beforeAll(async () => {
  Object.assign(globalThis, {
    location: { origin: 'app://utter' },
    postMessage: (message: unknown, origin: string, ports: unknown[]) => void captured.posted.push({ message, origin, ports }),
  });
  await import('../../electron/preload/index');
  api = captured.exposed.get('utter') as UtterApi;
});

describe('preload', () => {
  it('exposes named functions only, never ipcRenderer: the contract\'s operations, on() and the nonce', () => {
    expect(Object.keys(api).sort()).toEqual([...OPERATION_NAMES, 'audioPortNonce', 'on'].sort());
    expect(Object.values(api).some((value) => value && typeof value === 'object')).toBe(false);
  });

  it('passes the session\'s messages on without the IPC event, until the page lets go', () => {
    const views: unknown[] = [];
    const stop = api.on('session', (view) => views.push(view));
    const actions: unknown[] = [];
    api.on('transport', (action) => actions.push(action));
    fromMain(PAGE_EVENTS.session, { state: 'idle' });
    fromMain(PAGE_EVENTS.transport, 'pause');
    expect(views).toEqual([{ state: 'idle' }]);
    expect(actions).toEqual(['pause']);
    stop();
    fromMain(PAGE_EVENTS.session, { state: 'playing' });
    expect(views).toHaveLength(1);
  });

  it('hands each utterance\'s port to its own window only, with the nonce', () => {
    const port = { a: 'port' };
    fromMain(PAGE_EVENTS.play, { id: 7, offset: 0, streaming: true, pcmSampleRate: 24000 }, [port]);
    expect(captured.posted).toEqual([
      { message: { type: AUDIO_PORT_MESSAGE, nonce: api.audioPortNonce, ticket: { id: 7, offset: 0, streaming: true, pcmSampleRate: 24000 } }, origin: 'app://utter', ports: [port] },
    ]);
    expect(api.audioPortNonce).toMatch(/^[0-9a-f-]{36}$/);
  });
});
