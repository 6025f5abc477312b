import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendererFileHandler } from '../../electron/pages/renderer-files';

/** The app:// handler on real files: what the window loads, and what it must never get. */
describe('the app:// file handler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utter-renderer-'));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Utter</title>');
  const wasm = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff]);
  writeFileSync(join(root, 'assets', 'decoder.wasm'), wasm);
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
  const handle = rendererFileHandler(root);
  const get = (path: string, method = 'GET') => handle(new Request(`app://utter${path}`, { method }));

  it('serves files byte for byte, with their type, the isolation headers and the CSP', async () => {
    const page = await get('/index.html');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<!doctype html><title>Utter</title>');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(page.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
    const binary = await get('/assets/decoder.wasm');
    expect(binary.headers.get('content-type')).toBe('application/wasm');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(wasm);
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get('/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect((await get('/index.html', 'POST')).status).toBe(405);
  });

  it('serves nothing outside the renderer folder: not by .., not by a symlink; no folders, no missing files', async () => {
    for (const path of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/link.txt', '/assets', '/missing.js']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('outside the renderer');
    }
    expect((await handle(new Request('app://elsewhere/index.html'))).status).toBe(404);
  });
});
