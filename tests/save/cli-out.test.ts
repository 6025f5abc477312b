import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUtter } from '../support/run-utter';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';
import { readFixture } from '../support/wav-file';
import { ffprobe } from './ffmpeg';

/** `utter speak … --out FILE [--force]`, run as a user would: the real command, a real server. */
const dir = mkdtempSync(join(tmpdir(), 'utter-cli-out-'));
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
});
afterAll(() => server.close());

const utter = (args: string[]) => runUtter(args, { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'none.json') });

const speak = (out: string, ...more: string[]) => utter(['speak', 'One. Two sentences.', '--base-url', server.url, '--format', 'mp3', '--out', out, '--json', ...more]);

describe('utter speak --out', () => {
  it.each([
    ['mp3', 'mp3'],
    ['opus', 'opus'],
    ['ogg', 'opus'],
    ['wav', 'pcm_f32le'],
  ])('writes .%s as %s, the format its extension names', async (extension, codec) => {
    const out = join(dir, `out.${extension}`);
    const { code, stdout, stderr } = await speak(out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ out, format: 'mp3', outBytes: readFileSync(out).length });
    expect(ffprobe(out).codec).toBe(codec);
    expect(ffprobe(out).duration).toBeCloseTo(report.audioSeconds, 1);
  });

  it('refuses an extension it cannot write, before any request, and writes nothing', async () => {
    const before = server.speechRequests().length;
    const out = join(dir, 'out.flac');
    const { code, stderr } = await speak(out);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot write \.flac files: name the file \.mp3, \.opus, \.ogg, \.wav/);
    expect(existsSync(out)).toBe(false);
    expect(server.speechRequests().length).toBe(before);
    const bare = await speak(join(dir, 'noextension'));
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/has no extension to tell the format/);
  });

  it('refuses to replace an existing file without --force, and replaces it with --force', async () => {
    const out = join(dir, 'kept.mp3');
    writeFileSync(out, 'precious');
    const refused = await speak(out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/kept\.mp3 already exists: add --force to replace it/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const forced = await speak(out, '--force');
    expect(forced.code).toBe(0);
    expect(ffprobe(out).codec).toBe('mp3');
  });

  it('leaves no file, and an existing one untouched, when the server fails mid-text', async () => {
    const out = join(dir, 'failed.mp3');
    writeFileSync(out, 'precious');
    // The first segment comes; the second is refused (400 is not retried).
    server.enqueue({}, { status: 400, message: 'no such voice' });
    // Not from the cache, which earlier tests filled with these sentences.
    const { code, stderr } = await speak(out, '--force', '--no-cache');
    expect(code).toBe(3);
    expect(stderr).toMatch(/no such voice/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('saves a text heard before from the audio cache beside the settings, with no request; --no-cache asks again', async () => {
    const cached = () => (existsSync(join(dir, 'audio-cache')) ? readdirSync(join(dir, 'audio-cache')).length : 0);
    const entries = cached();
    const first = await utter(['speak', 'Cached once. Saved twice.', '--base-url', server.url, '--format', 'opus', '--out', join(dir, 'first.wav'), '--json']);
    expect(first.code).toBe(0);
    // Kept before the command ended: it waits for the cache's writes.
    expect(cached()).toBe(entries + 2);
    const before = server.speechRequests().length;
    const again = await utter(['speak', 'Cached once. Saved twice.', '--base-url', server.url, '--format', 'opus', '--out', join(dir, 'again.wav'), '--json']);
    expect(again.code).toBe(0);
    expect(server.speechRequests().length).toBe(before);
    expect(readFileSync(join(dir, 'again.wav')).equals(readFileSync(join(dir, 'first.wav')))).toBe(true);
    const fetched = await utter(['speak', 'Cached once. Saved twice.', '--base-url', server.url, '--format', 'opus', '--out', join(dir, 'fetched.wav'), '--no-cache']);
    expect(fetched.code).toBe(0);
    expect(server.speechRequests().length).toBe(before + 2);
  });

  it.each([
    // speech-24k.wav is 190,472 samples at 24 kHz: AIFF holds exactly that, and the end trims of
    // Opus in WebM and of Ogg give it back. Vorbis in WebM has none: every packet plays whole.
    ['Opus in WebM (as MediaRecorder and some speech services write it)', 'opus', 'speech-opus.webm', 'audio/webm', 190_472, 'WebM Opus, 48 kHz, mono'],
    ['AIFF (as macOS\'s say writes it)', 'wav', 'speech.aiff', 'audio/aiff', 190_472, 'AIFF, 24 kHz, mono'],
    ['Ogg Vorbis (as `ffmpeg -f ogg` writes it)', 'opus', 'speech-vorbis.ogg', 'audio/ogg', 190_472, 'Ogg Vorbis, 24 kHz, mono'],
    ['Vorbis in WebM (as `ffmpeg -f webm` writes it without libopus)', 'opus', 'speech-vorbis.webm', 'audio/webm', 190_848, 'WebM Vorbis, 24 kHz, mono'],
    ['Ogg FLAC (as `flac --ogg` writes it)', 'flac', 'speech-flac.oga', 'audio/ogg', 190_472, 'Ogg FLAC, 24 kHz, mono'],
  ] as const)('plays %s to the end, and says what came', async (_, format, file, contentType, samples, received) => {
    const other = await startTtsServer({ audio: { [format]: { bytes: readFixture(file), seconds: 7.9, contentType } } });
    try {
      const out = join(dir, `${file}.wav`);
      const { code, stdout, stderr } = await utter(['speak', 'Hello.', '--base-url', other.url, '--format', format, '--out', out, '--json', '--no-cache']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.audioSeconds).toBeCloseTo(samples / 24_000, 3);
      expect(report.received).toBe(received);
      expect(ffprobe(out).duration).toBeCloseTo(report.audioSeconds, 2);
    } finally {
      await other.close();
    }
  });

  it('says when the folder cannot be written', async () => {
    const { code, stderr } = await speak(join(dir, 'no-such-folder', 'out.mp3'));
    expect(code).toBe(6);
    expect(stderr).toMatch(/Could not write .*out\.mp3: the folder does not exist \(ENOENT\)/);
  });

  it('refuses --force without --out', async () => {
    const { code, stderr } = await utter(['speak', 'Hello.', '--force']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--force replaces the --out file/);
  });
});
