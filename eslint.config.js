// Lint rules, plus the import walls between runtimes: each folder says where its code runs.
// - renderer/ and shared/ run in the browser (page, worker, worklet): no electron, no Node built-ins.
// - Only electron/main/ and electron/preload/ import electron (tests mock it; root configs may).
// - electron/shell/ and electron/store/ hold the desktop shell's logic, run and tested in
//   Node: they may import electron's types (erased at build), never its values.
// - Every other folder of electron/ (engine, session, web, cli, doctor, pages, launch)
//   imports nothing from electron at all.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const CODE = '**/*.{js,mjs,cjs,ts,mts,cts,tsx}';

const electronOnlyInShell =
  'electron may be imported only in electron/main/ and electron/preload/ (and tests). Take what you need as a parameter, or move the code there.';
const noElectron = {
  paths: [{ name: 'electron', message: electronOnlyInShell }],
  patterns: [{ group: ['electron/*'], message: electronOnlyInShell }],
};

const engineMessage = 'The engine is Electron-free (the CLI and Node tests run it): take what you need as a parameter.';
const noElectronInEngine = {
  paths: [{ name: 'electron', message: engineMessage }],
  patterns: [{ group: ['electron/*'], message: engineMessage }],
};

const electronValuesOnlyInShell =
  "Only electron/main/ imports electron's values; this module stays testable in Node. Use 'import type', and have the shell pass the object in.";
const noElectronValues = {
  paths: [{ name: 'electron', allowTypeImports: true, message: electronValuesOnlyInShell }],
  patterns: [{ group: ['electron/*'], allowTypeImports: true, message: electronValuesOnlyInShell }],
};

const browserOnly =
  'renderer/ and shared/ run in the browser (page, worker, AudioWorklet): no Node built-ins. Node-only code belongs in electron/.';
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));
const noElectronNoNode = {
  paths: [...noElectron.paths, ...nodeBuiltins.map((name) => ({ name, message: browserOnly }))],
  patterns: [...noElectron.patterns, { group: ['node:*'], message: browserOnly }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.tmp/**', 'tests/fixtures/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['shared/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // The walls. Each file matches one of these objects at most, so no options are overridden.
  {
    files: [CODE],
    // '*.*': the root config files (electron.vite.config.ts and the like) may import electron.
    ignores: ['renderer/**', 'shared/**', 'electron/main/**', 'electron/preload/**', 'electron/shell/**', 'electron/store/**', 'tests/**', '*.*'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['renderer/**', 'shared/**'].map((dir) => `${dir}/${CODE}`),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', noElectronNoNode] },
  },
  {
    files: [`electron/engine/${CODE}`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', noElectronInEngine] },
  },
  {
    files: ['electron/shell', 'electron/store'].map((dir) => `${dir}/${CODE}`),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', noElectronValues] },
  },
);
