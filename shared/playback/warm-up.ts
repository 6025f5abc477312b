import type { AudioFormat } from '../audio-format';
import { TimeStretcher, type SonicModule } from '../audio/time-stretch';
import { UtteranceDecoder } from './utterance-decoder';
import { FLAC_CLIP, MP3_CLIP, OPUS_CLIP, VORBIS_CLIP } from './warm-up-clips';

/**
 * Real encoders' output (see make-warm-up-clips.sh), 24 kHz mono; pcm is made here, at the
 * embedded voice's 22050 Hz and other servers' 44100 too, so each rate's resampling kernel
 * is built before a voice needs it.
 */
const CLIPS: { name: string; format: AudioFormat; rate: number; bytes: () => Uint8Array }[] = [
  { name: 'mp3', format: 'mp3', rate: 24000, bytes: () => fromBase64(MP3_CLIP) },
  { name: 'opus', format: 'opus', rate: 24000, bytes: () => fromBase64(OPUS_CLIP) },
  { name: 'flac', format: 'flac', rate: 24000, bytes: () => fromBase64(FLAC_CLIP) },
  // Asked for opus, an ffmpeg pipe sends Vorbis: its library's first stream took 47–76 ms
  // to first audio cold against 4–18 ms warm (Node).
  { name: 'vorbis', format: 'opus', rate: 24000, bytes: () => fromBase64(VORBIS_CLIP) },
  ...[24000, 22050, 44100].map((rate) => ({ name: `pcm ${rate}`, format: 'pcm' as const, rate, bytes: () => s16(tone(rate, 0.05)) })),
];

/**
 * Decodes a short clip of each format along the path a segment takes (its decoder, then the
 * resampler to `outputRate`), while nothing plays. V8 compiles WASM and JS functions on their
 * first call: without this the first mp3 of a session took 13 ms to decode against 2–3 ms
 * later (measured in Chromium). Returns the frames each format gave, at the output rate.
 */
export async function warmAudioPath(outputRate: number): Promise<Record<string, number>> {
  const frames: Record<string, number> = {};
  for (const { name, format, rate, bytes } of CLIPS) {
    const decoder = new UtteranceDecoder({ outputRate, channels: 'stereo', streaming: true });
    try {
      const segment = { index: 0, start: 0, end: 0, text: '' };
      await decoder.accept({ type: 'segment-start', segment, format, sampleRate: rate, channels: 1, endpoint: 'warm-up', attempt: 0, restart: false, requestedAt: 0 });
      const out = await decoder.accept({ type: 'chunk', segmentIndex: 0, bytes: bytes() });
      const metrics = { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'warm-up' };
      out.push(...(await decoder.accept({ type: 'segment-end', segmentIndex: 0, metrics, skipped: false })));
      frames[name] = out.reduce((sum, block) => sum + (block[0]?.length ?? 0), 0);
    } finally {
      decoder.close();
    }
  }
  return frames;
}

/**
 * Stretches 100 ms once, as a slowed start or a rate change does, so the first of them is not
 * also Sonic's first call (3.5 ms cold against 0.5 ms warm, in Node). Returns the frames out.
 */
export function warmStretcher(sonic: SonicModule, outputRate: number): number {
  const stretcher = new TimeStretcher(sonic, outputRate, 2);
  try {
    const mono = tone(outputRate, 0.1);
    const frames = Float32Array.from({ length: mono.length * 2 }, (_, i) => mono[i >> 1]);
    stretcher.setRate(0.8);
    return (stretcher.process(frames).length + stretcher.flush().length) / 2;
  } finally {
    stretcher.free();
  }
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A 300 Hz tone at a quarter of full scale. */
function tone(rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 300 * i) / rate));
}

/** Float samples as s16le bytes, as a server's raw pcm. */
function s16(samples: Float32Array): Uint8Array {
  return new Uint8Array(Int16Array.from(samples, (x) => Math.round(x * 32767)).buffer);
}
