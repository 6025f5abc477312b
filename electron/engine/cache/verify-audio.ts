import type { DecodedAudio, ProbeResult } from '../../../shared/decoders/types';
import { createDecoder } from '../../../shared/decoders';
import { audioRuns } from '../../../shared/decoders/audio';

/**
 * Whether a segment's bytes decode to their end with nothing damaged: the same decoders the
 * player runs, here in Node. Only such a segment is kept (spec X4), so a replay never plays
 * worse than the first hearing did. Formats Node cannot decode (AAC, which needs WebCodecs)
 * and streams decoded whole are not verified, so not kept.
 */
export async function decodesToTheEnd(bytes: Uint8Array, probe: ProbeResult): Promise<boolean> {
  if (probe.wholeFile || probe.format === 'aac') return false;
  const decoder = createDecoder(probe.format, { pcmSampleRate: probe.sampleRate, pcmChannels: probe.channels, pcmBigEndian: probe.bigEndian });
  try {
    await decoder.ready;
    let samples = 0;
    // In slices, as they arrive: the decoders take any size, and big pushes grow WASM memory.
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
      samples += totalSamples(await decoder.push(bytes.subarray(offset, offset + 64 * 1024)));
    }
    samples += totalSamples(await decoder.flush());
    return samples > 0 && decoder.stats.skippedFrames === 0;
  } catch {
    return false;
  } finally {
    decoder.free();
  }
}

function totalSamples(audio: DecodedAudio): number {
  return audioRuns(audio).reduce((n, run) => n + run.samplesDecoded, 0);
}
