import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../electron/pages/app-protocol';
import { updateFeed } from '../electron/shell/updates';
// @ts-expect-error: a plain .mjs script without types
import { updateFeedArgs } from '../electron/launch/package-app.mjs';

/**
 * `electron-vite build`, then `electron-builder --dir --linux` with the repo's real
 * electron-builder.yml, into a temp folder, offline. Then the package is read back with
 * @electron/asar.
 *
 * The Electron binary cannot be fetched here, so electron-builder gets a STAND-IN
 * distribution (`electronDist`): a folder holding one file named `electron` — all that its
 * Linux packager needs, since it only copies the folder and renames `electron` to the
 * app's executable. The stand-in is a tiny shell script, NOT Electron: the app is never
 * run by this test. It does carry a fuse wire in @electron/fuses' V1 layout (sentinel,
 * version 1, length, one '0'/'1' byte per fuse, set to Electron's shipped defaults), so
 * electron-builder's real fuse step flips the fuses of electron-builder.yml on it and the
 * test reads them back. That proves the configuration and electron-builder's handling of
 * it, not that a real Electron 45 binary has the same wire.
 */
const ROOT = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'utter-package-'));
const standIn = join(work, 'electron-dist');
const appOut = join(work, 'dist', 'linux-unpacked');
const resources = join(appOut, 'resources');
const asarPath = join(resources, 'app.asar');
const unpacked = join(resources, 'app.asar.unpacked');

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse order of the V1 wire (@electron/fuses FuseV1Options) and Electron's shipped states. */
const FUSES = [
  ['runAsNode', '1'],
  ['enableCookieEncryption', '0'],
  ['enableNodeOptionsEnvironmentVariable', '1'],
  ['enableNodeCliInspectArguments', '1'],
  ['enableEmbeddedAsarIntegrityValidation', '0'],
  ['onlyLoadAppFromAsar', '0'],
  ['loadBrowserProcessSpecificV8Snapshot', '0'],
  ['grantFileProtocolExtraPrivileges', '1'],
] as const;

/** Packages the app never loads at run time; electron-builder.yml leaves them out. */
const EXCLUDED = ['tsx', 'esbuild', 'react', 'react-dom', 'scheduler'];

let asarFiles = new Set<string>();
const timings: Record<string, number> = {};

/** The feed this build is packaged with: the app reads it from app-update.yml. */
const FEED = 'https://updates.example.invalid/utter/';

