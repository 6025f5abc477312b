import { describe, expect, it } from 'vitest';
import { judgeByteOrder, L16Decoder } from '../../shared/decoders/l16';
import { fixture } from '../support/audio-files';

/** The same 16-bit samples with each pair of bytes swapped. */
function swapped(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) [out[i], out[i + 1]] = [bytes[i + 1], bytes[i]];
  return out;
}

describe('the byte order of raw 16-bit PCM', () => {
  // 200 ms into the speech: voiced, not the leading silence.
  const speech = fixture('speech-44k.pcm').subarray(17640, 17640 + 4096);

  it('is told from speech read both ways', () => {
    expect(judgeByteOrder(speech, 1)).toBe('little');
    expect(judgeByteOrder(swapped(speech), 1)).toBe('big');
  });

  it('is not guessed from silence, from audio too quiet to tell, or from too few samples', () => {
    expect(judgeByteOrder(new Uint8Array(4096), 1)).toBeNull();
    // Under 128 either reading is the same shape, 256 times louder or not.
    const quiet = new Int16Array(2048).map((_, i) => Math.round(100 * Math.sin(i / 10)));
    expect(judgeByteOrder(new Uint8Array(quiet.buffer), 1)).toBeNull();
    expect(judgeByteOrder(speech.subarray(0, 100), 1)).toBeNull();
  });

  it('holds the first bytes of an L16 stream until they tell, then reads all in that order', async () => {
    const decoder = new L16Decoder(44100, 1);
    const silent = new Uint8Array(2000);
    expect((await decoder.push(silent)).samplesDecoded).toBe(0);
    const out = await decoder.push(speech);
    expect(decoder.byteOrder).toBe('little');
    expect(out.samplesDecoded).toBe((silent.length + speech.length) / 2);
    expect(out.channelData[0][1000 + 10]).toBeCloseTo(new DataView(speech.buffer, speech.byteOffset).getInt16(20, true) / 32768, 6);
  });

  it('believes the label (big-endian) for a body that ends before it can tell', async () => {
    const decoder = new L16Decoder(24000, 1);
    await decoder.push(new Uint8Array([0, 1, 0, 2]));
    const out = await decoder.flush();
    expect(decoder.byteOrder).toBe('big');
    expect(Array.from(out.channelData[0], (v) => v * 32768)).toEqual([1, 2]);
  });
});
