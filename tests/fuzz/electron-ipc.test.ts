import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelOf, OPERATIONS, OPERATION_NAMES } from '../../shared/contract';
import { launchApp } from '../support/fake-electron';
import { startTtsServer, type TtsServer } from '../support/tts-server';
import { pick, randomValue, run } from './doors';

/**
 * The Electron main process's own page handlers (page-ipc.ts, under the mocked Electron),
 * as a page would reach them: every operation, payloads of any shape, from our page or
 * from a frame that is not ours. A refusal is a rejected invoke (what the page sees); a
 * crash is an exception that escapes a handler into the main process, or an uncaught one.
 * 2,000 inputs in `npm test`; `npm run fuzz` sets UTTER_FUZZ_INPUTS=10000.
 */
const COUNT = Number(process.env.UTTER_FUZZ_INPUTS ?? 2000);
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

const ours = { url: 'app://utter/index.html', parent: null };
const foreign = [{ url: 'https://evil.example/', parent: null }, { url: 'app://utter/index.html', parent: {} }, null];
const contents = { postMessage: () => {}, send: () => {}, once: () => {}, isDestroyed: () => false };
let tts: TtsServer;

beforeAll(async () => {
  captured.userData = mkdtempSync(join(tmpdir(), 'utter-ipc-fuzz-'));
  // A quick local server instead of the embedded voice: speak has something to start.
  tts = await startTtsServer();
  vi.stubEnv('UTTER_SOCKET', join(captured.userData, 'utter.sock'));
  vi.stubEnv('XDG_CONFIG_HOME', captured.userData);
  vi.stubEnv('UTTER_PROVIDER', 'openai');
  vi.stubEnv('UTTER_BASE_URL', tts.url);
  await launchApp(captured, () => import('../../electron/main/index'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await tts.close();
});

/** A payload near what the page sends, so the handlers past the schema are reached too. */
function plausible(name: (typeof OPERATION_NAMES)[number], r: () => number): unknown {
  const text = (): string => pick(r, ['Hello.', 'Two sentences. Here.', '', ' ', '😀', 'x'.repeat(3000), String(randomValue(r, 4))]);
  switch (name) {
    case 'speak':
      return { texts: Array.from({ length: 1 + Math.floor(r() * 3) }, text), ...(r() < 0.5 ? { format: pick(r, ['pcm', 'mp3', 'opus', 'ogg']) } : {}), ...(r() < 0.3 ? { queue: r() < 0.5 } : {}) };
    case 'control':
      return pick(r, ['stop', 'pause-resume', 'skip', 'previous', 'resume-saved', 'play']);
    case 'setFormat':
      return pick(r, ['pcm', 'wav', 'mp3', 'opus', 'flac', 'aac', 'ogg']);
    case 'sinkFact':
      return { type: pick(r, ['first-heard', 'heard', 'drained', 'error', 'audio-output', 'notice']), id: Math.floor(r() * 5), index: Math.floor(r() * 5), at: r() * 1e12, heardAt: r() * 1e12, ok: r() < 0.5, detail: text(), message: text(), error: { kind: 'bad-audio', message: text() } };
    case 'updateSettings':
      return Object.fromEntries([['speed', r() * 5], ['format', pick(r, ['pcm', 'mp3', 'x'])], ['hotkeys', { stop: pick(r, ['', 'Ctrl+Alt+X', 'Nope+Q']) }], ['openAtLogin', pick(r, [true, false, 'yes'])], ['checkForUpdates', r() < 0.5]].filter(() => r() < 0.5));
    case 'updateAction':
      return pick(r, ['check', 'download', 'install', 'reboot']);
    case 'updatePronunciations':
    case 'tryPronunciations': {
      const rule = () => ({ kind: pick(r, ['word', 'regex', 'glob']), match: pick(r, ['GUI', '(a+)+$', '(', 'a*', '\\p{L}+', text()]), replacement: text(), ...(r() < 0.3 ? { flags: pick(r, ['i', 'u', 'iu', 'g']) } : {}) });
      const rules = Array.from({ length: Math.floor(r() * 4) }, rule);
      return name === 'tryPronunciations' ? { rules, text: text() } : { rules, ...(r() < 0.5 ? { base: rules.slice(1) } : {}) };
    }
    default:
      return undefined;
  }
}

describe('the Electron shell\'s page handlers stand up to generated input', () => {
  it(`${COUNT} inputs`, async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const result = await run('page operations (Electron IPC handlers)', COUNT, 7, 5000, async (r) => {
        const name = pick(r, OPERATION_NAMES);
        const invoke = OPERATIONS[name].kind === 'invoke';
        const handler = captured.handlers.get(invoke ? channelOf(name) : `on:${channelOf(name)}`)!;
        const event = { senderFrame: r() < 0.85 ? ours : pick(r, foreign), sender: contents };
        const payload = r() < 0.5 ? plausible(name, r) : randomValue(r);
        if (!invoke) {
          // ipcMain.on listeners: a throw here would be an uncaught exception in main.
          handler(event, payload);
          return;
        }
        try {
          await handler(event, payload);
        } catch (error) {
          // The page's rejected invoke: a refusal, as long as it says why.
          const message = (error as Error).message;
          if (!message) throw new Error(`${name} threw without a message`);
          return message;
        }
      });
      expect(tts.requests.length).toBeGreaterThan(0);
      console.log(`${result.door}: ${result.inputs} inputs, ${result.crashes} crashes, ${result.hangs} hangs, peak RSS ${result.peakRssMB} MB; e.g. ${JSON.stringify(result.samples)}`);
      expect(result.inputs).toBe(COUNT);
      expect(result.crashes).toBe(0);
      expect(result.hangs).toBe(0);
      expect(result.peakRssMB).toBeLessThan(1500);
    } finally {
      warn.mockRestore();
    }
  }, 300_000);
});
