// AAC: in Node a clear unsupported-format error (spec E4). The WebCodecs path is checked
// here against a scripted stand-in for AudioDecoder that records what it is given (the
// real decode is tested in Chromium): ADTS cut into raw frames, the AudioSpecificConfig,
// timestamps, output collection, error recovery (spec E2), reset and free.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadAudioError, UnsupportedFormatError, createDecoder, hasWebCodecs } from '../../shared/decoders';
import { audioSpecificConfig } from '../../shared/decoders/aac';
import { audioDataToPlanar, type WcAudioData } from '../../shared/decoders/webcodecs';
import { readFixture } from '../support/wav-file';
import { NOT_AUDIO, damage, decodeChunks, fixedChunks, randomChunks } from './helpers';

const aac = readFixture('speech.aac');

/** The ADTS frames of a file, found independently of the decoder: [offset, length]. */
function adtsFrames(bytes: Uint8Array): [number, number][] {
  const frames: [number, number][] = [];
  for (let p = 0; p + 7 <= bytes.length; ) {
    const length = ((bytes[p + 3] & 3) << 11) | (bytes[p + 4] << 3) | (bytes[p + 5] >> 5);
    frames.push([p, length]);
    p += length;
  }
  return frames;
}

interface Chunk {
  type: string;
  timestamp: number;
  duration?: number;
  data: Uint8Array;
}

/** A stand-in AudioDecoder: 1024 frames of output per chunk, in order, on a later task, like the real one. */
class FakeAudioDecoder {
  static instances: FakeAudioDecoder[] = [];
  static supported = true;
  /** Payloads that make the decoder fail, as a corrupt frame would. */
  static poison = (data: Uint8Array): boolean => data.length > 8 && data.subarray(0, 8).every((b) => b === 0xee);
  /** Like a platform decoder that gives nothing back until flush(). */
  static holdUntilFlush = false;
  private held: (() => void)[] = [];
  state: 'unconfigured' | 'configured' | 'closed' = 'unconfigured';
  decodeQueueSize = 0;
  configs: { codec: string; sampleRate: number; numberOfChannels: number; description?: Uint8Array }[] = [];
  chunks: Chunk[] = [];
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly init: { output: (data: WcAudioData) => void; error: (error: Error) => void }) {
    FakeAudioDecoder.instances.push(this);
  }
  static async isConfigSupported(config: { codec: string }): Promise<{ supported: boolean; config: unknown }> {
    return { supported: FakeAudioDecoder.supported && config.codec === 'mp4a.40.2', config };
  }
  configure(config: FakeAudioDecoder['configs'][number]): void {
    if (this.state === 'closed') throw new Error('InvalidStateError: closed');
    this.configs.push(config);
    this.state = 'configured';
  }
  decode(chunk: Chunk): void {
    if (this.state !== 'configured') throw new Error(`InvalidStateError: ${this.state}`);
    this.chunks.push(chunk);
    const index = this.chunks.length;
    const { sampleRate, numberOfChannels } = this.configs.at(-1)!;
    const done = new Promise<void>((resolve) => {
      const emit = (): void => {
        resolve();
        if (this.state === 'closed') return;
        if (FakeAudioDecoder.poison(chunk.data)) {
          this.state = 'closed';
          this.init.error(new Error('EncodingError: corrupt frame'));
          return;
        }
        this.init.output(fakeAudioData(1024, numberOfChannels, sampleRate, index / 1000));
      };
      if (FakeAudioDecoder.holdUntilFlush) this.held.push(emit);
      else setTimeout(emit, 0);
    });
    this.pending = Promise.all([this.pending, done]).then(() => undefined);
  }
  flush(): Promise<void> {
    for (const emit of this.held.splice(0)) setTimeout(emit, 0);
    return this.pending.then(() => (this.state === 'closed' ? Promise.reject(new Error('closed')) : undefined));
  }
  reset(): void {}
  close(): void {
    this.state = 'closed';
  }
}

let closedAudioData = 0;

