// Lint rules, plus the import walls between runtimes (../shared/STYLE.md §1):
// shared/ and renderer/ never import electron or node:*, and the engine never imports electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only the Electron shell may import electron.' };
const noNode = { group: ['node:*'], message: 'This folder runs in the browser too: no node:* imports.' };

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
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: [noNode] }] },
  },
  {
    files: ['electron/main/engine/**/*.ts', 'electron/cli/**/*.ts', 'electron/cli/**/*.mjs'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
);
