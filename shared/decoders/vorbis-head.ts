// What a Vorbis stream's first packet says, apart from the decoder: the probe in the main process reads it too.

/** What a Vorbis identification header says (Vorbis I §4.2.2). */
export interface VorbisHead {
  channels: number;
  rate: number;
  /** The short and long block sizes, in samples. */
  blocks: [number, number];
}

/** Whether an Ogg stream's first packet is a Vorbis identification header. */
export function isVorbisHead(packet: Uint8Array): boolean {
  return packet.length >= 7 && packet[0] === 1 && String.fromCharCode(...packet.subarray(1, 7)) === 'vorbis';
}

/** The identification header, or why it cannot be played. */
export function parseVorbisHead(b: Uint8Array): VorbisHead | string {
  if (b.length < 30) return `its identification header is ${b.length} bytes, not 30`;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = view.getUint32(7, true);
  const channels = b[11];
  const rate = view.getUint32(12, true);
  const small = b[28] & 0x0f;
  const large = b[28] >> 4;
  if (version !== 0) return `it is Vorbis version ${version}, and only version 0 exists`;
  if (!channels) return 'it declares no channels';
  if (!rate || rate > 768000) return `it declares a sample rate of ${rate} Hz`;
  if (small < 6 || large > 13 || small > large || !(b[29] & 1)) return 'its block sizes or framing bit are invalid';
  return { channels, rate, blocks: [1 << small, 1 << large] };
}

/**
 * Vorbis lays out 3 to 8 channels as L C R, then the rear and side pairs, LFE last (Vorbis I
 * §4.3.9, and Opus's surround mapping): the Vorbis channel for each channel in WAV order.
 */
export const VORBIS_TO_WAV_ORDER: Record<number, number[]> = {
  3: [0, 2, 1],
  5: [0, 2, 1, 3, 4],
  6: [0, 2, 1, 5, 3, 4],
  7: [0, 2, 1, 6, 5, 3, 4],
  8: [0, 2, 1, 7, 5, 6, 3, 4],
};
