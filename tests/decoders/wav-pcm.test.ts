// WAV in every layout servers send, its header split at every byte, and raw PCM (spec F1, P1).
import { describe, expect, it } from 'vitest';
import { BadAudioError, createDecoder } from '../../shared/decoders';
import { differingSamples, snrDb } from '../support/snr';
import { parseWav, readFixture, readWavFixture } from '../support/wav-file';
import { NOT_AUDIO, decodeChunks, fixedChunks, randomChunks } from './helpers';
import { concatBytes } from '../../shared/decoders/audio';

const speech = readWavFixture('speech-24k.wav');

/** Offset of the `data` chunk's header in a WAV. */
function dataChunkAt(bytes: Uint8Array): number {
  for (let i = 12; i + 4 <= bytes.length; i++) if (String.fromCharCode(...bytes.subarray(i, i + 4)) === 'data') return i;
  throw new Error('no data chunk');
}

function setUint32(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}


describe('WAV layouts', () => {
  it.each([
    ['speech-24k.wav', 24000, 1],
    ['speech-24bit.wav', 24000, 1], // WAVE_FORMAT_EXTENSIBLE
    ['speech-32bit.wav', 24000, 1], // WAVE_FORMAT_EXTENSIBLE
    ['speech-float.wav', 24000, 1], // IEEE float, with a fact chunk
    ['speech-list.wav', 24000, 1], // a LIST/INFO chunk before data
    ['speech-streaming.wav', 24000, 1], // sizes 0xFFFFFFFF
    ['speech-rf64.wav', 24000, 1], // RF64: the sizes in a ds64 chunk
    ['speech-stereo-44k.wav', 44100, 2],
    ['speech-22050.wav', 22050, 1],
  ])('%s decodes exactly, at %i Hz, %i channel(s)', async (file, rate, channels) => {
    const bytes = readFixture(file);
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, randomChunks(bytes, 11, 3000));
    const reference = parseWav(bytes);
    expect(out.sampleRate).toBe(rate);
    expect(out.channels.length).toBe(channels);
    for (let c = 0; c < channels; c++) expect(differingSamples(out.channels[c], reference.channels[c])).toBe(0);
    expect(decoder.stats.framesOut).toBe(reference.channels[0].length);
    expect(decoder.stats.bytesIn).toBe(bytes.length);
  });

  it.each(['speech-24bit.wav', 'speech-32bit.wav', 'speech-float.wav'])('%s is the same speech as the 16-bit file', async (file) => {
    const out = await decodeChunks(createDecoder('wav'), [readFixture(file)]);
    expect(out.channels[0].length).toBe(speech.channels[0].length);
    expect(snrDb(out.channels[0], speech.channels[0]).snr).toBeGreaterThan(90);
  });

  it.each(['mulaw', 'alaw'])('G.711 %s (as ffmpeg writes it) decodes as ffmpeg decodes it, and is the speech', async (law) => {
    const bytes = readFixture(`speech-${law}.wav`);
    const out = await decodeChunks(createDecoder('wav'), randomChunks(bytes, 17, 2000));
    const reference = readWavFixture(`speech-${law}.wav.ref.wav`).channels[0];
    expect(out.sampleRate).toBe(24000);
    expect(differingSamples(out.channels[0], reference)).toBe(0);
    // 8-bit companding keeps about 38 dB.
    expect(snrDb(out.channels[0], speech.channels[0]).snr).toBeGreaterThan(30);
  });

  // sox -B (libsndfile's big-endian WAV is the same): the sizes, the fmt fields and the samples big-endian.
  it.each([
    ['speech-rifx.wav', 'speech-24k.wav'],
    ['speech-rifx-float.wav', 'speech-24k.wav'],
    ['speech-stereo-rifx24.wav', 'speech-stereo-44k.wav'],
  ])('RIFX %s decodes to the samples of %s, which it was made from', async (file, source) => {
    const bytes = readFixture(file);
    const decoder = createDecoder('wav');
    const out = await decodeChunks(decoder, randomChunks(bytes, 13, 3000));
    const reference = readWavFixture(source);
    expect(out.sampleRate).toBe(reference.sampleRate);
    expect(out.channels.length).toBe(reference.channels.length);
    reference.channels.forEach((channel, c) => expect(differingSamples(out.channels[c], channel)).toBe(0));
    expect(decoder.stats.framesOut).toBe(reference.channels[0].length);
  });

  it('RIFX refuses ADPCM (its block headers have no big-endian form), naming it', async () => {
    const bytes = readFixture('speech-adpcm-ms.wav').slice();
    const view = new DataView(bytes.buffer);
    bytes.set(ascii('RIFX'), 0);
    // Each chunk's size, and the fmt fields up to the bits per sample, to big-endian.
    for (let pos = 12; pos + 8 <= bytes.length; ) {
      const size = view.getUint32(pos + 4, true);
      view.setUint32(pos + 4, size, false);
      if (String.fromCharCode(...bytes.subarray(pos, pos + 4)) === 'fmt ') {
        for (const [at, width] of [[0, 2], [2, 2], [4, 4], [8, 4], [12, 2], [14, 2]]) {
          if (width === 2) view.setUint16(pos + 8 + at, view.getUint16(pos + 8 + at, true), false);
          else view.setUint32(pos + 8 + at, view.getUint32(pos + 8 + at, true), false);
        }
      }
      if (String.fromCharCode(...bytes.subarray(pos, pos + 4)) === 'data') break;
      pos += 8 + size + (size & 1);
    }
    const error = await decodeChunks(createDecoder('wav'), [bytes]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadAudioError);
    expect((error as Error).message).toMatch(/RIFX \(big-endian WAV\) holds audio Utter cannot play: Microsoft ADPCM \(format 2\)/);
  });

  it('refuses a WAV of a codec it cannot play (GSM 6.10, as ffmpeg writes it), naming it', async () => {
    const error = await decodeChunks(createDecoder('wav'), [readFixture('speech-gsm.wav')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadAudioError);
    expect((error as Error).message).toMatch(/GSM 6.10 \(format 49\), 1 channel, 8000 Hz/);
  });

  it('12-bit PCM (left-justified in 16 bits) plays as its container, to the sample', async () => {
    const bytes = readFixture('speech-24k.wav').slice();
    const data = dataChunkAt(bytes) + 8;
    // The fmt chunk's bits per sample (it follows RIFF/WAVE and the fmt header: offset 34 in this plain header).
    new DataView(bytes.buffer).setUint16(34, 12, true);
    for (let i = data; i + 1 < bytes.length; i += 2) bytes[i] &= 0xf0; // a 12-bit sample's low 4 bits are zero
    const out = await decodeChunks(createDecoder('wav'), randomChunks(bytes, 23, 1000));
    const expected = speech.channels[0].map((x) => Math.floor(x * 2048) / 2048);
    expect(out.channels[0].length).toBe(expected.length);
    expect(differingSamples(out.channels[0], expected)).toBe(0);
  });

  it('RF64: the ds64 chunk says where the data ends, so a chunk after it is not played', async () => {
    const bytes = readFixture('speech-rf64.wav');
    const after = concatBytes(ascii('LIST'), new Uint8Array([4, 0, 0, 0]), ascii('INFO'));
    const out = await decodeChunks(createDecoder('wav'), randomChunks(concatBytes(bytes, after), 19, 1500));
    expect(out.channels[0].length).toBe(speech.channels[0].length);
    expect(differingSamples(out.channels[0], speech.channels[0])).toBe(0);
  });

  it('plays the streaming form whose sizes are 0 to the end of the stream', async () => {
    const bytes = readFixture('speech-24k.wav').slice();
    setUint32(bytes, 4, 0);
    setUint32(bytes, dataChunkAt(bytes) + 4, 0);
    const out = await decodeChunks(createDecoder('wav'), randomChunks(bytes, 3, 2000));
    expect(differingSamples(out.channels[0], speech.channels[0])).toBe(0);
  });

  it('skips an odd-sized chunk (and its pad byte) before data, and ignores a chunk after it', async () => {
    const bytes = readFixture('speech-24k.wav');
    const at = dataChunkAt(bytes);
    const odd = concatBytes(ascii('junk'), new Uint8Array([3, 0, 0, 0, 1, 2, 3, 0]));
    const after = concatBytes(ascii('LIST'), new Uint8Array([4, 0, 0, 0]), ascii('INFO'));
    const out = await decodeChunks(createDecoder('wav'), randomChunks(concatBytes(bytes.subarray(0, at), odd, bytes.subarray(at), after), 5, 1000));
    expect(differingSamples(out.channels[0], speech.channels[0])).toBe(0);
  });

  it.each([
    ['speech-list.wav', 'speech-list.wav'],
    ['speech-24bit.wav', 'speech-24bit.wav'],
    ['speech-streaming.wav', 'speech-streaming.wav'],
    ['speech-rf64.wav', 'speech-rf64.wav'],
    ['speech-rifx-float.wav', 'speech-24k.wav'],
  ])('%s: its header split at every byte decodes the same', async (file, source) => {
    const bytes = readFixture(file);
    const reference = readWavFixture(source).channels[0];
    const header = dataChunkAt(bytes) + 8;
    for (let split = 1; split <= header + 4; split++) {
      const out = await decodeChunks(createDecoder('wav'), [bytes.subarray(0, split), bytes.subarray(split, header + 5), bytes.subarray(header + 5)]);
      expect(differingSamples(out.channels[0], reference)).toBe(0);
    }
  });

  it.each([
    ['an HTML error page', NOT_AUDIO.html],
    ['a JSON error', NOT_AUDIO.json],
  ])('refuses %s with a BadAudioError', async (_, body) => {
    const decoder = createDecoder('wav');
    await expect(decoder.push(body)).rejects.toThrow(BadAudioError);
    await expect(createDecoder('wav').push(body)).rejects.toThrow(/not a WAV/);
  });

  it('reports a stream that ends inside its header, and a data chunk before fmt', async () => {
    const cut = createDecoder('wav');
    await cut.push(readFixture('speech-24k.wav').subarray(0, 30));
    await expect(cut.flush()).rejects.toThrow(BadAudioError);
    const noFmt = concatBytes(ascii('RIFF'), new Uint8Array(4), ascii('WAVEdata'), new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0]));
    await expect(createDecoder('wav').push(noFmt)).rejects.toThrow(/no fmt chunk/);
  });
});

