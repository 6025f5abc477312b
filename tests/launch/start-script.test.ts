import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` and `npm run dev` as a user runs them, in a throw-away project that carries the
 * REAL scripts and engines from package.json and the real launch files, with stand-ins for
 * Electron's installer and for electron-vite that write what ran to one log.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const REAL = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const ELECTRON_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
/** Every child is killed after this long, so a hang fails the test instead of stalling the run. */
const HANG_GUARD_MS = 20_000;
const STACK_LINE = /^\s+at /m;
const NODE_VERSION = pathToFileURL(join(ROOT, 'electron', 'launch', 'node-version.mjs')).href;
const { nodeTooOldMessage } = (await import(NODE_VERSION)) as { nodeTooOldMessage: (running?: string) => string | null };

// Stand-ins. The installer lives in node_modules/electron, so the log is two folders up.
const LOG = "require('path').join(__dirname, '..', '..', 'run.log')";
const INSTALLER_OK = `const fs = require('fs'), path = require('path');
fs.appendFileSync(${LOG}, 'install\\n');
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '#!/bin/sh\\n', { mode: 0o755 });
fs.writeFileSync(path.join(__dirname, 'dist', 'version'), require('./package.json').version);
fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
`;
// What install.js does when @electron/get fails: it prints the error's stack and exits 1.
const INSTALLER_OFFLINE = `require('fs').appendFileSync(${LOG}, 'install\\n');
console.error(new Error('getaddrinfo ENOTFOUND github.com').stack);
process.exit(1);
`;
const INSTALLER_NO_BINARY = `require('fs').appendFileSync(${LOG}, 'install\\n');\n`;
// Like electron-vite: ELECTRON_EXEC_PATH wins, else path.txt must name a file under dist/.
const ELECTRON_VITE = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
fs.appendFileSync('run.log', 'electron-vite ' + process.argv.slice(2).join(' ') + '\\n');
if (!process.env.ELECTRON_EXEC_PATH) {
  const dir = path.join('node_modules', 'electron');
  const name = fs.existsSync(path.join(dir, 'path.txt')) ? fs.readFileSync(path.join(dir, 'path.txt'), 'utf8') : '';
  if (!name || !fs.existsSync(path.join(dir, 'dist', name))) throw new Error('Electron uninstall');
}
`;

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temp folder that is removed when the file's tests end. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

type Installer = 'ok' | 'offline' | 'no-binary' | 'real' | 'none';

