// probeFormat: the format from the first bytes, not from the content type (servers label
// Ogg Opus as audio/opus or audio/ogg), raw PCM only when asked for, text never (spec E4).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeFormat } from '../../shared/decoders';
import { unplayableAudio } from '../../shared/decoders/detect';
import { id3Length } from '../../shared/decoders/frame-headers';
import { FIXTURES } from '../support/audio-files';
import { readFixture } from '../support/wav-file';
import { NOT_AUDIO, prng } from './helpers';
import { concatBytes } from '../../shared/decoders/audio';

const FILES = [
  ['speech-24k.wav', { format: 'wav', sampleRate: 24000, channels: 1 }],
  ['speech-stereo-44k.wav', { format: 'wav', sampleRate: 44100, channels: 2 }],
  ['speech-list.wav', { format: 'wav', sampleRate: 24000, channels: 1 }],
  ['speech-24bit.wav', { format: 'wav', sampleRate: 24000, channels: 1 }],
  ['speech-rf64.wav', { format: 'wav', sampleRate: 24000, channels: 1 }],
  ['speech-mulaw.wav', { format: 'wav', sampleRate: 24000, channels: 1 }],
  ['speech-rifx.wav', { format: 'wav', sampleRate: 24000, channels: 1 }],
  ['speech-stereo-rifx24.wav', { format: 'wav', sampleRate: 44100, channels: 2 }],
  ['speech.mp3', { format: 'mp3', sampleRate: 24000, channels: 1 }],
  ['speech.opus', { format: 'opus', sampleRate: 48000, channels: 1 }],
  ['speech-bigpages.opus', { format: 'opus', sampleRate: 48000, channels: 1 }],
  ['speech.flac', { format: 'flac', sampleRate: 24000, channels: 1 }],
  ['speech.aac', { format: 'aac', sampleRate: 24000, channels: 1 }],
] as const;

