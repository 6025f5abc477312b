import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  contentSecurityPolicy,
  isInsideRoot,
  mimeType,
  resolveAppPath,
  responseHeaders,
} from '../../electron/pages/app-protocol';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'utter-renderer-')));
const outside = mkdtempSync(join(tmpdir(), 'utter-outside-'));
const inside = (file: string | null): boolean => file !== null && file.startsWith(root + sep);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('resolveAppPath (path-traversal guard)', () => {
  it('maps app://utter/ paths into the renderer folder', () => {
    expect(resolveAppPath(root, 'app://utter/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://utter/')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://utter')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://utter/assets/decoder.worker-1a2b.js')).toBe(join(root, 'assets', 'decoder.worker-1a2b.js'));
    expect(resolveAppPath(root, 'app://utter/assets/a%20b.js')).toBe(join(root, 'assets', 'a b.js'));
    expect(resolveAppPath(root, 'app://utter/index.html?v=1#top')).toBe(join(root, 'index.html'));
  });

  it('refuses traversal that survives URL parsing', () => {
    for (const url of [
      'app://utter/..%2f..%2fetc%2fpasswd',
      'app://utter/assets/..%2F..%2F..%2Fetc/passwd',
      'app://utter/..%5c..%5cwindows%5cwin.ini',
      'app://utter/assets\\..\\..\\etc\\passwd',
      'app://utter/%5c%5cserver%5cshare',
    ]) {
      expect(resolveAppPath(root, url), url).toBeNull();
    }
  });

  it('contains dot segments that URL parsing folds away, plain or percent-encoded', () => {
    // WHATWG URL treats %2e%2e as "..": these resolve at the root, never above it.
    for (const url of ['app://utter/../../etc/passwd', 'app://utter/%2e%2e/%2e%2e/etc/passwd', 'app://utter/assets/%2E%2E/%2E./.%2e/etc/passwd']) {
      expect(resolveAppPath(root, url), url).toBe(join(root, 'etc', 'passwd'));
    }
  });

  it('keeps absolute-looking paths relative to the root', () => {
    expect(resolveAppPath(root, 'app://utter//etc/passwd')).toBe(join(root, 'etc', 'passwd'));
    expect(resolveAppPath(root, 'app://utter/%2fetc%2fpasswd')).toBe(join(root, 'etc', 'passwd'));
    expect(inside(resolveAppPath(root, 'app://utter/C:/Windows/win.ini'))).toBe(true);
    expect(inside(resolveAppPath(root, `app://utter/${encodeURIComponent(root)}/x`))).toBe(true);
  });

  it('refuses NUL bytes, broken escapes, other hosts and other schemes', () => {
    for (const url of [
      'app://utter/index.html%00.png',
      'app://utter/%00',
      'app://utter/%E0%A4%A',
      'app://utter/%',
      'app://other/index.html',
      'app://utter.evil/index.html',
      'app://utter:8080/index.html',
      'file:///etc/passwd',
      'https://utter/index.html',
      'not a url',
    ]) {
      expect(resolveAppPath(root, url), url).toBeNull();
    }
  });

  it('never leaves the root for 5000 generated hostile paths (seeded)', () => {
    const pieces = ['..', '.', '', 'a', 'assets', '%2e%2e', '%2E.', '.%2e', '%252e%252e', '%2f', '%5c', '\\', '%00', '..%2f', '%c0%ae', '~', 'C:', '%2e'];
    let seed = 0x5eed;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const segments = Array.from({ length: 1 + next(7) }, () => pieces[next(pieces.length)]);
      const url = `app://utter/${segments.join(next(3) === 0 ? '%2f' : '/')}`;
      const file = resolveAppPath(root, url);
      if (file !== null) expect(inside(file), url).toBe(true);
    }
  });

  it('catches a symlink that leads out of the root once real paths are compared', () => {
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(join(root, 'assets'), { recursive: true });
    symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
    symlinkSync(outside, join(root, 'linked-dir'));
    for (const url of ['app://utter/assets/link.txt', 'app://utter/linked-dir/secret.txt']) {
      const file = resolveAppPath(root, url);
      expect(inside(file), url).toBe(true); // lexically inside …
      expect(isInsideRoot(root, realpathSync(file!)), url).toBe(false); // … really outside
    }
    writeFileSync(join(root, 'assets', 'ok.js'), '');
    expect(isInsideRoot(root, realpathSync(resolveAppPath(root, 'app://utter/assets/ok.js')!))).toBe(true);
  });

  it('isInsideRoot is not fooled by a sibling folder with the same prefix, nor by the root itself', () => {
    expect(isInsideRoot('/srv/app/renderer', '/srv/app/renderer-evil/x.js')).toBe(false);
    expect(isInsideRoot('/srv/app/renderer', '/srv/app/renderer')).toBe(false);
    expect(isInsideRoot('/srv/app/renderer', '/srv/app/renderer/../x.js')).toBe(false);
    expect(isInsideRoot('/srv/app/renderer', '/srv/app/renderer/assets/x.js')).toBe(true);
  });
});

describe('responseHeaders', () => {
  it.each([
    ['index.html', /^text\/html/],
    ['assets/index-1a2b.js', /^text\/javascript/],
    ['assets/decoder.worker-1a2b.js', /^text\/javascript/],
    ['assets/playback.worklet-1a2b.js', /^text\/javascript/],
    ['assets/espeak.worker.mjs', /^text\/javascript/],
    ['assets/mpg123.wasm', /^application\/wasm$/],
    ['assets/index-1a2b.css', /^text\/css/],
  ])('isolates and restricts %s', (file, type) => {
    const headers = responseHeaders(file);
    expect(headers['Content-Type']).toMatch(type);
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(headers['Cross-Origin-Resource-Policy']).toBe('same-origin');
    expect(headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('gives the right MIME types, and opaque bytes for unknown endings', () => {
    expect(mimeType('a.wasm')).toBe('application/wasm');
    expect(mimeType('a.HTML')).toMatch(/^text\/html/);
    expect(mimeType('a.json')).toBe('application/json');
    expect(mimeType('a.png')).toBe('image/png');
    expect(mimeType('a.exe')).toBe('application/octet-stream');
    expect(mimeType('Makefile')).toBe('application/octet-stream');
  });
});

describe('Content-Security-Policy', () => {
  const directives = (policy: string): Map<string, string[]> =>
    new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it('runs only our own files, plus WebAssembly compilation', () => {
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const everything = [...csp.values()].flat();
    for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'blob:', 'http:', 'https:']) {
      if (loose === 'data:') expect(csp.get('img-src')).toContain('data:');
      else expect(everything, loose).not.toContain(loose);
    }
  });

  it('adds a dev nonce to scripts and styles only, and leaves frame-ancestors out of a meta tag', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'abc', forMeta: true }));
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", "'nonce-abc'"]);
    expect(csp.get('style-src')).toEqual(["'self'", "'nonce-abc'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.has('frame-ancestors')).toBe(false);
  });

  it('renderer/index.html carries the same policy in its meta tag', () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(contentSecurityPolicy({ forMeta: true }));
  });
});