function fakeAudioData(frames: number, channels: number, sampleRate: number, value: number, format = 'f32-planar'): WcAudioData {
  return {
    format,
    numberOfFrames: frames,
    numberOfChannels: channels,
    sampleRate,
    copyTo(destination, options) {
      if ((options.format ?? format) !== format) throw new Error('NotSupportedError: no conversion');
      if (format === 'f32-planar') (destination as Float32Array).fill(value + options.planeIndex);
      else if (format === 's16') (destination as Int16Array).forEach((_, i, a) => (a[i] = i % channels === 0 ? 16384 : -16384));
    },
    close() {
      closedAudioData++;
    },
  };
}

class FakeChunk implements Chunk {
  type: string;
  timestamp: number;
  duration?: number;
  data: Uint8Array;
  constructor(init: Chunk) {
    ({ type: this.type, timestamp: this.timestamp, duration: this.duration } = init);
    this.data = init.data.slice();
  }
}

describe('in Node', () => {
  it('is a clear UnsupportedFormatError that names WebCodecs', () => {
    expect(hasWebCodecs()).toBe(false);
    expect(() => createDecoder('aac')).toThrow(UnsupportedFormatError);
    expect(() => createDecoder('aac')).toThrow(/WebCodecs.*Node/);
  });
});

it('builds the AudioSpecificConfig ffmpeg writes for the same stream', () => {
  // `ffmpeg -i speech.aac -c copy x.m4a; ffprobe -show_streams -show_data x.m4a`: extradata 1308.
  expect([...audioSpecificConfig({ profile: 1, rateIndex: 6, channels: 1 })]).toEqual([0x13, 0x08]);
  expect([...audioSpecificConfig({ profile: 1, rateIndex: 4, channels: 2 })]).toEqual([0x12, 0x10]); // 44.1 kHz stereo
});

