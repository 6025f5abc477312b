import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitToDisplays, WindowStateFile } from '../../electron/shell/window-state';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1040 };
const MIN = { width: 480, height: 360 };

describe('window places', () => {
  it('reopens a window where it was, from the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'utter-win-')), 'windows.json');
    const first = new WindowStateFile(file);
    await first.load();
    await first.save('player', { x: 100, y: 80, width: 700, height: 600 });
    const second = new WindowStateFile(file);
    await second.load();
    expect(second.boundsFor('player', [SCREEN], MIN)).toEqual({ x: 100, y: 80, width: 700, height: 600 });
    expect(second.boundsFor('settings', [SCREEN], MIN)).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('player');
  });

  it('brings a window back from an unplugged monitor, and fits it to a smaller one', () => {
    expect(fitToDisplays({ x: 2500, y: 100, width: 700, height: 600 }, [SCREEN], MIN)).toEqual({ x: 1220, y: 100, width: 700, height: 600 });
    expect(fitToDisplays({ x: -50, y: -50, width: 3000, height: 2000 }, [SCREEN], MIN)).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
    // Two monitors: it stays on the one it mostly covers.
    const right = { x: 1920, y: 0, width: 1280, height: 1000 };
    expect(fitToDisplays({ x: 2000, y: 50, width: 600, height: 400 }, [SCREEN, right], MIN)).toEqual({ x: 2000, y: 50, width: 600, height: 400 });
  });

  it('ignores a broken file instead of failing to open', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'utter-win-')), 'windows.json');
    writeFileSync(file, '{ nope');
    const state = new WindowStateFile(file);
    await state.load();
    expect(state.boundsFor('player', [SCREEN], MIN)).toBeUndefined();
  });
});
