import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpeechError } from '../../electron/engine/errors';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { saveAudio } from '../../electron/save/save-audio';
import { describeWriteError, SaveError } from '../../electron/save/save-error';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { startTtsServer, toneAudio, type TtsServer } from '../support/tts-server';
import { ffprobe } from './ffmpeg';

/** The file appears whole or not at all, an existing one is kept unless replaced whole, and a long save leaves the loop free. */
const dir = mkdtempSync(join(tmpdir(), 'utter-save-atomic-'));
let server: TtsServer;
let settings: Settings;
const provider = (): OpenAiProvider => new OpenAiProvider({ ...settings, voice: 'alloy' });
const TEXT = 'The first sentence is here. A second one follows it. And a third ends the text.';
/** Hidden temporaries left in the folder. */
const leftovers = (): string[] => readdirSync(dir).filter((name) => name.startsWith('.'));

beforeAll(async () => {
  // Ten seconds of tone per segment, sent at once: the encoding, not the network, takes the time.
  server = await startTtsServer({ audio: { pcm: toneAudio(10) } });
  settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url], format: 'pcm' };
});
afterAll(() => server.close());

describe('saving atomically', () => {
  it('a provider failing mid-text leaves no file and an existing one untouched', async () => {
    const out = join(dir, 'failed.mp3');
    writeFileSync(out, 'precious');
    server.enqueue({}, { status: 400, message: 'no such voice' });
    const failure = await saveAudio(TEXT, { settings, provider: provider(), out, overwrite: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SpeechError);
    expect((failure as SpeechError).message).toMatch(/no such voice/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(leftovers()).toEqual([]);
  });

  it('a cancel while encoding leaves no file', async () => {
    const out = join(dir, 'cancelled.opus');
    const stop = new AbortController();
    const failure = await saveAudio(TEXT, {
      settings,
      provider: provider(),
      out,
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.phase === 'encoding' && progress.done > 2) stop.abort();
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SpeechError);
    expect((failure as SpeechError).kind).toBe('cancelled');
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('a cancel while the speech comes leaves no file', async () => {
    const out = join(dir, 'cancelled-early.wav');
    const stop = new AbortController();
    const saving = saveAudio(TEXT, { settings, provider: provider(), out, signal: stop.signal, onProgress: () => stop.abort() });
    await expect(saving).rejects.toMatchObject({ kind: 'cancelled' });
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('refuses an existing file unless told to overwrite, and a name it cannot write', async () => {
    const out = join(dir, 'kept.wav');
    writeFileSync(out, 'precious');
    await expect(saveAudio(TEXT, { settings, provider: provider(), out })).rejects.toThrow(/kept\.wav already exists/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    await expect(saveAudio(TEXT, { settings, provider: provider(), out: join(dir, 'x.aiff') })).rejects.toThrow(SaveError);
    await expect(saveAudio(TEXT, { settings, provider: provider(), out: join(dir, 'missing', 'x.mp3') })).rejects.toThrow(/the folder does not exist/);
  });

  it('names the file and the reason for a disk that is full or refuses', () => {
    const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
    expect(describeWriteError(errno('ENOSPC'), '/x/a.mp3')).toMatchObject({ kind: 'disk', message: 'Could not write /x/a.mp3: the disk is full (ENOSPC).' });
    expect(describeWriteError(errno('EACCES'), '/x/a.mp3')).toMatchObject({ message: 'Could not write /x/a.mp3: permission denied (EACCES).' });
    expect(describeWriteError(errno('EROFS'), '/x/a.mp3')).toMatchObject({ message: 'Could not write /x/a.mp3: the disk is read-only (EROFS).' });
    // Not a file system error: passed on as it is.
    const other = new SpeechError('network', 'reset');
    expect(describeWriteError(other, '/x/a.mp3')).toBe(other);
  });

  it('encodes a long text in slices: the event loop is never held for long, and progress counts seconds', async () => {
    const out = join(dir, 'long.mp3');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    const seconds: number[] = [];
    let encodingFrom = 0;
    delay.enable();
    const report = await saveAudio(TEXT, {
      settings,
      provider: provider(),
      out,
      onProgress: (p) => {
        if (p.phase !== 'encoding') return;
        encodingFrom ||= performance.now();
        seconds.push(p.done);
      },
    });
    const encodingMs = performance.now() - encodingFrom;
    delay.disable();
    const worstMs = delay.max / 1e6;
    console.log(`save: ${report.seconds} s of audio to mp3 in ${encodingMs.toFixed(0)} ms of encoding; worst event-loop delay ${worstMs.toFixed(1)} ms (p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms)`);
    const segments = report.speech.segments;
    expect(report.seconds).toBeCloseTo(10 * segments, 2);
    // The MP3 holds LAME's delay and padding too: a frame or two more.
    expect(ffprobe(out).duration - report.seconds).toBeGreaterThanOrEqual(0);
    expect(ffprobe(out).duration - report.seconds).toBeLessThan(0.15);
    expect(seconds.length).toBeGreaterThanOrEqual(report.seconds * 5);
    expect(seconds.at(-1)).toBeCloseTo(report.seconds, 3);
    // A tenth of a second of audio is a few ms of lamejs; the margin is for a shared 2-core machine.
    expect(worstMs).toBeLessThan(Math.max(200, encodingMs / 4));
  });
});
