import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** The Electron binary's path, where `npm install` could download it; else null. */
function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown as string;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
if (!binary) {
  console.log('electron e2e: SKIPPED — the Electron binary is not installed on this machine (it cannot be downloaded here).');
}

describe.skipIf(!binary)('the Electron app (runs where the Electron binary exists)', () => {
  it('opens a cross-origin-isolated window served from app://', async () => {
    const app = await electron.launch({ executablePath: binary!, args: [join(import.meta.dirname, '..', '..')] });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe('app://utter/index.html');
      expect(await page.evaluate('crossOriginIsolated')).toBe(true);
      expect(await page.evaluate('typeof require')).toBe('undefined');
      await expect(page.getByTestId('text-input')).toBeDefined();
    } finally {
      await app.close();
    }
  });
});
