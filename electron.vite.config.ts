// Builds the three parts of the app into out/: main (ESM, deps left in node_modules),
// preload (one CommonJS file, as a sandboxed preload must be) and the React renderer.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './electron/pages/app-protocol';

const ESPEAK_WORKER = resolve('electron/engine/providers/espeak.worker.mjs');
/** The worker's one import of ours: the control block's slots, shared with local.ts. */
const ESPEAK_CONTROL = resolve('electron/engine/providers/espeak-control.mjs');

/** COOP/COEP/CORP from the dev server too, so the dev window is cross-origin isolated. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Emits the embedded voice's worker_threads script as out/main/espeak.worker.mjs, next to
 * the bundle, where `new URL('./espeak.worker.mjs', import.meta.url)` in the bundled
 * engine finds it, with espeak-control.mjs beside it. Both are copied verbatim: plain JS
 * whose only other import, the eSpeak package, stays a runtime node_module. (`?modulePath` would need the engine to import it with a
 * Vite-only suffix, which tsx and vitest cannot load.)
 */
function espeakWorker(): Plugin {
  return {
    name: 'utter:espeak-worker',
    buildStart() {
      for (const file of [ESPEAK_WORKER, ESPEAK_CONTROL]) if (existsSync(file)) this.addWatchFile(file);
    },
    generateBundle() {
      if (!existsSync(ESPEAK_WORKER)) {
        this.warn(`${ESPEAK_WORKER} does not exist yet: the embedded voice will not start.`);
        return;
      }
      const files = { 'espeak.worker.mjs': readFileSync(ESPEAK_WORKER), 'espeak-control.mjs': readFileSync(ESPEAK_CONTROL) };
      const hashes: Record<string, string> = {};
      for (const [fileName, source] of Object.entries(files)) {
        this.emitFile({ type: 'asset', fileName, source });
        hashes[fileName] = createHash('sha256').update(source).digest('hex');
      }
      // Inside app.asar (covered by its integrity fuse), unlike the unpacked worker it vouches for.
      this.emitFile({ type: 'asset', fileName: 'espeak-worker.sha256.json', source: JSON.stringify(hashes, null, 2) });
    },
  };
}

/**
 * Writes the one CSP (app-protocol.ts) into index.html's meta tag, so the meta and the
 * header can never disagree; in dev it adds the server's nonce, which lets Vite's and
 * React Refresh's inline preamble and injected styles run. Fails the build without the tag.
 */
function contentSecurityPolicyMeta(nonce: string | undefined): Plugin {
  const tag = /<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/;
  return {
    name: 'utter:csp-meta',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!tag.test(html)) throw new Error('renderer/index.html lost its Content-Security-Policy meta tag.');
        const policy = contentSecurityPolicy({ forMeta: true, nonce });
        return html.replace(tag, `<meta http-equiv="Content-Security-Policy" content="${policy}" />`);
      },
    },
  };
}

export default defineConfig(({ command }) => {
  // A fresh nonce per dev-server start; built files carry no nonce at all.
  const devNonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;
  return {
    main: {
      plugins: [espeakWorker()],
      build: {
        // Every package.json dependency stays external and is loaded from node_modules
        // (electron-builder packs them); our own code, shared/ included, is bundled.
        externalizeDeps: true,
        rollupOptions: {
          input: { index: resolve('electron/main/index.ts') },
          // One file: the worker lookup relative to import.meta.url assumes no chunks.
          output: { inlineDynamicImports: true },
        },
      },
    },
    preload: {
      build: {
        // A sandboxed preload has no require() for node_modules: bundle everything
        // but electron itself.
        externalizeDeps: false,
        rollupOptions: {
          input: { index: resolve('electron/preload/index.ts') },
          // CommonJS: a sandboxed preload cannot load ES modules.
          output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
        },
      },
    },
    renderer: {
      root: 'renderer',
      plugins: [react(), contentSecurityPolicyMeta(devNonce)],
      html: { cspNonce: devNonce },
      server: { headers: ISOLATION_HEADERS },
      preview: { headers: ISOLATION_HEADERS },
      // The decoder worker and the AudioWorklet are ES modules (the decoders load WASM lazily).
      worker: { format: 'es' },
      build: {
        rollupOptions: { input: { index: resolve('renderer/index.html') } },
      },
    },
  };
});