describe('raw PCM', () => {
  const pcm = readFixture('speech-24k.pcm');

  it('is s16le mono at 24 kHz by default, exact, an odd byte kept across pushes', async () => {
    const decoder = createDecoder('pcm');
    const out = await decodeChunks(decoder, fixedChunks(pcm, 3));
    expect(out.sampleRate).toBe(24000);
    expect(out.channels.length).toBe(1);
    expect(differingSamples(out.channels[0], speech.channels[0])).toBe(0);
  });

  it('takes its rate and channel count from the options (stereo 44.1 kHz)', async () => {
    const wav = readFixture('speech-stereo-44k.wav');
    const body = wav.subarray(dataChunkAt(wav) + 8);
    const out = await decodeChunks(createDecoder('pcm', { pcmSampleRate: 44100, pcmChannels: 2 }), randomChunks(body, 8, 999));
    const reference = parseWav(wav);
    expect(out.sampleRate).toBe(44100);
    for (const c of [0, 1]) expect(differingSamples(out.channels[c], reference.channels[c])).toBe(0);
  });

  it('drops a partial sample at the end of the stream', async () => {
    const decoder = createDecoder('pcm');
    expect((await decoder.push(pcm.subarray(0, 101))).samplesDecoded).toBe(50);
    expect((await decoder.flush()).samplesDecoded).toBe(0);
    expect(decoder.stats).toEqual({ bytesIn: 101, framesOut: 50, skippedFrames: 0, skippedSamples: 0 });
  });
});
