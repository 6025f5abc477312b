import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** What the build is made from, and what it makes: a build newer than every source is current. */
const SOURCES = ['electron', 'renderer', 'shared', 'resources', 'electron.vite.config.ts', 'package.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.node.json', 'tsconfig.web.json'];
const OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** True when every output is there and newer than every source. */
function buildIsCurrent(): boolean {
  if (!OUTPUTS.every((output) => existsSync(join(ROOT, output)))) return false;
  const built = Math.min(...OUTPUTS.map((output) => statSync(join(ROOT, output)).mtimeMs));
  return SOURCES.filter((source) => existsSync(join(ROOT, source))).every((source) => newest(join(ROOT, source)) < built);
}

/**
 * Once per run: makes the audio fixtures (the script skips itself when they are current)
 * and builds the app, so the browser tests serve the same renderer files the app ships.
 * A current build is kept: rebuilt under a browser run going on beside it, its files change
 * name, and the pages it serves ask for ones that are gone.
 */
export default function setup(): void {
  execFileSync('bash', [join(ROOT, 'tests', 'fixtures', 'make.sh')], { stdio: 'inherit' });
  if (buildIsCurrent()) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
