// Reads an MP3's leading Xing/Info frame and its LAME tag back, by hand and apart from the
// code that writes it, so the tests can compare ours with the one lame itself writes.

/** The fields of the first frame's Info tag, and where its CRCs sit. */
export interface LameTag {
  id: string;
  header: number[];
  frameSize: number;
  frames: number;
  bytes: number;
  encoder: string;
  delay: number;
  padding: number;
  musicLength: number;
  musicCrc: number;
  tagCrc: number;
  /** Offset of the tag CRC: the CRC covers the frame's bytes before it. */
  tagCrcAt: number;
}

const KBPS = { mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] };
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Size in bytes of the frame whose header starts at `at`. */
export function frameSize(bytes: Uint8Array, at = 0): number {
  const version = (bytes[at + 1] >> 3) & 3;
  const kbps = (version === 3 ? KBPS.mpeg1 : KBPS.mpeg2)[bytes[at + 2] >> 4];
  const rate = RATES[version][(bytes[at + 2] >> 2) & 3];
  return Math.floor(((version === 3 ? 144000 : 72000) * kbps) / rate) + ((bytes[at + 2] >> 1) & 1);
}

/** The Info tag of a file that starts with its Xing/Info frame (no ID3v2 before it). */
export function readLameTag(bytes: Uint8Array): LameTag {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mpeg1 = ((bytes[1] >> 3) & 3) === 3;
  const mono = bytes[3] >> 6 === 3;
  const at = 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17);
  const text = (from: number, length: number) => String.fromCharCode(...bytes.subarray(from, from + length));
  // Every field present: flags 0x0f (frames, bytes, TOC, quality), as LAME writes.
  if (view.getUint32(at + 4) !== 0x0f) throw new Error(`Xing flags ${view.getUint32(at + 4)}, not 0x0f`);
  const lame = at + 120;
  const delayPadding = (bytes[lame + 21] << 16) | (bytes[lame + 22] << 8) | bytes[lame + 23];
  return {
    id: text(at, 4),
    header: [...bytes.subarray(0, 4)],
    frameSize: frameSize(bytes),
    frames: view.getUint32(at + 8),
    bytes: view.getUint32(at + 12),
    encoder: text(lame, 9),
    delay: delayPadding >> 12,
    padding: delayPadding & 0xfff,
    musicLength: view.getUint32(lame + 28),
    musicCrc: view.getUint16(lame + 32),
    tagCrc: view.getUint16(lame + 34),
    tagCrcAt: lame + 34,
  };
}

/** How many frames follow the first one (the Info frame), and the header of the second. */
export function audioFrames(bytes: Uint8Array): { count: number; header: number[] } {
  let count = 0;
  const first = frameSize(bytes);
  for (let at = first; at + 4 <= bytes.length; at += frameSize(bytes, at)) count++;
  return { count, header: [...bytes.subarray(first, first + 4)] };
}