/** An ID3v2.4 tag of `size` body bytes (zero padding). */
function id3(size: number): Uint8Array {
  const tag = new Uint8Array(10 + size);
  tag.set([0x49, 0x44, 0x33, 4, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
  return tag;
}


describe('every format from its bytes', () => {
  it.each(FILES)('%s', (file, expected) => {
    expect(probeFormat(readFixture(file))).toEqual(expected);
  });

  it.each(FILES)('%s: any prefix says need-more or the right answer, and 1 KB decides', (file, expected) => {
    const bytes = readFixture(file);
    for (let n = 0; n <= 1024; n++) {
      const verdict = probeFormat(bytes.subarray(0, n));
      if (verdict !== 'need-more') expect(verdict).toEqual(expected);
      if (n === 1024) expect(verdict).toEqual(expected);
    }
  });

  it('does not trust the content type, nor the format asked for', () => {
    expect(probeFormat(readFixture('speech.opus'), { contentType: 'audio/ogg' })?.valueOf()).toMatchObject({ format: 'opus' });
    expect(probeFormat(readFixture('speech.opus'), { contentType: 'audio/mpeg', requested: 'mp3' })).toMatchObject({ format: 'opus' });
    expect(probeFormat(readFixture('speech.mp3'), { contentType: 'audio/wav', requested: 'wav' })).toMatchObject({ format: 'mp3' });
    expect(probeFormat(readFixture('speech-24k.wav'), { contentType: 'audio/pcm', requested: 'pcm' })).toMatchObject({ format: 'wav' });
    // Big-endian samples read as raw PCM would be loud noise.
    expect(probeFormat(readFixture('speech-rifx.wav'), { contentType: 'audio/pcm', requested: 'pcm' })).toMatchObject({ format: 'wav' });
    expect(probeFormat(readFixture('speech.flac'), { contentType: 'application/octet-stream', requested: 'pcm' })).toMatchObject({ format: 'flac' });
  });

  it('skips an ID3 tag before MP3 (and ADTS), and does not wait for a huge one', () => {
    const tagged = concatBytes(id3(300), readFixture('speech.mp3'));
    expect(probeFormat(tagged)).toEqual({ format: 'mp3', sampleRate: 24000, channels: 1 });
    expect(probeFormat(tagged.subarray(0, 200))).toBe('need-more');
    expect(probeFormat(concatBytes(id3(50), readFixture('speech.aac')))).toEqual({ format: 'aac', sampleRate: 24000, channels: 1 });
    expect(probeFormat(id3(100_000).subarray(0, 4096))).toEqual({ format: 'mp3' });
    expect(probeFormat(concatBytes(id3(20), NOT_AUDIO.html))).toBeNull();
  });

  it('is found after stray bytes in its first 4 KB (as ffmpeg finds it), by an ID3 tag or three frames in a row', () => {
    const mp3 = readFixture('speech.mp3');
    const random = prng(7);
    const noise = Uint8Array.from({ length: 512 }, () => Math.floor(random() * 256));
    const text = new TextEncoder().encode('HTTP/1.1 200 OK\r\n\r\n');
    const bareFrames = mp3.subarray(id3Length(mp3));
    for (const junk of [new Uint8Array(16), new Uint8Array(700), noise, concatBytes(text, noise)]) {
      expect(probeFormat(concatBytes(junk, mp3))).toEqual({ format: 'mp3', sampleRate: 24000, channels: 1 });
      expect(probeFormat(concatBytes(junk, bareFrames))).toEqual({ format: 'mp3', sampleRate: 24000, channels: 1 });
    }
    // Bytes in hand that stop inside the frames found: wait for the rest.
    expect(probeFormat(concatBytes(new Uint8Array(700), bareFrames).subarray(0, 800))).toBe('need-more');
    // Past 4 KB of junk it is not audio, as before.
    expect(probeFormat(concatBytes(noise, new Uint8Array(4096), bareFrames))).toBeNull();
  });
});

describe('raw PCM', () => {
  const pcm = readFixture('speech-24k.pcm');

  it('is assumed only when asked for, at the rate the content type gives', () => {
    expect(probeFormat(pcm, { requested: 'pcm' })).toEqual({ format: 'pcm', sampleRate: 24000, channels: 1 });
    expect(probeFormat(pcm, { contentType: 'audio/pcm;rate=44100' })).toEqual({ format: 'pcm', sampleRate: 44100, channels: 1 });
    expect(probeFormat(pcm, { contentType: 'audio/L16; rate=16000; channels=2' })).toEqual({ format: 'pcm', sampleRate: 16000, channels: 2, bigEndian: true });
    expect(probeFormat(pcm, { requested: 'pcm', contentType: 'audio/pcm', pcmSampleRate: 22050 })).toEqual({ format: 'pcm', sampleRate: 22050, channels: 1 });
    expect(probeFormat(pcm, { requested: 'pcm', contentType: 'audio/pcm;rate=12', pcmSampleRate: 22050 })).toMatchObject({ sampleRate: 22050 });
    // Not asked for: unknown bytes are not audio once 4 KB have not matched anything.
    expect(probeFormat(pcm.subarray(0, 1000), { requested: 'mp3', contentType: 'audio/mpeg' })).toBe('need-more');
    expect(probeFormat(pcm, { requested: 'mp3', contentType: 'audio/mpeg' })).toBeNull();
  });

  it('is not taken for text when it happens to start with < or {, nor for MP3 on one sync word', () => {
    for (const first of [0x3c, 0x7b, 0x5b, 0x20]) {
      const bytes = pcm.slice(0, 4096);
      bytes[0] = first;
      expect(probeFormat(bytes, { requested: 'pcm' })).toMatchObject({ format: 'pcm' });
    }
    // A valid MPEG header (MPEG-2 layer III, 64 kbit/s, 24 kHz) whose next frame is not there.
    const bytes = pcm.slice(0, 4096);
    bytes.set([0xff, 0xf3, 0x84, 0xc4]);
    expect(probeFormat(bytes.subarray(0, 100), { requested: 'pcm' })).toBe('need-more');
    expect(probeFormat(bytes, { requested: 'pcm' })).toMatchObject({ format: 'pcm' });
  });
});

describe('what is not audio', () => {
  it.each([
    ['an HTML error page', NOT_AUDIO.html],
    ['a JSON error', NOT_AUDIO.json],
    ['a short JSON error', new TextEncoder().encode('{"error":"rate limited"}')],
    ['an HTML page after a BOM and blank lines', concatBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x0a, 0x0a]), NOT_AUDIO.html)],
    ['plain text', new TextEncoder().encode('Internal Server Error: upstream timed out while reading the response header. '.repeat(3))],
  ])('%s is null, whatever was asked for or labelled', (_, body) => {
    expect(probeFormat(body)).toBeNull();
    expect(probeFormat(body, { requested: 'pcm', contentType: 'audio/pcm;rate=24000' })).toBeNull();
    expect(probeFormat(body, { requested: 'mp3', contentType: 'audio/mpeg' })).toBeNull();
  });

  it('refuses RIFF that is not WAVE and Ogg that is neither Opus nor Vorbis', () => {
    const avi = readFixture('speech-24k.wav').slice(0, 64);
    avi.set(new TextEncoder().encode('AVI '), 8);
    expect(probeFormat(avi)).toBeNull();
    const speex = readFixture('speech.opus').slice(0, 200);
    speex.set(new TextEncoder().encode('Speex   '), 28);
    expect(probeFormat(speex)).toBeNull();
    // A Vorbis identification header that no decoder could open is not Vorbis to play.
    const vorbis = readFixture('speech.opus').slice(0, 200);
    vorbis.set(new TextEncoder().encode('\x01vorbis\0'), 28);
    expect(probeFormat(vorbis)).toBeNull();
  });

  it('names AAC in LATM/LOAS (ffmpeg\'s -f latm), and does not take it for PCM', () => {
    const latm = readFixture('speech.latm');
    expect(unplayableAudio(latm)).toBe('AAC in LATM/LOAS');
    expect(probeFormat(latm, { requested: 'pcm' })).toBeNull();
    expect(unplayableAudio(readFixture('speech-24k.pcm'))).toBeNull();
  });

  it('names Sony Wave64 (sox\'s W64), and does not take it for PCM', () => {
    const w64 = readFixture('speech.w64');
    expect(probeFormat(w64)).toBeNull();
    expect(probeFormat(w64, { requested: 'pcm', contentType: 'audio/pcm' })).toBeNull();
    expect(unplayableAudio(w64)).toBe('Sony Wave64 (W64)');
  });

  it.each([
    ['ac3', '48000', 'AC-3 (Dolby Digital)'],
    ['ac3', '44100', 'AC-3 (Dolby Digital)'],
    ['ac3', '32000', 'AC-3 (Dolby Digital)'],
    ['eac3', '48000', 'E-AC-3 (Dolby Digital Plus)'],
    ['wma', '44100', 'Windows Media Audio (ASF)'],
    ['dts', '48000', 'DTS'],
    ['wv', '24000', 'WavPack'],
  ])('names %s at %s Hz as ffmpeg writes it, and does not take it for PCM', (extension, rate, name) => {
    const out = join(mkdtempSync(join(tmpdir(), 'utter-probe-')), `speech.${extension}`);
    const codec = { ac3: ['-c:a', 'ac3'], eac3: ['-c:a', 'eac3'], wma: ['-c:a', 'wmav2', '-f', 'asf'], dts: ['-strict', '-2', '-c:a', 'dca'], wv: ['-c:a', 'wavpack'] }[extension]!;
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(FIXTURES, 'speech-24k.wav'), '-ar', rate, ...codec, out]);
    const bytes = new Uint8Array(readFileSync(out));
    rmSync(dirname(out), { recursive: true });
    expect(unplayableAudio(bytes)).toBe(name);
    expect(probeFormat(bytes, { requested: 'pcm' })).toBeNull();
  });

  it('takes raw PCM that begins with the AC-3 sync word for PCM: the next frame must follow where the first ends', () => {
    const pcm = readFixture('speech-24k.pcm').slice();
    pcm.set([0x0b, 0x77, 0x61, 0xe2, 0x0c, 0x40]);
    expect(unplayableAudio(pcm)).toBeNull();
    expect(probeFormat(pcm, { requested: 'pcm' })).toMatchObject({ format: 'pcm' });
  });

  it('names a free-format MP3 (after its frames prove it), and does not take it for PCM', () => {
    const free = readFixture('speech-freeformat.mp3');
    expect(probeFormat(free.subarray(0, 2000))).toBe('need-more');
    expect(probeFormat(free)).toBeNull();
    expect(unplayableAudio(free)).toBe('free-format MP3');
    expect(unplayableAudio(concatBytes(readFixture('sentence-ffmpeg.mp3').subarray(0, id3Length(readFixture('sentence-ffmpeg.mp3'))), free))).toBe('free-format MP3');
    expect(probeFormat(free, { requested: 'pcm' })).toBeNull();
    expect(unplayableAudio(readFixture('sentence.mp3'))).toBeNull();
  });

  it('says need-more for unknown bytes up to 4 KB, then gives up', () => {
    const noise = new Uint8Array(5000).map((_, i) => (i * 131 + 7) & 0xff);
    expect(probeFormat(noise.subarray(0, 3))).toBe('need-more');
    expect(probeFormat(noise.subarray(0, 4000))).toBe('need-more');
    expect(probeFormat(noise)).toBeNull();
  });
});
