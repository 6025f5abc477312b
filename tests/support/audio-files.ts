// The names the integration tests, the test server and the browser tests use for fixtures,
// over the one WAV reader (wav-file.ts) and the one SNR measure (snr.ts).
import { bestLag, snrDb as snrAtLag } from './snr';

export { FIXTURE_DIR as FIXTURES, readFixture as fixture, parseWav as readWav, type PlanarAudio as Pcm } from './wav-file';
export { prng } from '../decoders/helpers';

/** SNR in dB at the best lag within ±maxLag (0: no lag search), and that lag. */
export function snrDb(signal: Float32Array, reference: Float32Array, maxLag = 0): { snr: number; lag: number } {
  const lag = maxLag ? bestLag(signal, reference, maxLag) : 0;
  return { snr: snrAtLag(signal, reference, lag).snr, lag };
}
