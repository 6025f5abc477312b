import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The import walls between runtimes (eslint.config.js), tried on code that breaks them. */
const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

const VALUE = "import { app } from 'electron';\nexport const name = app.getName();\n";
const TYPE = "import type { App } from 'electron';\nexport type Name = App;\n";

describe('the import walls', () => {
  it.each(['electron/main/new.ts', 'electron/preload/new.ts'])('let %s use electron', async (file) => {
    expect(await refusals(file, VALUE)).toEqual([]);
  });

  it.each(['electron/shell/new.ts', 'electron/store/new.ts'])('let %s import electron\'s types only', async (file) => {
    expect(await refusals(file, TYPE)).toEqual([]);
    expect(await refusals(file, VALUE)).toEqual([expect.stringMatching(/Only electron\/main\/ imports electron's values/)]);
  });

  it.each(['electron/engine/new.ts', 'electron/session/new.ts', 'electron/web/new.ts', 'electron/cli/new.ts', 'electron/pages/new.ts', 'electron/doctor/new.ts'])(
    'keep electron out of %s, types included',
    async (file) => {
      expect(await refusals(file, TYPE)).toHaveLength(1);
    },
  );

  it.each(['renderer/src/state/new.ts', 'shared/new.ts'])('keep Node built-ins and electron out of %s', async (file) => {
    expect(await refusals(file, "import { readFile } from 'node:fs';\nexport const r = readFile;\n")).toEqual([expect.stringMatching(/no Node built-ins/)]);
    expect(await refusals(file, "import { readFile } from 'fs';\nexport const r = readFile;\n")).toHaveLength(1);
    expect(await refusals(file, TYPE)).toHaveLength(1);
  });
});
