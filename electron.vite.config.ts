import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** The embedded voice's worker runs as its own file next to the main bundle. */
function copyEspeakWorker(): Plugin {
  const source = resolve('electron/main/engine/providers/espeak.worker.mjs');
  return {
    name: 'utter-copy-espeak-worker',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'espeak.worker.mjs', source: readFileSync(source, 'utf8') });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [copyEspeakWorker()],
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // CommonJS: a sandboxed preload cannot load ES modules.
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
