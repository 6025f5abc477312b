import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { speakToFile, type SpeakReport } from '../../electron/cli/speak-to-file';
import { SpeechError } from '../../electron/engine/errors';
import type { EngineEvent } from '../../shared/speech-events';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { FIXTURES, fixture, readWav, snrDb, type Pcm } from '../support/audio-files';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { fixtureAudio, startTtsServer, type ServedAudio, type TtsServer } from '../support/tts-server';
import { declaredLength } from '../../electron/engine/declared-length';
import { concatBytes } from '../../shared/decoders/audio';
import { id3Picture } from '../support/id3-tag';

const dir = mkdtempSync(join(tmpdir(), 'utter-http-'));
let server: TtsServer;
let proxy: FaultProxy;
let fileCount = 0;

beforeAll(async () => {
  server = await startTtsServer();
  proxy = await startFaultProxy(server.port);
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});
afterEach(async () => {
  server.set({ ttfbMs: 0, realtimeFactor: Infinity, audio: undefined, apiKey: undefined });
  proxy.set({ latencyMs: 0, bytesPerSecond: 0, stallAfterBytes: undefined, resetAfterBytes: undefined });
  // No request may be left open, whatever happened. Idle keep-alive
  // connections may stay: they carry no request.
  await expect.poll(() => server.openRequests(), { timeout: 2000 }).toBe(0);
});

/** References decoded by the reference decoders, and the SNR each format must reach. */
const REFERENCES: Record<Exclude<AudioFormat, 'aac'>, { file: string; minSnr: number }> = {
  pcm: { file: 'speech-24k.wav', minSnr: Infinity },
  wav: { file: 'speech-24k.wav', minSnr: Infinity },
  mp3: { file: 'speech.mp3.ref.wav', minSnr: 100 },
  opus: { file: 'speech.opus.ref.wav', minSnr: 60 },
  flac: { file: 'speech.flac.ref.wav', minSnr: Infinity },
};

async function speak(
  format: AudioFormat,
  overrides: Partial<Settings> = {},
  text = 'Hello from Utter.',
): Promise<{ report: SpeakReport; audio: Pcm; events: EngineEvent[] }> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [proxy.url], format, idleTimeoutSec: 1, ...overrides };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  const out = join(dir, `out-${fileCount++}.wav`);
  const events: EngineEvent[] = [];
  const report = await speakToFile(text, {
    settings,
    provider,
    out,
    retryPolicy: { baseDelayMs: 20, maxDelayMs: 100 },
    onEvent: (e) => events.push(e),
  });
  return { report, audio: readWav(new Uint8Array(readFileSync(out))), events };
}

function expectMatchesReference(audio: Pcm, format: keyof typeof REFERENCES): void {
  const ref = readWav(fixture(REFERENCES[format].file));
  expect(audio.sampleRate).toBe(ref.sampleRate);
  expect(audio.channels[0].length).toBe(ref.channels[0].length);
  const { snr } = snrDb(audio.channels[0], ref.channels[0]);
  if (REFERENCES[format].minSnr === Infinity) expect(snr).toBe(Infinity);
  else expect(snr).toBeGreaterThanOrEqual(REFERENCES[format].minSnr);
}

async function speechError(promise: Promise<unknown>): Promise<SpeechError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
}

