// Where each window was, so it opens there again. Electron-free: the shell
// passes the displays' work areas.
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../store/atomic-file';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Remembered bounds per window name, in one small JSON file. */
export class WindowStateFile {
  private states: Record<string, Bounds> = {};
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      this.states = parsed && typeof parsed === 'object' ? (parsed as Record<string, Bounds>) : {};
    } catch {
      // Missing or broken: windows open at their default place, nothing else depends on it.
      this.states = {};
    }
  }

  /** The saved bounds of `name`, moved onto a display that still exists; undefined if none fit. */
  boundsFor(name: string, workAreas: Bounds[], minimum: { width: number; height: number }): Bounds | undefined {
    const saved = this.states[name];
    if (!isBounds(saved)) return undefined;
    return fitToDisplays(saved, workAreas, minimum);
  }

  save(name: string, bounds: Bounds): Promise<void> {
    this.states = { ...this.states, [name]: bounds };
    const text = JSON.stringify(this.states);
    this.writing = this.writing.then(() => writeFileAtomically(this.file, text)).catch(() => {});
    return this.writing;
  }
}

function isBounds(value: unknown): value is Bounds {
  const b = value as Bounds | undefined;
  return !!b && [b.x, b.y, b.width, b.height].every((n) => typeof n === 'number' && Number.isFinite(n));
}

/**
 * Keeps a window on screen: if less than a title bar's worth of it would show on any
 * display (a monitor was unplugged), it moves onto the display it overlaps most, or the
 * first one; it never grows past the work area nor shrinks below the minimum.
 */
export function fitToDisplays(bounds: Bounds, workAreas: Bounds[], minimum: { width: number; height: number }): Bounds | undefined {
  if (!workAreas.length) return undefined;
  const overlap = (area: Bounds): number =>
    Math.max(0, Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x)) *
    Math.max(0, Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y));
  const area = [...workAreas].sort((a, b) => overlap(b) - overlap(a))[0];
  const width = Math.max(minimum.width, Math.min(bounds.width, area.width));
  const height = Math.max(minimum.height, Math.min(bounds.height, area.height));
  const x = Math.min(Math.max(bounds.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(bounds.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}
