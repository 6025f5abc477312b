// Writes resources/icon.png (512×512): a speech-bubble glyph drawn pixel by pixel, so the
// icon is made by code in the repo and needs no image tool.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x / size, y / size), y * (size * 4 + 1) + 1 + x * 4);
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc(Buffer.concat([Buffer.from(type), data])), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function crc(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

const icon = (x, y) => {
  const inBubble = ((x - 0.5) / 0.4) ** 2 + ((y - 0.45) / 0.32) ** 2 < 1;
  const inTail = y > 0.65 && y < 0.88 && x > 0.28 && x < 0.28 + (0.88 - y) * 0.8;
  if (!inBubble && !inTail) return [0, 0, 0, 0];
  // Three sound bars inside the bubble.
  const bar = [0.36, 0.5, 0.64].findIndex((cx, i) => Math.abs(x - cx) < 0.035 && Math.abs(y - 0.45) < [0.08, 0.16, 0.1][i]);
  return bar >= 0 ? [255, 255, 255, 255] : [52, 101, 164, 255];
};
writeFileSync(new URL('./icon.png', import.meta.url), png(512, icon));
writeFileSync(new URL('./tray.png', import.meta.url), png(32, icon));
