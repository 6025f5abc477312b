/** CRC tables built once: FLAC's CRC-8 and CRC-16, Ogg's CRC-32, LAME's CRC-16. */
function table(bits: number, poly: number): Uint32Array {
  const top = 2 ** (bits - 1);
  const mask = 2 ** bits - 1;
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = (i * 2 ** (bits - 8)) >>> 0;
    for (let k = 0; k < 8; k++) c = (c & top ? ((c * 2) ^ poly) : c * 2) & mask;
    t[i] = c >>> 0;
  }
  return t;
}

const CRC8 = table(8, 0x07);
const CRC16 = table(16, 0x8005);
const CRC32 = table(32, 0x04c11db7);
/** The same CRC-16 polynomial fed least significant bit first (CRC-16/ARC), as LAME computes it. */
const CRC16_ARC = Uint16Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
});

/** FLAC frame header CRC-8. */
export function crc8(bytes: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = CRC8[c ^ bytes[i]];
  return c;
}

/** FLAC frame CRC-16. */
export function crc16(bytes: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = ((c << 8) & 0xffff) ^ CRC16[(c >> 8) ^ bytes[i]];
  return c;
}

/** Ogg page CRC-32 (the page's own CRC field must be zeroed by the caller's view). */
export function crc32(bytes: Uint8Array, from: number, to: number, skipFrom = -1): number {
  let c = 0;
  for (let i = from; i < to; i++) {
    const b = i >= skipFrom && i < skipFrom + 4 ? 0 : bytes[i];
    c = ((c << 8) ^ CRC32[((c >>> 24) ^ b) & 0xff]) >>> 0;
  }
  return c >>> 0;
}

/** The CRC-16 of LAME's tag (its music CRC and tag CRC); pass the last result as `crc` to go on over more bytes. */
export function crc16Arc(bytes: Uint8Array, from = 0, to = bytes.length, crc = 0): number {
  for (let i = from; i < to; i++) crc = (crc >>> 8) ^ CRC16_ARC[(crc ^ bytes[i]) & 0xff];
  return crc;
}
