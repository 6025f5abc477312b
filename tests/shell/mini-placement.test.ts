import { describe, expect, it } from 'vitest';
import { placeMini } from '../../electron/shell/mini-placement';

const SIZE = { width: 360, height: 220 };
const screen = { x: 0, y: 0, width: 1920, height: 1040 };

describe('placeMini', () => {
  // Above the taskbar: the work area ends where it begins.
  it('opens above a tray icon at the bottom of the screen (Windows), centred on it', () => {
    expect(placeMini({ x: 1700, y: 1044, width: 24, height: 32 }, screen, SIZE, 'win32')).toEqual({ x: 1532, y: 812, width: 360, height: 220 });
  });

  it('opens below a tray icon at the top of the screen (macOS, GNOME)', () => {
    const macScreen = { x: 0, y: 25, width: 1440, height: 875 };
    expect(placeMini({ x: 1200, y: 0, width: 22, height: 24 }, macScreen, SIZE, 'darwin')).toMatchObject({ x: 1031, y: 33 });
  });

  it('stays whole on the screen when the icon is at its very edge', () => {
    const placed = placeMini({ x: 1900, y: 1044, width: 20, height: 32 }, screen, SIZE, 'win32');
    expect(placed.x + placed.width).toBeLessThanOrEqual(screen.width - 8);
  });

  it('takes the usual tray corner where the tray does not say where its icon is', () => {
    expect(placeMini({ x: 0, y: 0, width: 0, height: 0 }, screen, SIZE, 'linux')).toEqual({ x: 1552, y: 812, width: 360, height: 220 });
    expect(placeMini(null, screen, SIZE, 'darwin')).toMatchObject({ x: 1552, y: 8 });
  });

  it('works on a second screen to the left of the first (negative coordinates)', () => {
    const left = { x: -1280, y: 0, width: 1280, height: 1000 };
    const placed = placeMini({ x: -100, y: 1004, width: 24, height: 24 }, left, SIZE, 'win32');
    expect(placed.x).toBeGreaterThanOrEqual(-1280 + 8);
    expect(placed.x + placed.width).toBeLessThanOrEqual(-8);
  });
});