describe.each(Object.keys(REFERENCES) as (keyof typeof REFERENCES)[])('%s through a real HTTP server', (format) => {
  it('writes exactly the reference decode', async () => {
    const { report, audio } = await speak(format);
    expectMatchesReference(audio, format);
    expect(report.format).toBe(format);
    expect(report.segments).toBe(1);
    expect(report.bytes).toBe(fixtureAudio(format).bytes.length);
    expect(report.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(report.firstAudioMs).toBeGreaterThanOrEqual(report.ttfbMs);
  });

  it('survives a slow server with latency, a stall past the idle timeout, and a reset mid-body', async () => {
    server.set({ realtimeFactor: 8, ttfbMs: 100 });
    proxy.set({ latencyMs: 20 });
    const slow = await speak(format);
    expectMatchesReference(slow.audio, format);

    server.enqueue({ stallAfterBytes: 2000, stallMs: 1600 });
    const stalled = await speak(format, { idleTimeoutSec: 1 });
    expectMatchesReference(stalled.audio, format);
    expect(stalled.report.retries).toBe(1);
    const retry = stalled.events.find((e) => e.type === 'retry');
    expect(retry?.type === 'retry' && retry.error.message).toMatch(/stopped sending audio for 1 s/);

    proxy.set({ resetAfterBytes: 3000 });
    const reset = await speak(format);
    expectMatchesReference(reset.audio, format);
    expect(reset.report.retries).toBe(1);
    // The retried segment replaced its partial audio: the file holds it once.
    expect(reset.events.filter((e) => e.type === 'segment-start' && e.restart).length).toBe(1);
    // The same bytes again: spliced where it was cut, not played again.
    expect(reset.report.replays).toBe(0);
  });

  it('plays a restart that brings another rendering again from its start, faded in, instead of splicing two renderings', async () => {
    // A non-deterministic model: each request for the same text is rendered anew.
    const renderings = [fixtureAudio(format, 'speech'), fixtureAudio(format, 'sentence')];
    let served = 0;
    server.set({ audio: (asked) => (asked === format ? renderings[Math.min(served++, 1)] : undefined) });
    server.enqueue({ resetAfterBytes: Math.floor(renderings[0].bytes.length / 2) });
    const { report, audio, events } = await speak(format);
    const starts = events.flatMap((e) => (e.type === 'segment-start' ? [[e.restart, e.replay === true]] : []));
    expect(starts).toEqual([[false, false], [true, true]]);
    expect(report.replays).toBe(1);
    // The file is the second rendering alone: the first one's half was taken back.
    const ref = readWav(fixture(SENTENCE_REFERENCES[format]));
    const out = audio.channels[0];
    expect(out.length).toBe(ref.channels[0].length);
    const fade = (ref.sampleRate * 10) / 1000;
    for (let i = 0; i < fade; i += 7) expect(out[i]).toBeCloseTo((ref.channels[0][i] * i) / fade, 3);
    const { snr } = snrDb(out.subarray(fade), ref.channels[0].subarray(fade));
    expect(snr).toBeGreaterThanOrEqual(Math.min(REFERENCES[format].minSnr, 100));
  });
});

const SENTENCE_REFERENCES: Record<keyof typeof REFERENCES, string> = {
  pcm: 'sentence-24k.wav',
  wav: 'sentence-24k.wav',
  mp3: 'sentence.mp3.ref.wav',
  opus: 'sentence.opus.ref.wav',
  flac: 'sentence.flac.ref.wav',
};

describe('server answers', () => {
  it('waits out 429 with Retry-After, then plays', async () => {
    server.enqueue({ status: 429, retryAfter: '1', message: 'Rate limit reached for requests' });
    const started = performance.now();
    const { events, audio } = await speak('pcm');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', delayMs: 1000, error: { kind: 'rate-limit' } });
    expectMatchesReference(audio, 'pcm');
  });

  it('gives up at once on a Retry-After longer than it waits, saying how long the server asked for', async () => {
    // An HTTP date has whole seconds: exactly a day away could read as '1 day' or 'about 1 day'
    // by the ms the date loses; 30 s more is 'about 1 day' whatever they are.
    const dayAway = new Date(Date.now() + 86_400_000 + 30_000).toUTCString();
    for (const [fault, asked] of [
      [{ status: 429, retryAfter: '86400', message: 'Slow down' }, 'in 1 day'],
      [{ status: 503, retryAfter: dayAway, message: 'Maintenance' }, 'in about 1 day'],
    ] as const) {
      server.enqueue(fault);
      const before = server.requests.length;
      const started = performance.now();
      const error = await speechError(speak('pcm'));
      expect(performance.now() - started).toBeLessThan(5000);
      expect(server.requests.length - before).toBe(1);
      expect(error.message).toMatch(new RegExp(`\\(${fault.status}\\): ${fault.message}\\. It asks to be tried again ${asked}; Utter waits at most 1 minute, so it did not try again\\.$`));
    }
  });

  it('retries a 500 and then plays', async () => {
    server.enqueue({ status: 500, message: 'The server had an error' });
    const { report, audio } = await speak('mp3');
    expect(report.retries).toBe(1);
    expectMatchesReference(audio, 'mp3');
  });

  it('retries a 408 (the server timed out waiting for the request), as a timeout of its own, and then plays', async () => {
    server.enqueue({ status: 408, message: 'Request Timeout' });
    const before = server.requests.length;
    const { report, events, audio } = await speak('pcm');
    expect(report.retries).toBe(1);
    expect(server.requests.length - before).toBe(2);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ error: { kind: 'server', message: expect.stringContaining('timed out waiting for the request (408): Request Timeout') } });
    expectMatchesReference(audio, 'pcm');
  });

  it('reports 401 with the server\'s own message, without retrying', async () => {
    server.set({ apiKey: 'sk-right' });
    const before = server.requests.length;
    const error = await speechError(speak('pcm'));
    server.set({ apiKey: undefined });
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/Incorrect API key provided/);
    expect(server.requests.length - before).toBe(1);
  });

  it('names the part of a longer text that the server refused, and only a refused one', async () => {
    server.enqueue({}, { status: 400, message: 'Input contains unsupported characters' });
    const error = await speechError(speak('pcm', {}, 'The first sentence is fine. The second one has ☃ in it, which this server refuses.'));
    expect(error.kind).toBe('request');
    expect(error.message).toMatch(/Input contains unsupported characters\. It refused this part of the text: “The second one has ☃ in it/);
    // A text of one part: the part is the text, and is not repeated.
    server.enqueue({ status: 400, message: 'Input contains unsupported characters' });
    const alone = await speechError(speak('pcm', {}, 'Only ☃ here.'));
    expect(alone.message).not.toMatch(/It refused this part/);
  });

  it('reports 400 (unknown format, text too long) as a request error', async () => {
    server.enqueue({ status: 400, message: "Invalid value: 'alloyx'" });
    const error = await speechError(speak('pcm'));
    expect(error.kind).toBe('request');
    expect(error.message).toMatch(/alloyx/);
  });

  it('refuses an HTML page sent with status 200, quoting it', async () => {
    server.enqueue({ html: true });
    const error = await speechError(speak('mp3'));
    expect(error.kind).toBe('bad-audio');
    expect(error.message).toMatch(/502 Bad Gateway/);
    // Even when the page claims to be audio.
    server.enqueue({ html: true, contentType: 'audio/mpeg' });
    const lying = await speechError(speak('mp3'));
    expect(lying.kind).toBe('bad-audio');
  });

  it.each([
    ['opus', 'speech-speex.ogg', 'Ogg Speex'],
    ['opus', 'speech-aac.mka', 'Matroska (AAC)'],
    ['wav', 'speech-mace.aiff', 'AIFF-C (MAC3)'],
    ['mp3', 'speech-freeformat.mp3', 'free-format MP3'],
    ['pcm', 'speech.w64', 'Sony Wave64 (W64)'],
  ] as const)('names audio it has no decoder for (asked for %s, sent %s), and does not play it as noise', async (format, file, name) => {
    server.set({ audio: () => ({ bytes: fixture(file), seconds: 7.9 }) });
    try {
      const error = await speechError(speak(format));
      expect(error.kind).toBe('bad-audio');
      expect(error.message).toContain(`sent ${name}`);
      expect(error.message).toMatch(/cannot play/);
    } finally {
      server.set({ audio: undefined });
    }
  });

  it('gives up after the retries with a network error when the connection keeps breaking', async () => {
    server.enqueue(...Array.from({ length: 4 }, () => ({ resetAfterBytes: 1000 })));
    const error = await speechError(speak('pcm', { maxRetries: 3 }));
    expect(error.kind).toBe('network');
  });

  it('fails over from a dead server to the next, announcing it and keeping the voice', async () => {
    const { events, audio } = await speak('pcm', { baseUrls: ['http://127.0.0.1:9/v1', proxy.url] });
    const failover = events.find((e) => e.type === 'failover');
    expect(failover).toMatchObject({ from: 'http://127.0.0.1:9/v1', to: proxy.url });
    expect(server.requests.at(-1)!.body.voice).toBe('alloy');
    expectMatchesReference(audio, 'pcm');
  });

  it('plays a bandwidth below real time to the end', async () => {
    const second = fixture('speech-24k.pcm').subarray(0, 48000);
    server.set({ audio: () => ({ bytes: second, seconds: 1, contentType: 'audio/pcm;rate=24000' }) });
    proxy.set({ bytesPerSecond: 24000 });
    const started = performance.now();
    const { audio } = await speak('pcm');
    expect(performance.now() - started).toBeGreaterThan(1500);
    expect(audio.channels[0].length).toBe(24000);
  });

  it('takes the PCM rate from the content type, and a setting where the server says none', async () => {
    const pcm44 = fixture('speech-44k.pcm');
    server.set({ audio: () => ({ bytes: pcm44, seconds: pcm44.length / 88200, contentType: 'audio/pcm;rate=44100' }) });
    expect((await speak('pcm')).audio.sampleRate).toBe(44100);
    server.set({ audio: () => ({ bytes: pcm44, seconds: pcm44.length / 88200, contentType: 'application/octet-stream' }) });
    expect((await speak('pcm', { pcmSampleRate: 44100 })).audio.sampleRate).toBe(44100);
  });

  it('plays audio whose bytes prove it under a text content type (servers mislabel), and still refuses text', async () => {
    for (const [format, contentType] of [['flac', 'text/plain'], ['mp3', 'application/json'], ['wav', 'text/html; charset=utf-8']] as const) {
      server.set({ audio: () => ({ ...fixtureAudio(format), contentType }) });
      expectMatchesReference((await speak(format)).audio, format);
    }
    server.set({ audio: () => ({ bytes: new TextEncoder().encode('{"detail": "Voice not found"}'), seconds: 1, contentType: 'application/json' }) });
    expect((await speechError(speak('pcm'))).message).toMatch(/did not send audio.*Voice not found/);
  });

  it('names random bytes by their first bytes in hex, not as mojibake text', async () => {
    // A fixed pseudo-random body (no audio format's magic), labelled as mp3.
    let seed = 7;
    const bytes = Uint8Array.from({ length: 20_000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    server.set({ audio: () => ({ bytes, seconds: 1, contentType: 'audio/mpeg' }) });
    const first = Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    expect((await speechError(speak('mp3'))).message).toBe(`The server did not send audio: 20000 bytes of audio/mpeg in no known audio format (they begin ${first} …).`);
  });

  it('plays an mp3 that stray bytes come before, as ffmpeg does: the same samples as without them', async () => {
    const mp3 = fixtureAudio('mp3');
    // The third holds a frame header by chance (MPEG-1, 44.1 kHz stereo), which the next bytes do not follow.
    const chanceHeader = concatBytes(new Uint8Array(500), Uint8Array.of(0xff, 0xfb, 0x90, 0x64), new Uint8Array(300), Uint8Array.from({ length: 512 }, (_, i) => i & 0xff));
    for (const junk of [new Uint8Array(700), new TextEncoder().encode('\r\n\r\n0\r\n'), chanceHeader]) {
      server.set({ audio: () => ({ ...mp3, bytes: new Uint8Array([...junk, ...mp3.bytes]) }) });
      const { audio } = await speak('mp3');
      expectMatchesReference(audio, 'mp3');
    }
  });

  it.each(['flac', 'mp3'] as const)('plays %s behind a 300 KB ID3 tag (a cover picture) as itself, and splices a reset past the tag', async (format) => {
    const audio = fixtureAudio(format);
    const tag = id3Picture(300 * 1024);
    server.set({ audio: () => ({ ...audio, bytes: concatBytes(tag, audio.bytes) }) });
    const whole = await speak(format);
    expectMatchesReference(whole.audio, format);
    expect(whole.report.format).toBe(format);
    proxy.set({ resetAfterBytes: tag.length + 3000 });
    const reset = await speak(format);
    expectMatchesReference(reset.audio, format);
    expect(reset.report.retries).toBe(1);
    expect(reset.report.replays).toBe(0);
  });

  it('says an answer of an ID3 tag and nothing after it held no audio, naming the tag', async () => {
    const tag = id3Picture(5000);
    server.set({ audio: () => ({ bytes: tag, seconds: 1, contentType: 'audio/mpeg' }) });
    const error = await speechError(speak('mp3', { maxRetries: 0 }));
    expect(error.message).toBe(`The server answered with no audio at all (only an ID3 tag, ${tag.length.toLocaleString('en-US')} bytes).`);
  });

  it('reads audio/L16 in network byte order, as RFC 2586 has it, and little-endian samples mislabelled L16 in theirs', async () => {
    const reference = readWav(fixture('speech-44k.wav'));
    for (const file of ['speech-44k-be.pcm', 'speech-44k.pcm']) {
      const bytes = fixture(file);
      server.set({ audio: () => ({ bytes, seconds: bytes.length / 88200, contentType: 'audio/L16;rate=44100;channels=1' }) });
      const { audio } = await speak('pcm');
      expect(audio.sampleRate).toBe(44100);
      expect(audio.channels[0].length).toBe(reference.channels[0].length);
      expect(snrDb(audio.channels[0], reference.channels[0]).snr, file).toBeGreaterThan(90);
    }
  });

  it('keeps the file at one rate when a later segment comes at another, resampling it cleanly', async () => {
    const pcm24 = fixture('speech-24k.pcm');
    const pcm44 = fixture('speech-44k.pcm');
    server.set({
      audio: (_format, input) =>
        input.startsWith('First')
          ? { bytes: pcm24, seconds: pcm24.length / 48000, contentType: 'audio/pcm;rate=24000' }
          : { bytes: pcm44, seconds: pcm44.length / 88200, contentType: 'audio/pcm;rate=44100' },
    });
    const text = 'First sentence here. ' + 'More words follow in the second segment. '.repeat(20);
    const { report, audio } = await speak('pcm', {}, text);
    expect(report.segments).toBe(2);
    expect(audio.sampleRate).toBe(24000);
    const ref = readWav(fixture('speech-24k.wav')).channels[0];
    expect(audio.channels[0].length).toBeGreaterThanOrEqual(2 * ref.length - 2);
    expect(audio.channels[0].length).toBeLessThanOrEqual(2 * ref.length + 2);
    // The 44.1 kHz copy was made from the 24 kHz speech: brought back, it is the same speech.
    const second = audio.channels[0].subarray(ref.length);
    expect(snrDb(second, ref).snr).toBeGreaterThan(45);
  });

  it('detects Ogg Opus labelled audio/opus from the bytes', async () => {
    const opus = fixtureAudio('opus');
    server.set({ audio: () => ({ ...opus, contentType: 'audio/opus' }) });
    const { report, audio } = await speak('opus');
    expect(report.format).toBe('opus');
    expectMatchesReference(audio, 'opus');
  });

  it('plays a WAV of Microsoft ADPCM (what a server built on sox may send for wav), streamed through a slow link, to ffmpeg\'s samples', async () => {
    const adpcm = fixture('speech-adpcm-ms.wav');
    server.set({ audio: () => ({ bytes: adpcm, seconds: 7.9, contentType: 'audio/wav' }) });
    proxy.set({ bytesPerSecond: 40_000 });
    const { report, audio } = await speak('wav');
    const reference = readWav(fixture('speech-adpcm-ms.wav.ref.wav')).channels[0];
    expect(report.format).toBe('wav');
    expect(audio.channels[0].length).toBe(reference.length);
    expect(snrDb(audio.channels[0], reference).snr).toBe(Infinity);
  });

  it('speaks several segments in order into one file', async () => {
    const text = 'First sentence here. ' + 'More words follow in the second segment. '.repeat(30);
    const { report, audio } = await speak('wav', {}, text);
    expect(report.segments).toBeGreaterThan(1);
    const one = readWav(fixture('speech-24k.wav')).channels[0].length;
    expect(audio.channels[0].length).toBe(one * report.segments);
    const bodies = server.requests.slice(-report.segments).map((r) => r.body.input);
    expect(bodies[0]).toBe('First sentence here.');
  });
});

