// Files joined in one body, as servers that send a file per sentence make them: each plays
// in its own rate and channels, sample for sample as it decodes alone, with nothing counted
// as damage between them. (Chained Ogg Opus streams, trimmed: opus-stream.test.ts.)
import { describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { SincResampler } from '../../shared/audio/sinc-resampler';
import { createDecoder } from '../../shared/decoders';
import { audioRuns, concatBytes } from '../../shared/decoders/audio';
import type { DecodedAudio } from '../../shared/decoders/types';
import { UtteranceDecoder } from '../../shared/playback/utterance-decoder';
import { differingSamples, snrDb } from '../support/snr';
import { readFixture } from '../support/wav-file';
import { join, randomChunks } from './helpers';

/** One layout's audio: rate, and one array per channel. */
interface Run {
  sampleRate: number;
  channels: Float32Array[];
}

/** Pushes the chunks and flushes; the audio as runs of one layout, neighbours of the same layout joined. */
async function decodeRuns(format: AudioFormat, chunks: Uint8Array[]): Promise<{ runs: Run[]; skipped: number }> {
  const decoder = createDecoder(format);
  await decoder.ready;
  const blocks: DecodedAudio[] = [];
  for (const chunk of chunks) blocks.push(...audioRuns(await decoder.push(chunk)));
  blocks.push(...audioRuns(await decoder.flush()));
  const skipped = decoder.stats.skippedFrames + decoder.stats.skippedSamples;
  decoder.free();
  const runs: { sampleRate: number; parts: Float32Array[][] }[] = [];
  for (const block of blocks.filter((b) => b.samplesDecoded > 0)) {
    const last = runs.at(-1);
    const part = block.channelData.map((c) => c.subarray(0, block.samplesDecoded));
    if (last && last.sampleRate === block.sampleRate && last.parts[0].length === part.length) last.parts.push(part);
    else runs.push({ sampleRate: block.sampleRate, parts: [part] });
  }
  return { runs: runs.map((run) => ({ sampleRate: run.sampleRate, channels: join(run.parts) })), skipped };
}

/** What each file decodes to alone, neighbours of the same layout joined as the player hears them. */
async function alone(format: AudioFormat, files: string[]): Promise<Run[]> {
  const runs: Run[] = [];
  for (const file of files) {
    const [run] = (await decodeRuns(format, [readFixture(file)])).runs;
    const last = runs.at(-1);
    if (last && last.sampleRate === run.sampleRate && last.channels.length === run.channels.length) last.channels = join([last.channels, run.channels]);
    else runs.push(run);
  }
  return runs;
}

const JOINED: [AudioFormat, string[]][] = [
  // ffmpeg's piped WAV (unknown sizes, a LIST chunk), then sox's 44.1 kHz stereo, then sox's 24 kHz mono (declared sizes).
  ['wav', ['sentence-pipe.wav', 'speech-stereo-44k.wav', 'sentence-24k.wav']],
  // LAME's, then ffmpeg's with an ID3v2 tag and an Info frame in the middle of the body, then 44.1 kHz stereo.
  ['mp3', ['sentence.mp3', 'sentence-ffmpeg.mp3', 'speech-stereo.mp3']],
  ['flac', ['sentence.flac', 'speech-stereo.flac', 'sentence.flac']],
  // Chained Ogg whose codec, rate and channels change: Vorbis 24 kHz mono, Vorbis 44.1 kHz stereo, Opus.
  ['opus', ['speech-vorbis.ogg', 'speech-stereo-vorbis.ogg', 'sentence.opus']],
];

describe('files joined in one body', () => {
  it.each(JOINED)('%s: %j play one after another, each in its own layout, sample for sample as alone', async (format, files) => {
    const expected = await alone(format, files);
    const body = concatBytes(...files.map(readFixture));
    for (const seed of [1, 2, 3]) {
      const { runs, skipped } = await decodeRuns(format, randomChunks(body, seed, 4096));
      expect(runs.map((r) => [r.sampleRate, r.channels.length])).toEqual(expected.map((r) => [r.sampleRate, r.channels.length]));
      runs.forEach((run, i) => {
        expect(run.channels[0].length).toBe(expected[i].channels[0].length);
        run.channels.forEach((channel, c) => expect(differingSamples(channel, expected[i].channels[c])).toBe(0));
      });
      expect(skipped).toBe(0);
    }
  });

  it('a RIFF header split across pushes, byte by byte, still starts the next file', async () => {
    const files = ['sentence-pipe.wav', 'speech-stereo-44k.wav'];
    const expected = await alone('wav', files);
    const first = readFixture(files[0]);
    const body = concatBytes(first, readFixture(files[1]));
    // Large pushes up to a few bytes before the join, then single bytes across it.
    const chunks = [body.subarray(0, first.length - 5), ...Array.from({ length: 60 }, (_, i) => body.subarray(first.length - 5 + i, first.length - 4 + i)), body.subarray(first.length + 55)];
    const { runs } = await decodeRuns('wav', chunks);
    expect(runs.map((r) => r.channels[0].length)).toEqual(expected.map((r) => r.channels[0].length));
  });

  it('through the player: a segment of joined files at 24 and 44.1 kHz is resampled file by file, the first file\'s tail not lost', async () => {
    const files = ['sentence-pipe.wav', 'speech-stereo-44k.wav'];
    const [mono, stereo] = await alone('wav', files);
    const expected = [mono, stereo].map((run) => {
      const data = run.channels.length === 1 ? run.channels[0] : run.channels[0].map((s, i) => (s + run.channels[1][i]) / 2);
      const resampler = new SincResampler(run.sampleRate, 48000);
      return new Float32Array([...resampler.process(data), ...resampler.flush()]);
    });
    const decoder = new UtteranceDecoder({ outputRate: 48000, streaming: true });
    const body = concatBytes(...files.map(readFixture));
    const blocks = await decoder.accept({ type: 'segment-start', segment: { index: 0, start: 0, end: 5, text: 'Hello' }, format: 'wav', endpoint: 'test', attempt: 0, restart: false, requestedAt: 0 });
    for (let i = 0; i < body.length; i += 4096) blocks.push(...(await decoder.accept({ type: 'chunk', segmentIndex: 0, bytes: body.subarray(i, i + 4096) })));
    blocks.push(...(await decoder.accept({ type: 'segment-end', segmentIndex: 0, metrics: { ttfbMs: 0, downloadMs: 0, bytes: 0, throughput: 0, retries: 0, endpoint: 'test' }, skipped: false })));
    const [out] = join(blocks);
    expect(out.length).toBe(expected[0].length + expected[1].length);
    expect(snrDb(out.subarray(0, expected[0].length), expected[0]).snr).toBeGreaterThan(100);
    expect(snrDb(out.subarray(expected[0].length), expected[1]).snr).toBeGreaterThan(100);
    expect(decoder.metrics.skippedFrames).toBe(0);
  });
});
