// Draws Utter's icons by code (no image tool needed): `node resources/make-icon.mjs`.
//   icon.png       512×512  app icon (electron-builder makes the .icns/.ico from it)
//   tray.png       16×16    tray icon; Electron picks tray@2x.png on HiDPI screens
//   tray@2x.png    32×32
// A speech bubble with three sound bars, 4×4 supersampled so small sizes stay smooth.
import { writeFileSync } from 'node:fs';
import { drawPng } from './png.mjs';

const BLUE = [52, 101, 164];
const WHITE = [255, 255, 255];

/** The colour at (x, y) in the unit square, or null for transparent. */
function glyph(x, y) {
  const inBubble = ((x - 0.5) / 0.42) ** 2 + ((y - 0.45) / 0.34) ** 2 < 1;
  const inTail = y > 0.65 && y < 0.9 && x > 0.26 && x < 0.26 + (0.9 - y) * 0.8;
  if (!inBubble && !inTail) return null;
  const bar = [0.34, 0.5, 0.66].findIndex((cx, i) => Math.abs(x - cx) < 0.045 && Math.abs(y - 0.45) < [0.09, 0.17, 0.11][i]);
  return bar >= 0 ? WHITE : BLUE;
}

for (const [name, size] of [['icon.png', 512], ['tray.png', 16], ['tray@2x.png', 32]]) {
  writeFileSync(new URL(`./${name}`, import.meta.url), drawPng(size, glyph));
}
