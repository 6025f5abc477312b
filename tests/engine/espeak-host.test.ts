import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EspeakHost, verifyWorker, WORKER_HASHES } from '../../electron/engine/providers/espeak-host';

/**
 * The unpacked eSpeak worker runs with the app's rights, outside the asar's integrity
 * fuse: it is checked against the hashes the build keeps inside the asar before it runs.
 * Laid out here as the packaged app is: app.asar/out/main (the record), app.asar.unpacked/out/main (the files).
 */
const SOURCES = join(import.meta.dirname, '..', '..', 'electron', 'engine', 'providers');
const FILES = ['espeak.worker.mjs', 'espeak-control.mjs'];

function packagedLayout(record = true): { worker: URL; bundled: URL; unpackedDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'utter-asar-'));
  const packed = join(root, 'app.asar', 'out', 'main');
  const unpackedDir = join(root, 'app.asar.unpacked', 'out', 'main');
  mkdirSync(packed, { recursive: true });
  mkdirSync(unpackedDir, { recursive: true });
  const hashes: Record<string, string> = {};
  for (const name of FILES) {
    copyFileSync(join(SOURCES, name), join(unpackedDir, name));
    hashes[name] = createHash('sha256').update(readFileSync(join(SOURCES, name))).digest('hex');
  }
  if (record) writeFileSync(join(packed, WORKER_HASHES), JSON.stringify(hashes));
  return { worker: pathToFileURL(join(unpackedDir, 'espeak.worker.mjs')), bundled: pathToFileURL(join(packed, 'espeak.worker.mjs')), unpackedDir };
}


describe('the eSpeak worker, packaged', () => {
  it('runs when its files are the ones the build recorded', () => {
    const { worker, bundled } = packagedLayout();
    expect(verifyWorker(worker, bundled)).toBeNull();
  });

  it('is refused when a file was changed after the build, before any of it runs', async () => {
    const { worker, bundled, unpackedDir } = packagedLayout();
    appendFileSync(join(unpackedDir, 'espeak-control.mjs'), '\nprocess.exit(0);\n');
    expect(verifyWorker(worker, bundled)).toBe('The embedded voice will not start: espeak-control.mjs was changed after Utter was built. Reinstall Utter.');
    await expect(new EspeakHost(worker, bundled).start()).rejects.toMatchObject({ kind: 'config', message: expect.stringContaining('was changed after Utter was built') });
  });

  it('is refused when the record is missing from a packaged app, and not checked from the sources', () => {
    const { worker, bundled, unpackedDir } = packagedLayout(false);
    expect(verifyWorker(worker, bundled)).toMatch(/espeak-worker\.sha256\.json is missing from the app/);
    rmSync(unpackedDir, { recursive: true });
    const fromSources = pathToFileURL(join(SOURCES, 'espeak.worker.mjs'));
    expect(verifyWorker(fromSources, fromSources)).toBeNull();
  });
});
