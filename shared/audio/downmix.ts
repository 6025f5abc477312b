// Surround to stereo for the player's two sides (a server may send 5.1 or 7.1: WAV, FLAC,
// Opus and AAC carry it). Channels come in WAV order (DecodedAudio). Centre and the rear and
// side pairs go in at -3 dB, as ITU-R BS.775 and ffmpeg's default downmix do; LFE is left
// out. Each side is scaled by its gains' sum, so full scale on every channel cannot clip.

const C = Math.SQRT1_2;
/** [left, right] gain of each channel, by channel count, in WAV order. */
const GAINS: Record<number, [number, number][]> = {
  3: [[1, 0], [0, 1], [C, C]], // FL FR FC
  4: [[1, 0], [0, 1], [C, 0], [0, C]], // FL FR BL BR
  5: [[1, 0], [0, 1], [C, C], [C, 0], [0, C]], // FL FR FC BL BR
  6: [[1, 0], [0, 1], [C, C], [0, 0], [C, 0], [0, C]], // FL FR FC LFE BL BR
  7: [[1, 0], [0, 1], [C, C], [0, 0], [0.5, 0.5], [C, 0], [0, C]], // FL FR FC LFE BC SL SR
  8: [[1, 0], [0, 1], [C, C], [0, 0], [C, 0], [0, C], [C, 0], [0, C]], // FL FR FC LFE BL BR SL SR
};

/** Three or more channels (WAV order) as [left, right]; a layout without a table is averaged onto both sides. */
export function downmixToStereo(channels: Float32Array[]): [Float32Array, Float32Array] {
  const gains = GAINS[channels.length] ?? channels.map((): [number, number] => [1, 1]);
  const length = channels[0]?.length ?? 0;
  const sides: [Float32Array, Float32Array] = [new Float32Array(length), new Float32Array(length)];
  for (const side of [0, 1] as const) {
    const total = gains.reduce((sum, gain) => sum + gain[side], 0);
    const out = sides[side];
    channels.forEach((data, c) => {
      const gain = gains[c][side] / total;
      if (gain) for (let i = 0; i < length; i++) out[i] += data[i] * gain;
    });
  }
  return sides;
}
