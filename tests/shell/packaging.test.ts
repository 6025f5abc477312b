import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackage } from '@electron/asar';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'utter-package-'));
const resources = join(work, 'out', 'linux-unpacked', 'resources');
let asarFiles: string[] = [];

/**
 * Packages the app with electron-builder --dir and a stand-in Electron: the real binary
 * cannot be fetched here, and electron-builder only copies the distribution folder.
 * Fuses are left out of this run because flipping them needs the real binary; the
 * electronFuses block of electron-builder.yml is checked as configuration below.
 */
beforeAll(() => {
  const npx = (args: string[]): void => {
    execFileSync('npx', args, { cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  };
  npx(['electron-vite', 'build']);
  const dist = join(work, 'electron-dist');
  mkdirSync(dist);
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n');
  chmodSync(join(dist, 'electron'), 0o755);
  const config = load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  delete config.electronFuses;
  const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  Object.assign(config, { electronDist: dist, electronVersion, directories: { output: join(work, 'out'), buildResources: 'resources' } });
  writeFileSync(join(work, 'builder.json'), JSON.stringify(config));
  npx(['electron-builder', '--dir', '--linux', '--config', join(work, 'builder.json')]);
  asarFiles = listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
}, 240_000);

describe('electron-builder --dir', () => {
  it('packs the built main, preload and renderer into app.asar', () => {
    for (const file of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) {
      expect(asarFiles).toContain(file);
    }
  });

  it('carries the WASM decoders and the embedded voice with its data', () => {
    for (const file of [
      '/node_modules/mpg123-decoder/dist/mpg123-decoder.min.js',
      '/node_modules/ogg-opus-decoder/index.js',
      '/node_modules/@wasm-audio-decoders/flac/dist/flac-decoder.min.js',
      '/node_modules/@echogarden/espeak-ng-emscripten/espeak-ng.js',
      '/node_modules/@echogarden/espeak-ng-emscripten/espeak-ng.data',
      '/out/main/espeak.worker.mjs',
    ]) {
      expect(asarFiles).toContain(file);
    }
    // worker_threads and Emscripten read these as real files: they are unpacked beside the asar.
    const unpacked = join(resources, 'app.asar.unpacked');
    expect(existsSync(join(unpacked, 'out', 'main', 'espeak.worker.mjs'))).toBe(true);
    const data = join(unpacked, 'node_modules', '@echogarden', 'espeak-ng-emscripten', 'espeak-ng.data');
    expect(readFileSync(data).length).toBeGreaterThan(20_000_000);
  });

  it('leaves development tools out of the package', () => {
    for (const tool of ['vitest', 'electron-builder', 'playwright-core', 'typescript', 'eslint']) {
      expect(asarFiles.some((f) => f.startsWith(`/node_modules/${tool}/`))).toBe(false);
    }
  });

  it('configures the fuses Electron\'s checklist asks for', () => {
    const config = load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { electronFuses: Record<string, boolean> };
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });
});
