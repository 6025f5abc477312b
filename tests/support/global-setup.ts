import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Once per run: makes the audio fixtures (the script skips itself when they are current)
 * and builds the app, so the browser tests serve the same renderer files the app ships.
 */
export default function setup(): void {
  execFileSync('bash', [join(ROOT, 'tests', 'fixtures', 'make.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
