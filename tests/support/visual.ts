// Screenshots compared with committed references (issue 13 §5). The tolerance survives
// font hinting and anti-aliasing (pixelmatch leaves anti-aliased pixels out and a colour
// must move by more than its threshold), yet a changed design token fails: a token moves
// whole areas. `npm run visual:update` writes the references anew.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export const REFERENCES = join(import.meta.dirname, '..', 'visual-references');
const DIFFS = join(import.meta.dirname, '..', '..', '.tmp', 'visual');
/** Per pixel: how far a colour may move (pixelmatch's YIQ distance, 0–1). */
const COLOUR_THRESHOLD = 0.1;
/**
 * Per picture: the share of pixels that may differ beyond it. Small: the cards' corners at
 * a radius of 4 px instead of 16 px are 0.08% of the wide player.
 */
const MAX_DIFFERING = 0.0002;

export const UPDATING = process.env.UTTER_UPDATE_REFERENCES === '1';

export interface Comparison {
  ok: boolean;
  why: string;
  differing: number;
}

/** Compares a screenshot with its reference (or writes the reference when updating). */
export function compareWithReference(name: string, screenshot: Buffer): Comparison {
  const file = join(REFERENCES, `${name}.png`);
  if (UPDATING) {
    writeFileSync(file, screenshot);
    return { ok: true, why: 'reference written', differing: 0 };
  }
  if (!existsSync(file)) return { ok: false, why: `no reference ${file}: run npm run visual:update`, differing: 1 };
  return compareImages(PNG.sync.read(readFileSync(file)), PNG.sync.read(screenshot), name);
}

/** Two pictures the same size, and how many pixels differ beyond the tolerance. */
export function compareImages(expected: PNG, actual: PNG, name: string): Comparison {
  if (expected.width !== actual.width || expected.height !== actual.height) {
    return { ok: false, why: `${name}: ${actual.width}×${actual.height}, the reference is ${expected.width}×${expected.height}`, differing: 1 };
  }
  const diff = new PNG({ width: expected.width, height: expected.height });
  const count = pixelmatch(expected.data, actual.data, diff.data, expected.width, expected.height, { threshold: COLOUR_THRESHOLD, includeAA: false });
  const differing = count / (expected.width * expected.height);
  if (differing <= MAX_DIFFERING) return { ok: true, why: '', differing };
  mkdirSync(DIFFS, { recursive: true });
  const where = join(DIFFS, `${name}-diff.png`);
  writeFileSync(where, PNG.sync.write(diff));
  writeFileSync(join(DIFFS, `${name}-actual.png`), PNG.sync.write(actual));
  return { ok: false, why: `${name}: ${(differing * 100).toFixed(2)}% of the pixels differ (at most ${MAX_DIFFERING * 100}%); see ${where}`, differing };
}
