// The names the integration tests, the test server and the browser tests use for fixtures,
// over the one WAV reader (wav-file.ts) and the one SNR measure (snr.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bestLag, snrDb as snrAtLag } from './snr';
import { FIXTURE_DIR } from './wav-file';

export { FIXTURE_DIR as FIXTURES, readFixture as fixture, parseWav as readWav, type PlanarAudio as Pcm } from './wav-file';
export { prng } from '../decoders/helpers';

/** SNR in dB at the best lag within ±maxLag (0: no lag search), and that lag. */
export function snrDb(signal: Float32Array, reference: Float32Array, maxLag = 0): { snr: number; lag: number } {
  const lag = maxLag ? bestLag(signal, reference, maxLag) : 0;
  return { snr: snrAtLag(signal, reference, lag).snr, lag };
}

/** The HE-AAC fixtures, made only where FDK's encoder (aac-enc, Debian non-free) is installed. */
export const HE_AAC_FIXTURES = ['speech-he.aac', 'speech-stereo-hev2.aac'];

/**
 * Whether the HE-AAC tests run: where their fixtures were made, and always under CI, which
 * installs the encoder (.ci/run), so that a missing one fails there instead of skipping.
 */
export const testHeAac = HE_AAC_FIXTURES.every((name) => existsSync(join(FIXTURE_DIR, name))) || Boolean(process.env.CI);
