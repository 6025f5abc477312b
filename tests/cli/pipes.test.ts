// A pipe given where `utter` reads a file (`--settings`, `--file`): opening one that nothing
// writes to waits for ever. It used to wait without a word; now it says what it waits for,
// and goes on once the pipe is written. `utter doctor` does not wait on one at all.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/cli/main';
import { runUtter, UTTER_BIN } from '../support/run-utter';

function pipeIn(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** Runs `utter`, writes `written` into `pipe` once it says it waits for it, and resolves to how it ended. */
async function waitedOn(args: string[], dir: string, pipe: string, written: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [UTTER_BIN, ...args], { env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => void (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await expect.poll(() => stderr, { timeout: 15_000 }).toContain(`utter: waiting for ${pipe} (a pipe or a device that nothing has written to yet)`);
    await writeFile(pipe, written);
    return { code: await exited, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('utter and a pipe that nothing writes to', () => {
  it('--settings: says what it waits for, then speaks with the settings written into it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-pipe-'));
    const settings = pipeIn(dir, 'settings.json');
    const out = join(dir, 'out.wav');
    const { code, stderr } = await waitedOn(['speak', 'Hello there.', '--settings', settings, '--out', out], dir, settings, '{"provider": "local"}');
    expect({ code, stderr: stderr.split('\n').filter((line) => !line.startsWith('utter: waiting')).join('\n') }).toEqual({ code: EXIT.ok, stderr: expect.not.stringContaining('utter:') });
    expect(existsSync(out)).toBe(true);
  });

  it('--file: says what it waits for, then speaks the text written into it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-pipe-'));
    const text = pipeIn(dir, 'text.txt');
    const out = join(dir, 'out.wav');
    const { code } = await waitedOn(['speak', '--provider', 'local', '--file', text, '--out', out], dir, text, 'Read from a pipe.');
    expect(code).toBe(EXIT.ok);
    expect(existsSync(out)).toBe(true);
  });

  it('doctor: names a pipe as no settings file, without waiting on it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-pipe-'));
    const settings = pipeIn(dir, 'settings.json');
    const run = await runUtter(['doctor', '--settings', settings], { PATH: process.env.PATH, HOME: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${settings} is a pipe or a device, not a settings file`);
  });
});
