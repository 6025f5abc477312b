import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../electron/cli/main';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

/**
 * `utter speak --out` off a terminal (a script, a key binding) against a server that takes
 * the request and never answers: before, nothing was said for the ~120 s the SDK's timeouts
 * and the retries took, with or without a second server in the list.
 */
let hung: TtsServer;
let good: TtsServer;
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'utter-cli-late-'));
  hung = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
  hung.setDefault({ hangHeaders: true });
  good = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
});
afterEach(async () => {
  await expect.poll(() => hung.openRequests(), { timeout: 5000 }).toBe(0);
  await hung.close();
  await good.close();
});

/** Far below the ~120 s the old code took; generous for a busy 2-core machine. */
const BOUND_MS = 15_000;

/** Runs `utter speak` off a terminal; interrupted (Ctrl-C) at the first line it says, or after BOUND_MS. */
async function speak(baseUrls: string[], interruptOnLine: boolean): Promise<{ code: number; lines: string[]; elapsedMs: number; out: string }> {
  const lines: string[] = [];
  const interrupt = new AbortController();
  const io: CliIo = {
    out: () => {},
    err: (text) => {
      lines.push(text);
      if (interruptOnLine) interrupt.abort();
    },
    stdin: async () => '',
    env: { HOME: dir, UTTER_SETTINGS: join(dir, 'settings.json') },
    isTerminal: false,
    signal: interrupt.signal,
  };
  const out = join(dir, 'out.wav');
  const timer = setTimeout(() => interrupt.abort(), BOUND_MS);
  const started = performance.now();
  try {
    const args = ['speak', 'One sentence here.', ...baseUrls.flatMap((url) => ['--base-url', url]), '--format', 'mp3', '--no-cache', '--out', out];
    const code = await main(args, io);
    return { code, lines, elapsedMs: performance.now() - started, out };
  } finally {
    clearTimeout(timer);
  }
}

describe('utter speak off a terminal, and a server that never answers', () => {
  it('one server: says it is still waiting after 5 s, and Ctrl-C then ends it', { timeout: 40_000 }, async () => {
    const { code, lines, elapsedMs } = await speak([hung.url], true);
    expect(lines[0]).toBe(`utter: ${hung.url} has not answered in 5 s; still waiting.\n`);
    expect(elapsedMs).toBeGreaterThanOrEqual(4950);
    expect(code).toBe(EXIT.interrupted);
  });

  it('a second server: says so, asks it, and writes its audio within seconds', { timeout: 40_000 }, async () => {
    const { code, lines, elapsedMs, out } = await speak([hung.url, good.url], false);
    expect(lines).toEqual([`utter: ${hung.url} has not answered in 5 s; asking ${good.url} too.\n`]);
    expect(code).toBe(EXIT.ok);
    expect(elapsedMs).toBeLessThan(BOUND_MS);
    expect(existsSync(out)).toBe(true);
    expect(good.speechRequests()).toHaveLength(1);
  });
});

describe('utter speak off a terminal, and a server that asks to be tried later', () => {
  it('says the wait it was asked for, then writes the audio', { timeout: 30_000 }, async () => {
    good.enqueue({ status: 503, retryAfter: '3', message: 'Loading model' });
    const { code, lines, elapsedMs, out } = await speak([good.url], false);
    expect(lines).toEqual([`utter: ${good.url} failed (503): Loading model: trying again in 3 seconds.\n`]);
    expect(elapsedMs).toBeGreaterThanOrEqual(2950);
    expect(code).toBe(EXIT.ok);
    expect(existsSync(out)).toBe(true);
  });
});