function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const started = performance.now();
  try {
    execFileSync(command, args, {
      cwd: ROOT,
      stdio: 'pipe',
      env: {
        ...process.env,
        ...env,
        // Nothing may be downloaded: no Electron zip, no update check of electron-builder.
        ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
        NO_UPDATE_NOTIFIER: '1',
        ELECTRON_BUILDER_CACHE: join(work, 'cache'),
      },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${name} failed:\n${stdout?.toString().slice(-4000) ?? ''}\n${stderr?.toString().slice(-4000) ?? ''}`);
  }
  timings[name] = Math.round(performance.now() - started);
}

function writeStandInElectron(): void {
  mkdirSync(standIn);
  const script = '#!/bin/sh\necho "stand-in for the Electron binary (tests/packaging.test.ts), not Electron" >&2\nexit 1\n';
  const wire = Buffer.from([1, FUSES.length, ...FUSES.map(([, state]) => state.charCodeAt(0))]);
  writeFileSync(join(standIn, 'electron'), Buffer.concat([Buffer.from(script), Buffer.from(SENTINEL), wire]), { mode: 0o755 });
}

beforeAll(() => {
  run('electron-vite build', 'npx', ['electron-vite', 'build']);
  writeStandInElectron();
  // Through the script `npm run package:dir` uses, which turns UTTER_UPDATE_URL into the feed.
  run('electron-builder --dir', 'node', [
    'electron/launch/package-app.mjs',
    '--dir',
    '--linux',
    '--publish',
    'never',
    `-c.electronDist=${standIn}`,
    `-c.directories.output=${join(work, 'dist')}`,
    // @electron/rebuild would fetch Electron's headers; there are no native modules to
    // rebuild (asserted below), so skip the step instead of touching the network.
    '-c.npmRebuild=false',
  ], { UTTER_UPDATE_URL: FEED });
  asarFiles = new Set(listPackage(asarPath, { isPack: false }).map((f) => f.replaceAll('\\', '/')));
  console.log(`packaging: electron-vite build ${timings['electron-vite build']} ms, electron-builder --dir ${timings['electron-builder --dir']} ms`);
}, 300_000);

// About 90 MB per run; UTTER_KEEP_PACKAGE=1 keeps it to look at.
afterAll(() => {
  if (process.env.UTTER_KEEP_PACKAGE) console.log(`packaging: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

/** A file's bytes from the package: unpacked ones from app.asar.unpacked, others from the asar. */
function packagedFile(path: string): Buffer {
  const entry = statFile(asarPath, path, false) as { unpacked?: boolean };
  return entry.unpacked ? readFileSync(join(unpacked, path)) : extractFile(asarPath, path);
}

/** Where Node would find `name` from `fromDir` (nested node_modules first, then upward). */
function findPackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; dir.startsWith(ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT) break;
  }
  return null;
}

/** The installed production closure of some packages, as folders relative to the repo. */
function productionClosure(names: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    const dir = findPackage(name, fromDir);
    if (!dir) {
      if (!optional) throw new Error(`${name} is not installed`);
      return;
    }
    const rel = relative(ROOT, dir).replaceAll('\\', '/');
    if (seen.has(rel)) return;
    seen.add(rel);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, ROOT, false);
  return seen;
}

/**
 * Where the package has a copy of an installed package folder that Node resolves from the
 * same place: the same path, or hoisted to an enclosing node_modules (electron-builder
 * hoists a nested dependency when nothing at the top needs another version), with the
 * same version. Null when it has none.
 */
function packagedCopyOf(dir: string): string | null {
  const version = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')).version;
  const name = dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);
  for (let parent = dir.slice(0, dir.lastIndexOf('node_modules/')); ; ) {
    const candidate = `/${parent}node_modules/${name}/package.json`;
    if (asarFiles.has(candidate) && JSON.parse(packagedFile(candidate.slice(1)).toString()).version === version) return candidate;
    if (!parent) return null;
    // Up one node_modules level: "node_modules/a/node_modules/" → "node_modules/" → "".
    const trimmed = parent.replace(/node_modules\/(@[^/]+\/)?[^/]+\/$/, '');
    if (trimmed === parent) return null;
    parent = trimmed;
  }
}

/** Bare package names a built ES module imports (static and dynamic). */
function bareImports(code: string): string[] {
  // Static and dynamic imports, and import.meta.resolve (the worker finds eSpeak that way).
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\bimport\.meta\.resolve\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !builtins.has(s) && s !== 'electron' && !s.startsWith('electron/'))
    .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
}