describe('a body that ends cleanly inside a frame or page, with no length in any header (issue 11 #9)', () => {
  // Streams whose headers declare no length: opusenc's Ogg, flac to a pipe, and an MP3 without
  // its Xing/Info frame (lame -t; ffmpeg writing to a pipe sends none either).
  let clips: Record<'mp3' | 'opus' | 'flac', ServedAudio>;
  beforeAll(() => {
    const mp3 = join(dir, 'no-xing.mp3');
    execFileSync('lame', ['--quiet', '-t', join(FIXTURES, 'speech-24k.wav'), mp3]);
    const flac = execFileSync('flac', ['--silent', '--stdout', '--force-raw-format', '--endian=little', '--sign=signed', '--channels=1', '--bps=16', '--sample-rate=24000', join(FIXTURES, 'speech-24k.pcm')]);
    const seconds = fixtureAudio('pcm').seconds;
    clips = {
      mp3: { bytes: new Uint8Array(readFileSync(mp3)), seconds },
      opus: fixtureAudio('opus'),
      flac: { bytes: new Uint8Array(flac), seconds },
    };
    expect(declaredLength(clips.mp3.bytes, 'mp3')).toBeNull();
    expect(declaredLength(clips.flac.bytes, 'flac')).toBeNull();
  });
  /** Ends the body cleanly after `fraction` of the clip: inside a frame (MP3, FLAC) or an Ogg page. */
  const cutAt = (format: keyof typeof clips, fraction: number) => ({ stallAfterBytes: Math.floor(clips[format].bytes.length * fraction) + 1, stallMs: 0, afterStall: 'end' as const });

  it.each(['mp3', 'opus', 'flac'] as const)('%s: cut once, then whole: retried like a reset, and the audio is whole', async (format) => {
    server.set({ audio: { [format]: clips[format] } });
    const uncut = await speak(format);
    server.enqueue(cutAt(format, 0.5));
    const { audio, events, report } = await speak(format);
    expect(events).toContainEqual(expect.objectContaining({ type: 'retry', error: expect.objectContaining({ message: expect.stringMatching(/ended the audio early \((its last|it ends|no Ogg|its FLAC)/) }) }));
    expect(report.retries).toBe(1);
    expect(audio.channels[0]).toEqual(uncut.audio.channels[0]);
  });

  it.each(['mp3', 'opus', 'flac'] as const)('%s: cut at a different place each time: said, instead of ending as if complete', async (format) => {
    server.set({ audio: { [format]: clips[format] } });
    server.enqueue(cutAt(format, 0.5), cutAt(format, 0.3));
    const error = await speechError(speak(format, { maxRetries: 1 }));
    expect(error.message).toMatch(/ended the audio early \((its last|it ends|no Ogg|its FLAC)/);
  });

  it('the same ending twice is how that server ends its audio: played as it came, said once, retried only once for the whole text', async () => {
    // A server whose MP3 always stops inside its last frame.
    const partial = { ...clips.mp3, bytes: clips.mp3.bytes.subarray(0, Math.floor(clips.mp3.bytes.length * 0.6) + 1) };
    server.set({ audio: { mp3: partial } });
    const { events, report } = await speak('mp3', {}, 'First sentence here. Second sentence here.');
    expect(report.segments).toBe(2);
    expect(report.retries).toBe(1);
    const notices = events.filter((e) => e.type === 'notice');
    expect(notices).toEqual([expect.objectContaining({ segmentIndex: 0, message: expect.stringMatching(/ends its mp3 audio the same way each time \(its last MP3 frame has \d+ of \d+ bytes\), so it is played as it came/) })]);
    expect(events.some((e) => e.type === 'error')).toBe(false);
  });
});

describe('a body that ends cleanly before the length its own header declares', () => {
  const cut = (format: 'wav' | 'mp3') => ({ stallAfterBytes: Math.floor(fixtureAudio(format).bytes.length / 2), stallMs: 0, afterStall: 'end' as const });

  it.each(['wav', 'mp3'] as const)('%s: cut once, then whole: retried like a reset, and the audio is the whole reference', async (format) => {
    server.enqueue(cut(format));
    const { audio, events } = await speak(format);
    expect(events).toContainEqual(expect.objectContaining({ type: 'retry', error: expect.objectContaining({ message: expect.stringMatching(/ended the audio early/) }) }));
    expectMatchesReference(audio, format);
  });

  it.each(['wav', 'mp3'] as const)('%s: cut at a different place each time: said, instead of ending as if complete', async (format) => {
    const bytes = fixtureAudio(format).bytes.length;
    server.enqueue(...[0.5, 0.4, 0.3, 0.2].map((part) => ({ stallAfterBytes: Math.floor(bytes * part), stallMs: 0, afterStall: 'end' as const })));
    const error = await speechError(speak(format));
    expect(error.message).toMatch(/ended the audio early \(\d+ of the \d+ bytes its header announced\)/);
  });

  it.each(['wav', 'mp3'] as const)('%s: cut at the same place every time (the server\'s file is short): its audio played as it came, and said', async (format) => {
    const whole = await speak(format);
    server.setDefault(cut(format));
    try {
      const { audio, events, report } = await speak(format);
      expect(report.retries).toBe(1);
      expect(events.filter((e) => e.type === 'notice')).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/ends its \w+ audio the same way each time \(\d+ of the \d+ bytes its header announced\), so it is played as it came/) }),
      ]);
      expect(audio.channels[0].length).toBeGreaterThan(whole.audio.channels[0].length * 0.4);
      expect(audio.channels[0].length).toBeLessThan(whole.audio.channels[0].length * 0.6);
    } finally {
      server.setDefault(undefined);
    }
  });
});
