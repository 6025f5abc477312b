import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInsideRoot, mimeType, resolveAppPath, responseHeaders } from '../../electron/main/app-protocol';

const root = mkdtempSync(join(tmpdir(), 'utter-renderer-'));

describe('resolveAppPath (path-traversal guard)', () => {
  it('maps app://utter/ paths into the renderer folder', () => {
    expect(resolveAppPath(root, 'app://utter/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://utter/')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://utter/assets/decoder.worker-1a2b.js')).toBe(join(root, 'assets', 'decoder.worker-1a2b.js'));
    expect(resolveAppPath(root, 'app://utter/assets/a%20b.js')).toBe(join(root, 'assets', 'a b.js'));
  });

  it.each([
    'app://utter/../../etc/passwd',
    'app://utter/%2e%2e/%2e%2e/etc/passwd',
    'app://utter/assets/%2E%2E/%2E%2E/secret',
    'app://utter/..%2f..%2fetc%2fpasswd',
    'app://utter/..%5c..%5cwindows',
    'app://utter/assets\\..\\..\\x',
    'app://utter/index.html%00.png',
    'app://utter/%E0%A4%A',
    'app://other/index.html',
    'file:///etc/passwd',
    'https://utter/index.html',
    'not a url',
  ])('never leaves the root for %s', (url) => {
    const file = resolveAppPath(root, url);
    // URL parsing already folds some dot segments away; what is left must be refused or contained.
    if (file !== null) expect(file.startsWith(root + sep)).toBe(true);
  });

  it('refuses traversal that survives URL parsing, and foreign URLs', () => {
    for (const url of ['app://utter/..%2f..%2fetc%2fpasswd', 'app://utter/..%5c..%5cwin', 'app://utter/index.html%00.png', 'app://other/index.html', 'file:///etc/passwd']) {
      expect(resolveAppPath(root, url)).toBeNull();
    }
    expect(resolveAppPath(root, 'app://utter/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc', 'passwd'));
  });

  it('catches a symlink that leads out of the root', () => {
    const outside = mkdtempSync(join(tmpdir(), 'utter-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(join(root, 'assets'), { recursive: true });
    symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
    const file = resolveAppPath(root, 'app://utter/assets/link.txt')!;
    expect(file).not.toBeNull();
    expect(isInsideRoot(realpathSync(root), realpathSync(file))).toBe(false);
    writeFileSync(join(root, 'assets', 'ok.js'), '');
    expect(isInsideRoot(realpathSync(root), realpathSync(join(root, 'assets', 'ok.js')))).toBe(true);
  });
});

describe('responseHeaders', () => {
  it.each(['index.html', 'assets/decoder.worker.js', 'assets/playback.worklet.js', 'assets/mpg123.wasm'])(
    'isolates and restricts %s',
    (file) => {
      const headers = responseHeaders(file);
      expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
      expect(headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
      expect(headers['Cross-Origin-Resource-Policy']).toBe('same-origin');
      expect(headers['Content-Security-Policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(headers['Content-Security-Policy']).not.toContain("'unsafe-eval'");
      expect(headers['X-Content-Type-Options']).toBe('nosniff');
    },
  );

  it('gives the right MIME types, and opaque bytes for unknown endings', () => {
    expect(mimeType('a.wasm')).toBe('application/wasm');
    expect(mimeType('a.js')).toMatch(/^text\/javascript/);
    expect(mimeType('a.HTML')).toMatch(/^text\/html/);
    expect(mimeType('a.exe')).toBe('application/octet-stream');
  });
});