/** A temp project with the real scripts, engines and launch files, and the given installer. */
function makeProject(installer: Installer, engines = REAL.engines): string {
  const dir = tempDir('utter-start-');
  const pkg = { name: 'utter-start-test', private: true, type: REAL.type, engines, scripts: { start: REAL.scripts.start, dev: REAL.scripts.dev } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  mkdirSync(join(dir, 'electron', 'launch'), { recursive: true });
  mkdirSync(join(dir, 'electron', 'cli'), { recursive: true });
  // Copies, not links: node-version.mjs then reads this project's engines.
  for (const file of readdirSync(join(ROOT, 'electron', 'launch'))) copyFileSync(join(ROOT, 'electron', 'launch', file), join(dir, 'electron', 'launch', file));
  copyFileSync(join(ROOT, 'electron', 'cli', 'utter.mjs'), join(dir, 'electron', 'cli', 'utter.mjs'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', '.bin', 'electron-vite'), ELECTRON_VITE);
  chmodSync(join(dir, 'node_modules', '.bin', 'electron-vite'), 0o755);
  if (installer === 'none') return dir;
  const electron = join(dir, 'node_modules', 'electron');
  mkdirSync(electron);
  if (installer === 'real') {
    for (const file of ['install.js', 'package.json', 'checksums.json']) copyFileSync(join(ROOT, 'node_modules', 'electron', file), join(electron, file));
    // install.js requires @electron/get, and @electron-internal/extract-zip once downloaded.
    for (const scope of ['@electron', '@electron-internal']) symlinkSync(join(ROOT, 'node_modules', scope), join(dir, 'node_modules', scope));
  } else {
    writeFileSync(join(electron, 'package.json'), JSON.stringify({ name: 'electron', version: ELECTRON_VERSION }));
    writeFileSync(join(electron, 'install.js'), { ok: INSTALLER_OK, offline: INSTALLER_OFFLINE, 'no-binary': INSTALLER_NO_BINARY }[installer]);
  }
  return dir;
}

/** The steps the stand-ins logged, in order. */
function steps(dir: string): string[] {
  const log = join(dir, 'run.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

/** Runs a command in the project with a clean environment (no npm config, no Electron variables from the caller). */
function run(dir: string, command: string, args: string[], { node = process.execPath, env = {} as Record<string, string> } = {}) {
  const result = spawnSync(command, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: HANG_GUARD_MS,
    env: { PATH: [dirname(node), process.env.PATH].join(delimiter), HOME: dir, ...env },
  });
  if (result.error) throw result.error;
  if (result.signal) throw new Error(`${command} ${args.join(' ')} was killed by ${result.signal} (hang guard ${HANG_GUARD_MS} ms)`);
  return { code: result.status, output: result.stdout + result.stderr, stderr: result.stderr };
}

/** A local port that refuses connections: bound, then closed. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The failure paragraph's fixed parts. */
function expectParagraph(output: string, reason: string): void {
  expect(output).toContain(`utter: the Electron ${ELECTRON_VERSION} binary could not be downloaded (${reason})`);
  expect(output).toContain('ELECTRON_MIRROR=<url>');
  expect(output).toContain('electron_config_cache=<folder>');
  expect(output).toContain('ELECTRON_GET_USE_PROXY=1 HTTPS_PROXY=<url>');
  expect(output).toContain('`npx utter web`');
  expect(output).not.toMatch(STACK_LINE);
}

describe('npm start and npm run dev', () => {
  it("run Electron's installer, then electron-vite", () => {
    const dir = makeProject('ok');
    const start = run(dir, 'npm', ['run', 'start']);
    expect(start.code, start.output).toBe(0);
    expect(steps(dir)).toEqual(['install', 'electron-vite preview']);
    const dev = run(dir, 'npm', ['run', 'dev']);
    expect(dev.code, dev.output).toBe(0);
    expect(steps(dir)).toEqual(['install', 'electron-vite preview', 'install', 'electron-vite dev']);
  });

  it('explain a failed download in one paragraph, without a stack trace, and stop', () => {
    const dir = makeProject('offline');
    const { code, output } = run(dir, 'npm', ['run', 'start']);
    expect(code).not.toBe(0);
    expectParagraph(output, 'getaddrinfo ENOTFOUND github.com');
    expect(steps(dir)).toEqual(['install']);
  });

  it("explain the real installer's refused download the same way", async () => {
    const dir = makeProject('real');
    const cache = tempDir('utter-electron-cache-');
    const port = await refusedPort();
    const { code, output } = run(dir, 'npm', ['run', 'start'], { env: { ELECTRON_MIRROR: `http://127.0.0.1:${port}/`, electron_config_cache: cache } });
    expect(code).not.toBe(0);
    expectParagraph(output, `connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(steps(dir)).toEqual([]);
    expect(existsSync(join(dir, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('say in one line that npm install has not run when the electron package is missing', () => {
    const dir = makeProject('none');
    const { code, output } = run(dir, 'npm', ['run', 'start']);
    expect(code).not.toBe(0);
    expect(output).toContain('utter: the electron package is not in node_modules: run `npm install` first.');
    expect(output).not.toMatch(STACK_LINE);
    expect(steps(dir)).toEqual([]);
  });

  it('stop with a clear message when the installer succeeds but leaves no binary', () => {
    const dir = makeProject('no-binary');
    const { code, output } = run(dir, 'npm', ['run', 'start']);
    expect(code).not.toBe(0);
    expect(output).toContain("utter: Electron's installer succeeded but left no binary where electron-vite looks");
    expect(steps(dir)).toEqual(['install']);
  });

  it('leave the installer out when ELECTRON_EXEC_PATH names a binary, as electron-vite does', () => {
    const dir = makeProject('offline');
    const binary = join(dir, 'my-electron');
    writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
    const { code, output } = run(dir, 'npm', ['run', 'start'], { env: { ELECTRON_EXEC_PATH: binary } });
    expect(code, output).toBe(0);
    expect(steps(dir)).toEqual(['electron-vite preview']);
  });
});

describe('the Node version check', () => {
  const minimum = REAL.engines.node.replace(/^>=\s*/, '');
  const tooOld = (version: string) => `utter: Node ${version} is too old: Utter needs Node ${minimum} or newer (see .nvmrc; nvm install && nvm use).`;

  it('reads the minimum from package.json engines and compares versions numerically', () => {
    expect(REAL.engines.node).toBe('>=22.12');
    expect(nodeTooOldMessage('20.20.2')).toBe(tooOld('20.20.2'));
    expect(nodeTooOldMessage('22.9.0')).toBe(tooOld('22.9.0'));
    expect(nodeTooOldMessage('22.11.99')).toBe(tooOld('22.11.99'));
    expect(nodeTooOldMessage('22.12.0')).toBeNull();
    expect(nodeTooOldMessage('22.100.0')).toBeNull();
    expect(nodeTooOldMessage('24.0.0')).toBeNull();
    expect(nodeTooOldMessage()).toBeNull();
  });

  it('.nvmrc names a Node that package.json engines accepts', () => {
    const major = Number(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim());
    expect(major).toBeGreaterThanOrEqual(Number(minimum.split('.')[0]));
  });

  it('exitIfNodeTooOld prints one line and exits 1 for an old version', () => {
    const script = `import { exitIfNodeTooOld } from ${JSON.stringify(NODE_VERSION)}; exitIfNodeTooOld('20.19.0'); console.log('went on');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: HANG_GUARD_MS });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(tooOld('20.19.0') + '\n');
    expect(result.stdout).toBe('');
  });

  it('stops npm start and the utter command when engines asks for a newer Node than this one', () => {
    const dir = makeProject('ok', { node: '>=99.1' });
    const line = `utter: Node ${process.versions.node} is too old: Utter needs Node 99.1 or newer (see .nvmrc; nvm install && nvm use).\n`;
    for (const args of [['electron/launch/ensure-electron.mjs'], ['electron/cli/utter.mjs', '--help']]) {
      const result = run(dir, process.execPath, args);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(line);
    }
    const start = run(dir, 'npm', ['run', 'start']);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain(line);
    expect(steps(dir)).toEqual([]);
  });

  // A real old Node: Debian's, where it is older than the minimum. On machines where it is
  // new enough (or absent) there is nothing to run it with, and the test says so.
  const oldNode = findOldNode('/usr/bin/node');
  it.skipIf(!oldNode)(`turns away a real old Node${oldNode ? ` (${oldNode.version})` : ': skipped, /usr/bin/node is absent or not older than the minimum'}`, () => {
    const { path, version } = oldNode!;
    const line = tooOld(version) + '\n';
    for (const args of [['electron/launch/ensure-electron.mjs'], ['electron/cli/utter.mjs', '--help']]) {
      const result = run(ROOT, path, args, { node: path });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(line);
    }
    const dir = makeProject('ok');
    const start = run(dir, 'npm', ['run', 'start'], { node: path });
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain(line);
    expect(start.output).not.toMatch(STACK_LINE);
    expect(steps(dir)).toEqual([]);
  });
});

/** The Node at `path` and its version, if it exists and is older than package.json's minimum. */
function findOldNode(path: string): { path: string; version: string } | null {
  if (!existsSync(path)) return null;
  const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: HANG_GUARD_MS }).trim();
  return nodeTooOldMessage(version) ? { path, version } : null;
}
