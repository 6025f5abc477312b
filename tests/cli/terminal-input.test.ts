// `utter speak --out F` with no text, at a terminal, reads what is typed. Without a word it
// looked like a hang; now it says how to end the text. Run under `script`, which gives
// `utter` a real terminal, as a shell would.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UTTER_BIN } from '../support/run-utter';

describe('utter speak at a terminal, with no text', () => {
  it('says how to end the text typed, then speaks it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-terminal-'));
    const out = join(dir, 'typed.wav');
    const command = [process.execPath, UTTER_BIN, 'speak', '--provider', 'local', '--out', out].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
    let shown = '';
    child.stdout!.on('data', (data: Buffer) => void (shown += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await expect.poll(() => shown, { timeout: 20_000 }).toContain('utter: type the text to speak, then Ctrl-D on a line of its own.');
      child.stdin!.write('Typed at a terminal.\n');
      await expect.poll(() => shown, { timeout: 5_000 }).toContain('Typed at a terminal.');
      child.stdin!.write('\x04');
      expect(await exited).toBe(0);
      expect(existsSync(out)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
