import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/cli/main';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';
import { UTTER_BIN } from '../support/run-utter';

/**
 * `utter speak --out` stopped by a signal mid-answer: the way a terminal's Ctrl-C, a `kill` and a
 * service manager stop it. Each must leave no half-written file behind (SIGTERM left
 * `.out.wav.<hex>.part`). SIGHUP is left to its default, so that `nohup` still works.
 */
let server: TtsServer;

beforeAll(async () => {
  server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'speech') });
  // Part of the audio, then nothing for a minute: the file is being written when the signal comes.
  server.setDefault({ stallAfterBytes: 3000, stallMs: 60_000 });
});
afterAll(async () => server.close());

describe('utter speak --out, stopped by a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: ends as interrupted and leaves no partial file', { timeout: 30_000 }, async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-signal-'));
    const child = spawn(process.execPath, [UTTER_BIN, 'speak', 'One sentence here.', '--provider', 'openai', '--base-url', server.url, '--api-key', 'x', '--format', 'mp3', '--no-cache', '--out', join(dir, 'out.wav')], {
      env: { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'settings.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await expect.poll(() => readdirSync(dir).some((name) => name.endsWith('.part')), { timeout: 15_000 }).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(EXIT.interrupted);
    expect(readdirSync(dir).filter((name) => name !== 'settings.json')).toEqual([]);
  });
});
