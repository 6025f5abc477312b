import { prng } from './audio-files';

/**
 * An ID3v2.3 tag holding one APIC frame (a cover picture) of `pictureBytes` random bytes, as
 * taggers put before MP3 and sometimes FLAC.
 */
export function id3Picture(pictureBytes: number): Uint8Array {
  const random = prng(3);
  const body = new Uint8Array(1 + 'image/jpeg\0'.length + 2 + pictureBytes);
  body.set(new TextEncoder().encode('\0image/jpeg\0\x03\0'));
  for (let i = body.length - pictureBytes; i < body.length; i++) body[i] = random() * 256;
  const frame = new Uint8Array(10 + body.length);
  frame.set(new TextEncoder().encode('APIC'));
  new DataView(frame.buffer).setUint32(4, body.length);
  frame.set(body, 10);
  const tag = new Uint8Array(10 + frame.length);
  tag.set([0x49, 0x44, 0x33, 3, 0, 0]);
  // The tag's size in 7-bit bytes (syncsafe), so no byte of it looks like a frame sync.
  for (let i = 0; i < 4; i++) tag[6 + i] = (frame.length >> (7 * (3 - i))) & 0x7f;
  tag.set(frame, 10);
  return tag;
}