describe('through WebCodecs (a scripted AudioDecoder)', () => {
  beforeEach(() => {
    FakeAudioDecoder.instances = [];
    FakeAudioDecoder.supported = true;
    FakeAudioDecoder.holdUntilFlush = false;
    closedAudioData = 0;
    vi.stubGlobal('AudioDecoder', FakeAudioDecoder);
    vi.stubGlobal('EncodedAudioChunk', FakeChunk);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each([1, 2, 3])('feeds every ADTS frame raw, in order, with the right config (seed %i)', async (seed) => {
    const decoder = createDecoder('aac');
    const out = await decodeChunks(decoder, randomChunks(aac, seed, 3000));
    const frames = adtsFrames(aac);
    expect(frames.length).toBe(188); // ffprobe -count_packets
    const [fake] = FakeAudioDecoder.instances;
    expect(FakeAudioDecoder.instances.length).toBe(1);
    expect(fake.configs).toEqual([{ codec: 'mp4a.40.2', sampleRate: 24000, numberOfChannels: 1, description: new Uint8Array([0x13, 0x08]) }]);
    expect(fake.chunks.length).toBe(frames.length);
    fake.chunks.forEach((chunk, i) => {
      const [offset, length] = frames[i];
      expect(chunk.type).toBe('key');
      expect(chunk.timestamp).toBe(Math.round((i * 1024 * 1e6) / 24000));
      expect(chunk.data).toEqual(aac.subarray(offset + 7, offset + length)); // header stripped
    });
    expect(out.sampleRate).toBe(24000);
    expect(out.channels[0].length).toBe(frames.length * 1024);
    // In order: the fake writes chunk n's number into its output.
    expect(out.channels[0][0]).toBeCloseTo(0.001, 6);
    expect(out.channels[0].at(-1)).toBeCloseTo(frames.length / 1000, 6);
    expect(decoder.stats).toEqual({ bytesIn: aac.length, framesOut: frames.length * 1024, skippedFrames: 0, skippedSamples: 0 });
    expect(closedAudioData).toBe(frames.length);
    decoder.free();
    expect(fake.state).toBe('closed');
  });

  it('takes its first bytes one at a time', async () => {
    const out = await decodeChunks(createDecoder('aac'), [...fixedChunks(aac.subarray(0, 900), 1), aac.subarray(900)]);
    expect(out.channels[0].length).toBe(adtsFrames(aac).length * 1024);
  });

  it('streams: each push waits for and returns the audio of the frames it completed', async () => {
    const decoder = createDecoder('aac');
    const frames = adtsFrames(aac);
    // The first three frames and a bit of the fourth: the third is confirmed by the fourth's header.
    const first = await decoder.push(aac.slice(0, frames[3][0] + 7));
    expect(first.samplesDecoded).toBe(3 * 1024);
    decoder.free();
  });

  it('stops waiting for a decoder that holds its output back until flush()', async () => {
    FakeAudioDecoder.holdUntilFlush = true;
    const decoder = createDecoder('aac');
    const started = performance.now();
    const out = await decodeChunks(decoder, randomChunks(aac, 2, 2000));
    // One push waited its 100 ms, the rest did not wait at all.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out.firstAudioAtByte).toBe(-1);
    expect(out.channels[0].length).toBe(adtsFrames(aac).length * 1024);
  });

  it('a frame the decoder fails on is skipped and counted, a new decoder plays on (spec E2)', async () => {
    const frames = adtsFrames(aac);
    const bad = aac.slice();
    for (const i of [40, 120]) bad.fill(0xee, frames[i][0] + 7, frames[i][0] + 7 + 16);
    const decoder = createDecoder('aac');
    const out = await decodeChunks(decoder, randomChunks(bad, 4, 4000));
    const skipped = decoder.stats.skippedFrames;
    expect(skipped).toBeGreaterThanOrEqual(2);
    expect(FakeAudioDecoder.instances.length).toBe(3);
    // Every frame is either played or counted as skipped, and most are played.
    expect(out.channels[0].length).toBe((frames.length - skipped) * 1024);
    expect(out.channels[0].length).toBeGreaterThan(frames.length * 1024 * 0.9);
  });

  it('damaged bytes that break the ADTS framing are skipped to the next frame', async () => {
    const decoder = createDecoder('aac');
    // Start the damage on a frame header, so the framing breaks whatever the encoder wrote
    // (ffmpeg's AAC encoder does not write the same bytes every run).
    const at = adtsFrames(aac)[60][0];
    const out = await decodeChunks(decoder, randomChunks(damage(aac, at, 300), 5, 4000));
    const frames = adtsFrames(aac).length;
    expect(decoder.stats.skippedFrames).toBeGreaterThanOrEqual(1);
    expect(out.channels[0].length).toBeGreaterThan((frames - 12) * 1024);
    expect(out.channels[0].length).toBeLessThan(frames * 1024);
  });

  it('gives up with a BadAudioError when the decoder fails frame after frame', async () => {
    FakeAudioDecoder.poison = () => true;
    try {
      await expect(decodeChunks(createDecoder('aac'), randomChunks(aac, 6, 1000))).rejects.toThrow(/could not be decoded/);
    } finally {
      FakeAudioDecoder.poison = (data) => data.length > 8 && data.subarray(0, 8).every((b) => b === 0xee);
    }
  });

  it('a profile the browser cannot decode is an UnsupportedFormatError', async () => {
    FakeAudioDecoder.supported = false;
    await expect(createDecoder('aac').push(aac)).rejects.toThrow(UnsupportedFormatError);
  });

  it('an HTML page or JSON is a BadAudioError', async () => {
    await expect(createDecoder('aac').push(NOT_AUDIO.html)).rejects.toThrow(BadAudioError);
    await expect(createDecoder('aac').push(NOT_AUDIO.json)).rejects.toThrow(BadAudioError);
  });

  it('reset() starts a new stream; free() refuses further work', async () => {
    const decoder = createDecoder('aac');
    await decoder.push(aac.subarray(0, 5000));
    await decoder.reset();
    const out = await decodeChunks(decoder, [aac]);
    expect(out.channels[0].length).toBe(adtsFrames(aac).length * 1024);
    decoder.free();
    await expect(decoder.push(aac)).rejects.toThrow(/freed/);
  });
});

it('copies AudioData that cannot convert to f32-planar by deinterleaving it here', () => {
  const [left, right] = audioDataToPlanar(fakeAudioData(4, 2, 48000, 0, 's16'));
  expect([...left]).toEqual([0.5, 0.5, 0.5, 0.5]);
  expect([...right]).toEqual([-0.5, -0.5, -0.5, -0.5]);
});