describe('electron-builder --dir with the stand-in Electron', () => {
  it('names the executable utter and writes app.asar', () => {
    expect(statSync(join(appOut, 'utter')).isFile()).toBe(true);
    expect(statSync(asarPath).size).toBeGreaterThan(1_000_000);
  });

  it('packs the built main, preload and renderer, and the icons', () => {
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/resources/icon.png',
      '/resources/tray.png',
      '/resources/tray@2x.png',
    ]) {
      expect(asarFiles, file).toContain(file);
    }
    expect([...asarFiles].some((f) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    expect([...asarFiles].some((f) => f.endsWith('.map'))).toBe(false);
    const pkg = JSON.parse(packagedFile('package.json').toString());
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('builds the preload as one CommonJS file that needs nothing but electron (sandbox)', () => {
    const preload = packagedFile('out/preload/index.cjs').toString();
    expect(preload).toMatch(/require\("electron"\)/);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("utter"');
  });

  it('ships the renderer with the strict CSP meta and no inline script', () => {
    const html = packagedFile('out/renderer/index.html').toString();
    expect(html).toContain(`content="${contentSecurityPolicy({ forMeta: true })}"`);
    for (const script of html.match(/<script\b[^>]*>/g) ?? []) expect(script).toMatch(/\bsrc="\.\/assets\//);
    expect(html).not.toContain('nonce');
  });

  it('puts the eSpeak worker next to the main bundle, listed in the asar and unpacked beside it', () => {
    expect(asarFiles).toContain('/out/main/espeak.worker.mjs');
    const worker = readFileSync(join(unpacked, 'out', 'main', 'espeak.worker.mjs'), 'utf8');
    expect(worker).toBe(readFileSync(join(ROOT, 'electron', 'engine', 'providers', 'espeak.worker.mjs'), 'utf8'));
    // Its one import of ours, unpacked beside it.
    expect(asarFiles).toContain('/out/main/espeak-control.mjs');
    expect(readFileSync(join(unpacked, 'out', 'main', 'espeak-control.mjs'), 'utf8')).toBe(readFileSync(join(ROOT, 'electron', 'engine', 'providers', 'espeak-control.mjs'), 'utf8'));
  });

  it('vouches for the unpacked worker with hashes kept inside the asar, where its integrity fuse covers them', () => {
    const record = 'out/main/espeak-worker.sha256.json';
    expect((statFile(asarPath, record, false) as { unpacked?: boolean }).unpacked).toBeFalsy();
    const hashes = JSON.parse(extractFile(asarPath, record).toString()) as Record<string, string>;
    expect(Object.keys(hashes).sort()).toEqual(['espeak-control.mjs', 'espeak.worker.mjs']);
    for (const [name, hash] of Object.entries(hashes)) {
      expect(createHash('sha256').update(readFileSync(join(unpacked, 'out', 'main', name))).digest('hex'), name).toBe(hash);
    }
  });

  it('carries eSpeak NG (espeak-ng.js and its 24 MB espeak-ng.data) in the asar listing and as real files', () => {
    const source = join(ROOT, 'node_modules', '@echogarden', 'espeak-ng-emscripten');
    for (const name of ['espeak-ng.js', 'espeak-ng.data', 'package.json']) {
      const inAsar = `/node_modules/@echogarden/espeak-ng-emscripten/${name}`;
      expect(asarFiles, inAsar).toContain(inAsar);
      expect(statFile(asarPath, inAsar.slice(1), false), inAsar).toMatchObject({ unpacked: true });
      const real = join(unpacked, 'node_modules', '@echogarden', 'espeak-ng-emscripten', name);
      // Byte for byte; electron-builder rewrites package.json files (drops "scripts").
      if (name !== 'package.json') expect(readFileSync(real).equals(readFileSync(join(source, name))), real).toBe(true);
      else expect(existsSync(real), real).toBe(true);
    }
    expect(statSync(join(source, 'espeak-ng.data')).size).toBeGreaterThan(20_000_000);
  });

  it('starts the unpacked voice worker from the package layout (real files, no asar needed)', async () => {
    // Plain Node here, not Electron: this proves the unpacked folder alone is complete —
    // the worker finds the eSpeak package, and the package finds its data.
    const worker = new Worker(join(unpacked, 'out', 'main', 'espeak.worker.mjs'));
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
      expect(first).toMatchObject({ type: 'ready' });
    } finally {
      await worker.terminate();
    }
  }, 60_000);

  it('carries the WASM decoders and everything they depend on', () => {
    // FLAC is decoded in TypeScript; libFLAC in WASM is only a yardstick for the bench.
    const closure = productionClosure(['mpg123-decoder', 'opus-decoder']);
    expect(closure.size).toBeGreaterThan(3);
    for (const dir of closure) expect(asarFiles, dir).toContain(`/${dir}/package.json`);
    for (const file of [
      '/node_modules/mpg123-decoder/dist/mpg123-decoder.min.js',
      '/node_modules/opus-decoder/index.js',
    ]) {
      expect(asarFiles, file).toContain(file);
    }
  });

  it('carries every package the main bundle and the worker import, with their dependencies', () => {
    const imports = new Set([
      ...bareImports(packagedFile('out/main/index.js').toString()),
      ...bareImports(packagedFile('out/main/espeak.worker.mjs').toString()),
    ]);
    expect(imports).toContain('@echogarden/espeak-ng-emscripten');
    for (const dir of productionClosure([...imports])) expect(packagedCopyOf(dir), dir).not.toBeNull();
  });

  it('carries every other runtime dependency, and leaves out what the app never loads', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const runtime = Object.keys(pkg.dependencies).filter((name) => !EXCLUDED.includes(name));
    for (const dir of productionClosure(runtime)) expect(packagedCopyOf(dir), dir).not.toBeNull();
    for (const name of [...EXCLUDED, '@esbuild', 'electron', 'electron-builder', 'electron-vite', 'vite', 'vitest', 'typescript', 'eslint', 'playwright-core', '@wasm-audio-decoders/flac']) {
      expect([...asarFiles].some((f) => f.startsWith(`/node_modules/${name}/`)), name).toBe(false);
    }
  });

  it('has no native modules (so skipping the native rebuild loses nothing)', () => {
    expect([...asarFiles].filter((f) => f.endsWith('.node'))).toEqual([]);
  });

  it('flips the fuses electron-builder.yml asks for', () => {
    const binary = readFileSync(join(appOut, 'utter'));
    const at = binary.indexOf(SENTINEL) + SENTINEL.length;
    expect(at).toBeGreaterThan(SENTINEL.length);
    expect(binary[at]).toBe(1);
    const states = Object.fromEntries(FUSES.map(([name], i) => [name, String.fromCharCode(binary[at + 2 + i])]));
    expect(states).toEqual({
      runAsNode: '0',
      enableCookieEncryption: '1',
      enableNodeOptionsEnvironmentVariable: '0',
      enableNodeCliInspectArguments: '0',
      enableEmbeddedAsarIntegrityValidation: '1',
      onlyLoadAppFromAsar: '1',
      grantFileProtocolExtraPrivileges: '0',
      // Not configured: left as Electron ships it.
      loadBrowserProcessSpecificV8Snapshot: '0',
    });
  });
});

describe('the update feed', () => {
  it('is the UTTER_UPDATE_URL the build was packaged with, in app-update.yml, which the app reads', () => {
    const yml = readFileSync(join(resources, 'app-update.yml'), 'utf8');
    expect(yml).toMatch(/^provider: generic$/m);
    expect(yml).toContain(`url: ${FEED}`);
    expect(updateFeed(resources, true)).toEqual({ url: FEED });
  });

  it('is none without UTTER_UPDATE_URL (publish: null, no feed guessed from the git remote), and never plain http to another host', () => {
    expect(updateFeedArgs({})).toEqual([]);
    expect(updateFeedArgs({ UTTER_UPDATE_URL: '  ' })).toEqual([]);
    expect(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')).toMatch(/^publish: null$/m);
    expect(() => updateFeedArgs({ UTTER_UPDATE_URL: 'http://updates.example.com/utter' })).toThrow(/must be an https:\/\/ URL/);
    expect(() => updateFeedArgs({ UTTER_UPDATE_URL: 'not a url' })).toThrow(/is not a URL/);
    expect(updateFeedArgs({ UTTER_UPDATE_URL: 'http://127.0.0.1:8080/u' })).toEqual(['-c.publish.provider=generic', '-c.publish.url=http://127.0.0.1:8080/u']);
  });
});
