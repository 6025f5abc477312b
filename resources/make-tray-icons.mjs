// Draws the tray icon's state variants by code, like make-icon.mjs: `node resources/make-tray-icons.mjs`.
//   tray-speaking.png, tray-paused.png, tray-error.png   16×16 (+ @2x 32×32), coloured
//   trayTemplate.png, tray-<state>Template.png            16×16 (+ @2x), macOS template images:
//     black and alpha only, named …Template so Electron lets the menu bar recolour them.
// tray.png (idle, coloured) stays with make-icon.mjs. electron/shell/tray-menu.ts picks the file.
import { writeFileSync } from 'node:fs';
import { drawPng } from './png.mjs';

const BLACK = [0, 0, 0];
const WHITE = [255, 255, 255];
const COLOURS = { idle: [52, 101, 164], speaking: [78, 154, 6], paused: [206, 92, 0], error: [204, 0, 0] };

// The bubble of make-icon.mjs, and the mark inside it that tells the states apart even
// without colour (the template images): sound bars, taller while speaking; two pause bars; "!".
const inBubble = (x, y) =>
  ((x - 0.5) / 0.42) ** 2 + ((y - 0.45) / 0.34) ** 2 < 1 || (y > 0.65 && y < 0.9 && x > 0.26 && x < 0.26 + (0.9 - y) * 0.8);
const bars = (heights) => (x, y) => [0.34, 0.5, 0.66].some((cx, i) => Math.abs(x - cx) < 0.045 && Math.abs(y - 0.45) < heights[i]);
// The pause bars and the "!" sit on whole pixels of the 16×16 grid (units of 1/16), so they
// stay sharp at 1× instead of smearing across a pixel edge.
const px16 = (from, to) => (v) => v >= from / 16 && v < to / 16;
const MARKS = {
  idle: bars([0.09, 0.17, 0.11]),
  speaking: bars([0.15, 0.25, 0.19]),
  paused: (x, y) => (px16(5, 7)(x) || px16(9, 11)(x)) && px16(4, 11)(y),
  error: (x, y) => px16(7, 9)(x) && (px16(3, 8)(y) || px16(9, 11)(y)),
};

/** The colour at (x, y) in the unit square, or null for transparent. A null mark colour cuts the mark out. */
function glyph(state, bubbleColour, markColour) {
  return (x, y) => {
    if (!inBubble(x, y)) return null;
    return MARKS[state](x, y) ? markColour : bubbleColour;
  };
}

const write = (name, draw) => {
  writeFileSync(new URL(`./${name}.png`, import.meta.url), drawPng(16, draw));
  writeFileSync(new URL(`./${name}@2x.png`, import.meta.url), drawPng(32, draw));
};
for (const state of ['idle', 'speaking', 'paused', 'error']) {
  const base = state === 'idle' ? 'tray' : `tray-${state}`;
  if (state !== 'idle') write(base, glyph(state, COLOURS[state], WHITE));
  write(`${base}Template`, glyph(state, BLACK, null));
}
