// StreamEndCheck against real encoder output (the fixtures, and files encoded here with
// lame, ffmpeg, opusenc, flac and sox): whole streams end cleanly in any chunking; cut
// streams are caught, except at a frame boundary of a format whose framing cannot tell.
// Frame positions come from ffprobe and Ogg pages from their CRC-32, not from the code under test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamEndCheck } from '../../electron/engine/stream-end';
import type { AudioFormat } from '../../shared/audio-format';
import { crc16, crc32, crc8 } from '../../shared/decoders/crc';
import { concatBytes } from '../../shared/decoders/audio';
import { prng } from '../support/audio-files';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'generated');
const SPEECH = join(FIXTURES, 'speech-24k.wav');
const STEREO = join(FIXTURES, 'speech-stereo-44k.wav');

const work = mkdtempSync(join(tmpdir(), 'utter-stream-end-'));
const at = (name: string): string => join(work, name);
const tool = (command: string, args: string[], input?: Buffer): Buffer =>
  execFileSync(command, args, { input, maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
const ffmpeg = (...args: string[]): Buffer => tool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

interface Spec {
  name: string;
  format: AudioFormat;
  /** Writes the file; fixtures are read as they are. */
  make?: (out: string) => void;
}

const fixture = (name: string): Spec => ({ name, format: extensionFormat(name) });
const SPECS: Spec[] = [
  ...['speech', 'sentence', 'long'].flatMap((n) => ['mp3', 'opus', 'flac', 'aac'].map((e) => fixture(`${n}.${e}`))),
  ...['speech-stereo.mp3', 'speech-stereo.opus', 'speech-stereo.flac', 'speech-bigpages.opus', 'speech-24bit.flac'].map(fixture),
  // MP3: with and without Xing/Info, CBR and VBR, MPEG-1, 2 and 2.5, tags before and after.
  { name: 'lame -t (no Info frame).mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '-t', '-b', '64', SPEECH, o]) },
  { name: 'lame --cbr 128 stereo 44.1 kHz.mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '--cbr', '-b', '128', STEREO, o]) },
  { name: 'lame -V5 (Xing).mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '-V5', SPEECH, o]) },
  { name: 'lame 16 kHz (MPEG-2).mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '-b', '32', at('16k.wav'), o]) },
  { name: 'lame 8 kHz (MPEG-2.5).mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '-b', '16', at('8k.wav'), o]) },
  { name: 'lame ID3v2 and ID3v1.mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '--add-id3v2', '--tt', 'Utter', '--ta', 'Test', SPEECH, o]) },
  { name: 'lame sine 48 kHz stereo VBR.mp3', format: 'mp3', make: (o) => tool('lame', ['--quiet', '-V2', at('sine.wav'), o]) },
  { name: 'ffmpeg libmp3lame (ID3v2, Info).mp3', format: 'mp3', make: (o) => ffmpeg('-i', SPEECH, '-c:a', 'libmp3lame', '-b:a', '64k', o) },
  { name: 'ffmpeg libmp3lame VBR.mp3', format: 'mp3', make: (o) => ffmpeg('-i', SPEECH, '-c:a', 'libmp3lame', '-q:a', '4', o) },
  { name: 'ffmpeg libmp3lame to a pipe (no Xing).mp3', format: 'mp3', make: (o) => writeFileSync(o, ffmpeg('-i', SPEECH, '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', 'pipe:1')) },
  { name: 'ffmpeg libmp3lame ID3v1.mp3', format: 'mp3', make: (o) => ffmpeg('-i', SPEECH, '-c:a', 'libmp3lame', '-write_id3v1', '1', '-metadata', 'title=Utter', o) },
  { name: 'ffmpeg libshine.mp3', format: 'mp3', make: (o) => ffmpeg('-i', STEREO, '-c:a', 'libshine', o) },
  // AAC in ADTS.
  { name: 'ffmpeg aac to a pipe.aac', format: 'aac', make: (o) => writeFileSync(o, ffmpeg('-i', SPEECH, '-c:a', 'aac', '-b:a', '64k', '-f', 'adts', 'pipe:1')) },
  { name: 'ffmpeg aac stereo MPEG-2 id.aac', format: 'aac', make: (o) => ffmpeg('-i', STEREO, '-c:a', 'aac', '-b:a', '128k', '-f', 'adts', '-write_mpeg2', '1', o) },
  { name: 'ffmpeg aac ID3v2 and APE.aac', format: 'aac', make: (o) => ffmpeg('-i', SPEECH, '-c:a', 'aac', '-b:a', '64k', '-f', 'adts', '-write_id3v2', '1', '-write_apetag', '1', '-metadata', 'title=Utter', o) },
  // An APE tag (as ffmpeg writes it after ADTS) and an ID3v1 tag (as lame writes it) after lame's frames.
  { name: 'lame + APE + ID3v1.mp3', format: 'mp3', make: (o) => writeFileSync(o, concatBytes(read(at('lame -t (no Info frame).mp3')), apeTag(), read(at('lame ID3v2 and ID3v1.mp3')).subarray(-128))) },
  // Ogg Opus from both encoders, to files and to pipes.
  { name: 'opusenc default (1 s pages).opus', format: 'opus', make: (o) => tool('opusenc', ['--quiet', SPEECH, o]) },
  { name: 'opusenc to a pipe.opus', format: 'opus', make: (o) => writeFileSync(o, tool('opusenc', ['--quiet', '--max-delay', '20', '-', '-'], readFileSync(SPEECH))) },
  { name: 'opusenc sine stereo.opus', format: 'opus', make: (o) => tool('opusenc', ['--quiet', at('sine.wav'), o]) },
  { name: 'ffmpeg libopus.opus', format: 'opus', make: (o) => ffmpeg('-i', SPEECH, '-c:a', 'libopus', '-b:a', '32k', o) },
  { name: 'ffmpeg libopus to a pipe.opus', format: 'opus', make: (o) => writeFileSync(o, ffmpeg('-i', SPEECH, '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg', 'pipe:1')) },
  { name: 'ffmpeg native opus encoder.opus', format: 'opus', make: (o) => ffmpeg('-i', SPEECH, '-strict', '-2', '-c:a', 'opus', '-ar', '48000', '-b:a', '32k', o) },
  // FLAC with and without the total sample count.
  { name: 'ffmpeg flac (total known).flac', format: 'flac', make: (o) => ffmpeg('-i', SPEECH, '-c:a', 'flac', o) },
  { name: 'ffmpeg flac to a pipe (total 0).flac', format: 'flac', make: (o) => writeFileSync(o, ffmpeg('-i', SPEECH, '-c:a', 'flac', '-f', 'flac', 'pipe:1')) },
  { name: 'flac raw stdin to stdout (total 0).flac', format: 'flac', make: (o) => writeFileSync(o, flacFromPipe(SPEECH)) },
  { name: 'flac sine stereo 48 kHz.flac', format: 'flac', make: (o) => tool('flac', ['--silent', '--force', '-o', o, at('sine.wav')]) },
  // No encoder here writes variable block sizes: ffmpeg's frames renumbered by sample, checked by `flac -t`.
  { name: 'variable block size (from ffmpeg flac).flac', format: 'flac', make: (o) => writeFileSync(o, variableBlockSize(read(at('ffmpeg flac (total known).flac')))) },
];

/** Each stream's bytes and where its framing lets it end, from tools other than the code under test. */
interface Stream extends Spec {
  bytes: Uint8Array;
  /** Where the stream may end as far as its framing says (frame/page starts, tag ends). */
  boundaries: number[];
  /** Where the audio ends: after it only tags, whose loss loses no audio. */
  audioEnd: number;
  /** FLAC: where the frames start, and STREAMINFO's total samples (0: unknown). */
  audioStart: number;
  total: number;
}
const streams = new Map<string, Stream>();

beforeAll(() => {
  tool('sox', ['-q', SPEECH, '-r', '16000', at('16k.wav')]);
  tool('sox', ['-q', SPEECH, '-r', '8000', at('8k.wav')]);
  tool('sox', ['-q', '-n', '-r', '48000', '-c', '2', '-b', '16', at('sine.wav'), 'synth', '3', 'sine', '440', 'sine', '660']);
  for (const spec of SPECS) {
    const file = spec.make ? at(spec.name) : join(FIXTURES, spec.name);
    spec.make?.(file);
    streams.set(spec.name, { ...spec, ...layout(spec.format, file) });
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a whole stream', () => {
  for (const spec of SPECS) {
    it(`${spec.name}: ends cleanly in any chunking`, () => {
      const { format, bytes } = streams.get(spec.name)!;
      for (const chunk of [1, 2, 3, 5, 64, 1000, 4096, bytes.length]) expect(check(format, bytes, chunk), `chunks of ${chunk}`).toBeNull();
      const random = prng(bytes.length);
      for (let k = 0; k < 5; k++) expect(check(format, bytes, () => 1 + Math.floor(random() * 9000))).toBeNull();
    });
  }
});

describe('a stream cut short', () => {
  for (const spec of SPECS) {
    it(`${spec.name}: is caught wherever its framing can tell`, () => {
      const stream = streams.get(spec.name)!;
      const random = prng(stream.bytes.length + 1);
      for (const cut of cutPoints(stream)) {
        const reason = check(stream.format, stream.bytes.subarray(0, cut), () => 1 + Math.floor(random() * 5000));
        if (detectable(stream, cut)) expect(reason, `cut at ${cut} of ${stream.bytes.length}`).toMatch(/\w/);
        else expect(reason, `cut at ${cut} of ${stream.bytes.length}`).toBeNull();
      }
    });
  }

  it('names what was cut', () => {
    const mp3 = streams.get('speech.mp3')!.bytes; // 192-byte frames
    expect(check('mp3', mp3.subarray(0, 192 * 10 + 50), 4096)).toBe('its last MP3 frame has 50 of 192 bytes');
    expect(check('mp3', mp3.subarray(0, 192 * 10 + 2), 4096)).toBe('it ends 2 bytes into an MP3 frame header');
    const opus = streams.get('speech.opus')!;
    expect(check('opus', opus.bytes.subarray(0, opus.boundaries[5]), 4096)).toBe('no Ogg end-of-stream page');
    const flac = streams.get('speech.flac')!; // 4096-sample frames, 190,472 samples
    expect(check('flac', flac.bytes.subarray(0, flac.boundaries[10]), 4096)).toBe('its FLAC header announces 190,472 samples and the frames end at 40,960');
    expect(check('flac', flac.bytes.subarray(0, flac.boundaries[10] - 1), 4096)).toBe('its last FLAC frame fails its checksum');
  });
});

describe('Opus in WebM', () => {
  const WEBM = ['speech-opus.webm', 'speech-live-opus.webm', 'speech-stereo-opus.webm'];
  /** Each packet's payload offset and size, from ffprobe. */
  const packets = (name: string): { pos: number; size: number }[] =>
    String(tool('ffprobe', ['-v', 'error', '-show_entries', 'packet=pos,size', '-of', 'csv=p=0', join(FIXTURES, name)]))
      .trim()
      .split('\n')
      .map((line) => line.split(',').map(Number))
      .map(([size, pos]) => ({ pos, size }));

  it('a whole stream ends cleanly in any chunking', () => {
    for (const name of WEBM) {
      const bytes = read(join(FIXTURES, name));
      for (const chunk of [1, 2, 3, 5, 64, 1000, 4096, bytes.length]) expect(check('opus', bytes, chunk), `${name} in chunks of ${chunk}`).toBeNull();
    }
  });

  it('a stream cut inside a block is caught, and says so', () => {
    for (const name of WEBM) {
      const bytes = read(join(FIXTURES, name));
      const random = prng(bytes.length);
      for (const { pos, size } of packets(name).filter((_, i) => i % 25 === 1)) {
        for (const cut of [pos + 1, pos + Math.floor(size / 2), pos + size - 1]) {
          expect(check('opus', bytes.subarray(0, cut), () => 1 + Math.floor(random() * 3000)), `${name} cut at ${cut}`).toMatch(/^its last WebM block has [\d,]+ of [\d,]+ bytes$/);
        }
      }
    }
  });
});

describe('what no framing can tell', () => {
  it('a cut at an MP3 or ADTS frame boundary, or at a FLAC one when STREAMINFO has no total, looks like the end', () => {
    for (const name of ['ffmpeg libmp3lame to a pipe (no Xing).mp3', 'ffmpeg aac to a pipe.aac', 'ffmpeg flac to a pipe (total 0).flac']) {
      const { format, bytes, boundaries } = streams.get(name)!;
      expect(check(format, bytes.subarray(0, boundaries[10]), 4096), name).toBeNull();
      expect(check(format, bytes.subarray(0, boundaries[10] + 1), 4096), name).toMatch(/\w/);
    }
  });
});

describe('what the encoders write', () => {
  it('every Ogg Opus encoder here sets end-of-stream on its last page, and only there', () => {
    for (const stream of [...streams.values()].filter((s) => s.format === 'opus')) {
      const pages = oggPages(stream.bytes);
      const ends = pages.flatMap((page, index) => (page.flags & 4 ? [index] : []));
      expect(ends, stream.name).toEqual([pages.length - 1]);
    }
  });

  it('FLAC total samples: set by flac and by ffmpeg on a file, 0 when either writes to a pipe', () => {
    expect(streams.get('speech.flac')!.total).toBe(190472);
    expect(streams.get('ffmpeg flac (total known).flac')!.total).toBe(190472);
    expect(streams.get('ffmpeg flac to a pipe (total 0).flac')!.total).toBe(0);
    expect(streams.get('flac raw stdin to stdout (total 0).flac')!.total).toBe(0);
  });
});

describe('streams sent one after another in one body', () => {
  it('files back to back (each with its own tags, or its own Ogg stream) end cleanly; a cut in the second is caught', () => {
    for (const [format, name] of [
      ['mp3', 'ffmpeg libmp3lame to a pipe (no Xing).mp3'],
      ['mp3', 'lame ID3v2 and ID3v1.mp3'],
      ['aac', 'ffmpeg aac ID3v2 and APE.aac'],
      ['opus', 'ffmpeg libopus to a pipe.opus'],
    ] as const) {
      const one = streams.get(name)!;
      const two = concatBytes(one.bytes, one.bytes);
      const second = one.boundaries[3];
      expect(check(format, two, 4096), name).toBeNull();
      expect(check(format, two.subarray(0, one.bytes.length), 4096), name).toBeNull();
      expect(check(format, two.subarray(0, one.bytes.length + second + 1), 4096), name).toMatch(/\w/);
    }
  });
});

describe('sync lost', () => {
  const junk = new TextEncoder().encode('<html><body>502 Bad Gateway</body></html>\n'.repeat(3));

  it('junk between frames makes the end unknown, not a cut', () => {
    for (const name of ['speech.mp3', 'speech.aac', 'speech.opus', 'speech.flac', 'lame ID3v2 and ID3v1.mp3']) {
      const { format, bytes, boundaries } = streams.get(name)!;
      const middle = boundaries[boundaries.length >> 1];
      const damaged = concatBytes(bytes.subarray(0, middle), junk, bytes.subarray(middle, bytes.length - 100));
      expect(check(format, damaged, 4096), name).toBeNull();
    }
  });

  it('junk after whole MP3, AAC and Ogg frames is unknown; after FLAC frames it reads as a cut frame (no length field)', () => {
    for (const name of ['speech.mp3', 'speech.aac', 'speech.opus', 'speech.flac']) {
      const { format, bytes } = streams.get(name)!;
      const reason = check(format, concatBytes(bytes, junk), 4096);
      if (format === 'flac') expect(reason).toBe('its last FLAC frame fails its checksum');
      else expect(reason, name).toBeNull();
    }
  });

  it('a header of another stream among MP3 frames is a chance sync word, not a frame to wait for', () => {
    const { bytes, boundaries } = streams.get('speech.mp3')!; // MPEG-2, 24 kHz
    const mpeg1 = Uint8Array.of(0xff, 0xfb, 0x94, 0xc4, ...junk); // MPEG-1, 48 kHz (same rate code): 384 bytes
    const at16k = Uint8Array.of(0xff, 0xf3, 0x98, 0xc4, ...junk); // MPEG-2, 16 kHz: 360 bytes
    expect(check('mp3', concatBytes(bytes.subarray(0, boundaries[50]), mpeg1), 4096)).toBeNull();
    expect(check('mp3', concatBytes(bytes.subarray(0, boundaries[50]), at16k), 4096)).toBeNull();
  });

  it('never throws on random bytes or damaged real files', () => {
    const random = prng(7);
    const formats: AudioFormat[] = ['mp3', 'aac', 'opus', 'flac', 'wav', 'pcm'];
    const real = ['speech.mp3', 'speech.aac', 'speech.opus', 'speech.flac', 'ffmpeg aac ID3v2 and APE.aac', 'lame + APE + ID3v1.mp3'].map((n) => streams.get(n)!);
    const chunks = (): number => 1 + Math.floor(random() * 3000);
    for (let k = 0; k < 3000; k++) {
      const bytes = new Uint8Array(Math.floor(random() * 3000)).map(() => Math.floor(random() * 256));
      // Half of them start like the format, so the walkers get past their first header.
      const start = real[k % 4].bytes.subarray(0, Math.floor(random() * 600));
      const format = k % 2 ? formats[k % formats.length] : real[k % 4].format;
      const result = check(format, k % 2 ? bytes : concatBytes(start, bytes), chunks);
      expect(result === null || typeof result === 'string').toBe(true);
    }
    for (let k = 0; k < 600; k++) {
      const { format, bytes } = real[k % real.length];
      const result = check(format, mutate(bytes, random), chunks);
      expect(result === null || typeof result === 'string').toBe(true);
    }
  });
});

describe('cost', () => {
  /** About 10 MB of each format: Ogg and ADTS and MP3 streams chain, FLAC is 60 s of noise. */
  const big = (format: AudioFormat): Uint8Array => {
    if (format === 'flac') {
      tool('sox', ['-q', '-n', '-r', '44100', '-c', '2', '-b', '16', at('noise.wav'), 'synth', '60', 'whitenoise', 'vol', '0.5']);
      tool('flac', ['--silent', '--force', '-0', '-o', at('noise.flac'), at('noise.wav')]);
      return read(at('noise.flac'));
    }
    const one = streams.get(`long.${format}`)!.bytes;
    return concatBytes(...Array.from({ length: Math.ceil(10e6 / one.length) }, () => one));
  };

  for (const format of ['mp3', 'aac', 'opus', 'flac'] as const) {
    it(`${format}: 10 MB in 4 KB chunks takes well under 100 ms and little memory`, () => {
      const bytes = big(format);
      expect(bytes.length).toBeGreaterThan(10e6);
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const started = performance.now();
        expect(check(format, bytes, 4096)).toBeNull();
        best = Math.min(best, performance.now() - started);
      }
      expect(best).toBeLessThan(100);
      // What it keeps does not grow with the stream: chunks are views of `bytes`, so any new
      // ArrayBuffer memory is the checker's own.
      const before = process.memoryUsage().arrayBuffers;
      let most = 0;
      const check10 = new StreamEndCheck(format);
      for (let i = 0; i < bytes.length; i += 4096) {
        check10.push(bytes.subarray(i, i + 4096));
        if (i % (1 << 20) === 0) most = Math.max(most, process.memoryUsage().arrayBuffers - before);
      }
      expect(check10.cutShort()).toBeNull();
      expect(most).toBeLessThan(2 << 20);
    });
  }
});

/** Pushes `bytes` in chunks of a fixed or generated size, then asks. */
function check(format: AudioFormat, bytes: Uint8Array, chunk: number | (() => number)): string | null {
  const checker = new StreamEndCheck(format);
  for (let i = 0; i < bytes.length; ) {
    const n = typeof chunk === 'number' ? chunk : chunk();
    checker.push(bytes.subarray(i, i + n));
    i += n;
  }
  return checker.cutShort();
}

/** Whether a cut after `cut` bytes can be told from a whole stream. */
function detectable(s: Stream, cut: number): boolean {
  if (cut === 0 || cut >= s.audioEnd) return false; // nothing sent, or only a trailing tag lost
  // Ogg: every page but the last leaves the stream without its end-of-stream page.
  if (s.format === 'opus') return true;
  if (s.format === 'flac') {
    // A frame whose CRC-16 ends in a zero byte, cut just before that byte, still closes: the
    // CRC of the rest is the frame's last byte and the CRC's first (a property of CRCs, met
    // by 1 frame in 256). Nothing is lost but that zero, and only a total could tell.
    const frameEnd = cut + 1 === s.audioEnd || s.boundaries.includes(cut + 1);
    if (cut >= s.audioStart && frameEnd && s.bytes[cut] === 0 && (s.total === 0 || cut + 1 === s.audioEnd)) return false;
    // At a frame start only the total samples tell; the metadata must be whole.
    return cut < s.audioStart || !s.boundaries.includes(cut) || s.total > 0;
  }
  // MP3 and ADTS: a frame (or tag) boundary is a valid end.
  return !s.boundaries.includes(cut);
}

/** 20 evenly spaced cuts, and cuts around frame boundaries and in the first headers. */
function cutPoints(s: Stream): number[] {
  const n = s.bytes.length;
  const cuts = new Set<number>([1, 2, 3, 4, 5, 9, 10, 11, 27, 28, n - 1, n - 2, n - 3]);
  for (let k = 1; k <= 20; k++) cuts.add(Math.round((k * n) / 21));
  const b = s.boundaries;
  const some = [0, 1, 2, b.length - 3, b.length - 2, b.length - 1, ...Array.from({ length: 12 }, (_, k) => Math.round(((k + 1) * b.length) / 13))];
  for (const index of some) for (const offset of [-1, 0, 1, 2, 3]) cuts.add(b[Math.max(0, Math.min(b.length - 1, index))] + offset);
  return [...cuts].filter((cut) => cut > 0 && cut < n).sort((x, y) => x - y);
}

function layout(format: AudioFormat, file: string): Omit<Stream, keyof Spec> {
  const bytes = read(file);
  if (format === 'opus') {
    const pages = oggPages(bytes);
    return { bytes, boundaries: pages.map((page) => page.start), audioStart: 0, audioEnd: bytes.length, total: 0 };
  }
  const packets = ffprobePackets(file);
  for (let k = 1; k < packets.length; k++) expect(packets[k].pos).toBe(packets[k - 1].pos + packets[k - 1].size);
  const audioStart = packets[0].pos;
  const audioEnd = packets[packets.length - 1].pos + packets[packets.length - 1].size;
  // MP3 and ADTS may also end right after an ID3v2 tag, or after the Xing/Info frame that ffprobe does not list.
  const tagEnd = id3End(bytes);
  const boundaries = [...new Set([...(format === 'flac' ? [] : [tagEnd]), ...packets.map((p) => p.pos), audioEnd])].sort((x, y) => x - y);
  const total = format === 'flac' ? Number(tool('metaflac', ['--show-total-samples', file]).toString().trim()) : 0;
  return { bytes, boundaries, audioStart, audioEnd, total };
}

function ffprobePackets(file: string): { pos: number; size: number }[] {
  const out = tool('ffprobe', ['-v', 'error', '-show_entries', 'packet=pos,size', '-of', 'json', file]).toString();
  return (JSON.parse(out) as { packets: { pos: string; size: string }[] }).packets.map((p) => ({ pos: Number(p.pos), size: Number(p.size) }));
}

/** Ogg pages, each one's CRC-32 checked (so the walk is right). */
function oggPages(b: Uint8Array): { start: number; flags: number }[] {
  const pages: { start: number; flags: number }[] = [];
  for (let p = 0; p < b.length; ) {
    expect(String.fromCharCode(...b.subarray(p, p + 4))).toBe('OggS');
    let length = 27 + b[p + 26];
    for (let k = 0; k < b[p + 26]; k++) length += b[p + 27 + k];
    const stored = (b[p + 22] | (b[p + 23] << 8) | (b[p + 24] << 16) | (b[p + 25] << 24)) >>> 0;
    expect(crc32(b, p, p + length, p + 22)).toBe(stored);
    pages.push({ start: p, flags: b[p + 5] });
    p += length;
  }
  return pages;
}

function id3End(b: Uint8Array): number {
  if (String.fromCharCode(...b.subarray(0, 3)) !== 'ID3') return 0;
  return 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]) + (b[5] & 0x10 ? 10 : 0);
}

/** The APE tag (header, items, footer) that ffmpeg writes after ADTS frames. */
function apeTag(): Uint8Array {
  const aac = read(at('ffmpeg aac ID3v2 and APE.aac'));
  const start = Buffer.from(aac).indexOf('APETAGEX');
  expect(aac[start + 23] & 0x20).toBe(0x20); // a header comes first
  return aac.subarray(start);
}

/** FLAC as a server streams it: raw samples in, no length known, nothing rewritten at the end. */
function flacFromPipe(wav: string): Buffer {
  const raw = tool('sox', ['-q', wav, '-t', 'raw', '-']);
  return tool('flac', ['--silent', '--force-raw-format', '--endian=little', '--sign=signed', '--channels=1', '--bps=16', '--sample-rate=24000', '-o', '-', '-'], raw);
}

/**
 * The same frames marked variable-blocksize: each header codes its first sample instead of
 * its frame number, with CRC-8 and CRC-16 redone; `flac -t` decodes the result.
 */
function variableBlockSize(b: Uint8Array): Uint8Array {
  const file = at('fixed.flac');
  writeFileSync(file, b);
  const packets = ffprobePackets(file);
  const parts: Uint8Array[] = [b.subarray(0, packets[0].pos)];
  let sample = 0;
  for (const { pos, size } of packets) {
    const frame = b.subarray(pos, pos + size);
    const blockCode = frame[2] >> 4;
    const rateCode = frame[2] & 15;
    const lead = frame[4];
    const coded = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf8 ? 4 : lead < 0xfc ? 5 : lead < 0xfe ? 6 : 7;
    const tail = (blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0) + (rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0);
    const header = [0xff, 0xf9, frame[2], frame[3], ...codedNumber(sample), ...frame.subarray(4 + coded, 4 + coded + tail)];
    const body = frame.subarray(4 + coded + tail + 1, size - 2);
    const rebuilt = concatBytes(Uint8Array.from(header), Uint8Array.of(crc8(Uint8Array.from(header), 0, header.length)), body, new Uint8Array(2));
    const crc = crc16(rebuilt, 0, rebuilt.length - 2);
    rebuilt.set([crc >> 8, crc & 0xff], rebuilt.length - 2);
    parts.push(rebuilt);
    sample += blockCode === 1 ? 192 : blockCode <= 5 ? 576 << (blockCode - 2) : blockCode >= 8 ? 256 << (blockCode - 8) : Number.NaN;
  }
  const out = concatBytes(...parts);
  writeFileSync(at('variable.flac'), out);
  tool('flac', ['--silent', '-t', at('variable.flac')]);
  return out;
}

/** FLAC's UTF-8-like coded number: a lead byte marking k continuation bytes of 6 bits each. */
function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  let k = 1;
  while (n >= 2 ** (5 * k + 6)) k++;
  const rest: number[] = [];
  for (let j = 0; j < k; j++) {
    rest.unshift(0x80 | (n % 64));
    n = Math.floor(n / 64);
  }
  return [((0xff << (7 - k)) & 0xff) | n, ...rest];
}

/** A few random flips, cuts, insertions and copies. */
function mutate(b: Uint8Array, random: () => number): Uint8Array {
  let out: Uint8Array = b.slice();
  const pick = (): number => Math.floor(random() * out.length);
  for (let k = 1 + Math.floor(random() * 6); k > 0; k--) {
    const kind = Math.floor(random() * 5);
    const i = pick();
    const j = Math.min(out.length, i + Math.floor(random() * 2000));
    if (kind === 0) for (let m = 0; m < 20; m++) out[pick()] = Math.floor(random() * 256);
    else if (kind === 1) out = concatBytes(out.subarray(0, i), out.subarray(j));
    else if (kind === 2) out = concatBytes(out.subarray(0, i), new Uint8Array(j - i).map(() => Math.floor(random() * 256)), out.subarray(i));
    else if (kind === 3) out = concatBytes(out.subarray(0, j), out.subarray(i, j), out.subarray(j));
    else out = out.subarray(0, j);
  }
  return out;
}

function read(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

function extensionFormat(name: string): AudioFormat {
  return name.slice(name.lastIndexOf('.') + 1) as AudioFormat;
}
