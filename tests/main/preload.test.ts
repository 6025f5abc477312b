import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppCommand } from '../../shared/app-commands';
import type { UtterApi } from '../../shared/renderer-api';
import { PAGE_EVENTS } from '../../shared/contract';

/** The preload under a mocked Electron: what it exposes, and what it does with main's messages. */
const captured = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, (event: unknown, message: unknown) => void>(),
  invoked: [] as unknown[][],
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => captured.exposed.set(name, api) },
  ipcRenderer: {
    on: (channel: string, listener: (event: unknown, message: unknown) => void) => captured.listeners.set(channel, listener),
    invoke: async (...args: unknown[]) => void captured.invoked.push(args),
    send: () => {},
  },
}));

let api: UtterApi;
const fromMain = (command: AppCommand) => captured.listeners.get(PAGE_EVENTS.command)!({ sender: 'the IPC event' }, command);

beforeAll(async () => {
  await import('../../electron/preload/index');
  api = captured.exposed.get('utter') as UtterApi;
});

describe('preload', () => {
  it('exposes named functions only, never ipcRenderer', () => {
    expect(Object.keys(api).sort()).toEqual(['appInfo', 'audioPortNonce', 'onCommand', 'openSettings', 'reportStatus', 'settings', 'speak', 'updateSettings', 'voices']);
    expect(Object.values(api).some((value) => value && typeof value === 'object')).toBe(false);
  });

  it('keeps commands that arrive before the page listens (a hotkey opened the window), in order', () => {
    fromMain({ type: 'speak', text: 'From the clipboard.', source: 'clipboard' });
    fromMain({ type: 'queue', text: 'Then this.' });
    const heard: AppCommand[] = [];
    const unsubscribe = api.onCommand!((command) => heard.push(command));
    expect(heard).toEqual([
      { type: 'speak', text: 'From the clipboard.', source: 'clipboard' },
      { type: 'queue', text: 'Then this.' },
    ]);
    // Later ones go straight through, without the IPC event.
    fromMain({ type: 'stop' });
    expect(heard.at(-1)).toEqual({ type: 'stop' });
    unsubscribe();
    fromMain({ type: 'skip' });
    expect(heard.at(-1)).toEqual({ type: 'stop' });
    // A page that subscribes again (React's strict mode) gets what came in between.
    api.onCommand!((command) => heard.push(command));
    expect(heard.at(-1)).toEqual({ type: 'skip' });
  });
});
