import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, readWav, snrDb } from '../support/audio-files';
import { damage } from '../decoders/helpers';
import { runUtter } from '../support/run-utter';
import { startTtsServer, type TtsServer } from '../support/tts-server';

import { appSocketPath, startAppSocket, type AppRequest } from '../../electron/session/app-socket';

const dir = mkdtempSync(join(tmpdir(), 'utter-cli-'));
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer();
});
afterAll(() => server.close());

/** Runs the real `utter` command as a user would, with a clean environment. */
const utter = (args: string[], input?: string) => runUtter(args, { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'none.json') }, input);

describe('utter speak', () => {
  it('speaks with the embedded voice, no network and no key, and reports JSON', async () => {
    const out = join(dir, 'hello.wav');
    const { code, stdout, stderr } = await utter(['speak', 'Hello from Utter.', '--out', out, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    for (const key of ['ttfbMs', 'firstAudioMs', 'totalMs', 'audioSeconds', 'sampleRate', 'channels', 'format', 'segments', 'bytes', 'retries', 'skippedFrames']) {
      expect(report).toHaveProperty(key);
    }
    expect(report).toMatchObject({ sampleRate: 22050, channels: 1, format: 'pcm', segments: 1, retries: 0, skippedFrames: 0 });
    const audio = readWav(new Uint8Array(readFileSync(out)));
    expect(audio.sampleRate).toBe(22050);
    expect(audio.channels[0].length / 22050).toBeCloseTo(report.audioSeconds, 5);
    expect(report.audioSeconds).toBeGreaterThan(0.7);
  });

  it.each(['mp3', 'opus', 'flac'])('writes a server\'s %s as its reference decode', async (format) => {
    const out = join(dir, `server-${format}.wav`);
    const { code, stdout } = await utter(['speak', 'Hello.', '--base-url', server.url, '--format', format, '--voice', 'nova', '--out', out, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).format).toBe(format);
    const ref = readWav(fixture(`speech.${format}.ref.wav`));
    const audio = readWav(new Uint8Array(readFileSync(out)));
    expect(audio.channels[0].length).toBe(ref.channels[0].length);
    expect(snrDb(audio.channels[0], ref.channels[0]).snr).toBeGreaterThan(60);
    expect(server.requests.at(-1)!.body).toMatchObject({ input: 'Hello.', voice: 'nova', response_format: format });
  });

  it('writes damaged server audio without the damage (silenced or left out), and warns how much was skipped', async () => {
    const flac = fixture('speech.flac');
    // Noise over a third of a second of frames: FLAC numbers its frames, so the loss is exact.
    // Frames whose header the noise hid are missing; the frame it began in keeps its place,
    // silent from where the damage was found, and counts as skipped too.
    server.set({ audio: { flac: { bytes: damage(flac, Math.floor(flac.length / 2), 12_000), seconds: 7.9 } } });
    try {
      const out = join(dir, 'damaged.wav');
      const { code, stdout, stderr } = await utter(['speak', 'Hello.', '--base-url', server.url, '--format', 'flac', '--out', out, '--json']);
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      const ref = readWav(fixture('speech.flac.ref.wav')).channels[0];
      const written = readWav(new Uint8Array(readFileSync(out))).channels[0];
      const frameMs = (4096 / 24000) * 1000;
      const missingFrames = (ref.length - written.length) / 4096;
      expect(missingFrames).toBeGreaterThanOrEqual(2);
      expect(report.skippedFrames).toBe(missingFrames + 1);
      expect(report.skippedMs).toBe(Math.round(report.skippedFrames * frameMs));
      expect(stderr).toBe(`utter: warning: The server sent damaged audio; ${(report.skippedMs / 1000).toFixed(1)} s skipped.\n`);
    } finally {
      server.set({ audio: undefined });
    }
  });

  it('reads standard input and Markdown files', async () => {
    const fromStdin = await utter(['speak', '--out', join(dir, 'stdin.wav'), '--json'], 'Text from standard input.');
    expect(fromStdin.code).toBe(0);
    // `--file -` is standard input too (it was "Cannot read -: ENOENT").
    const fromDash = await utter(['speak', '--file', '-', '--out', join(dir, 'dash.wav'), '--json'], 'Text from a dash.');
    expect({ code: fromDash.code, stderr: fromDash.stderr }).toEqual({ code: 0, stderr: '' });
    const md = join(dir, 'notes.md');
    writeFileSync(md, '# Notes\n\n- **One** thing\n- [Another](https://example.com)\n');
    const fromFile = await utter(['speak', '--file', md, '--base-url', server.url, '--out', join(dir, 'md.wav'), '--json']);
    expect(fromFile.code).toBe(0);
    const inputs = server.requests.slice(-2).map((r) => r.body.input);
    expect(inputs).toEqual(['Notes.', 'One thing. Another.']);
  });

  it('exits with the documented codes and one line that says what to do', async () => {
    const usage = await utter(['speak', 'Hi.', '--speed', 'fast', '--out', join(dir, 'x.wav')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^utter: --speed must be a number.*\n$/);

    // Without --out the running app speaks it; with no app running, the CLI says so.
    const noApp = await utter(['speak', 'Hi.']);
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toMatch(/^utter: Utter is not running.*--out FILE\.wav.*\n$/);

    const empty = await utter(['speak', '   ', '--out', join(dir, 'x.wav')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty/);
    // Said as empty with no app running too (it said "Utter is not running"), naming what was empty.
    expect(await utter(['speak', ''])).toMatchObject({ code: 2, stderr: 'utter: There is no text to speak: the text given is empty. (utter --help)\n' });

    const range = await utter(['speak', 'Hi.', '--speed', '9', '--out', join(dir, 'x.wav')]);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/speed = 9 \(must be at most 4\)/);

    server.set({ apiKey: 'sk-right' });
    const auth = await utter(['speak', 'Hi.', '--base-url', server.url, '--api-key', 'sk-wrong', '--out', join(dir, 'x.wav')]);
    server.set({ apiKey: undefined });
    expect(auth.code).toBe(3);
    expect(auth.stderr).toMatch(/Incorrect API key provided.*\(check --api-key/);

    const network = await utter(['speak', 'Hi.', '--base-url', 'http://127.0.0.1:9/v1', '--out', join(dir, 'x.wav')]);
    expect(network.code).toBe(4);
    // Port 9 is one fetch will not connect to: said so, not "is the server running?".
    expect(network.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9\/v1: port 9 is one that fetch, like browsers, will not connect to\. Run the server on another port\. \(check --base-url\)/);

    server.enqueue({ html: true });
    const bad = await utter(['speak', 'Hi.', '--base-url', server.url, '--out', join(dir, 'x.wav')]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/did not send audio: a web page/);

    // AAC decodes only in a page: the file is made from mp3, and the CLI says so.
    const aac = await utter(['speak', 'Hi.', '--base-url', server.url, '--format', 'aac', '--out', join(dir, 'aac.wav')]);
    expect(aac.code).toBe(0);
    expect(aac.stderr).toMatch(/^utter: AAC cannot be decoded here .*asked for in mp3 instead\.\n$/);
    expect(server.requests.at(-1)!.body.response_format).toBe('mp3');
    expect(readFileSync(join(dir, 'aac.wav')).subarray(0, 4).toString()).toBe('RIFF');

    const binary = join(dir, 'binary.bin');
    writeFileSync(binary, Buffer.from([0, 1, 2, 0, 255]));
    const notText = await utter(['speak', '--file', binary, '--out', join(dir, 'x.wav')]);
    expect(notText.code).toBe(2);
    expect(notText.stderr).toMatch(/not a text file/);
    for (const r of [usage, empty, range, auth, network, bad, aac, notText]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000); // eight real CLI runs, each starting Node and tsx

  it('says what is wrong with a base URL whose server answers: HTTPS to a plain HTTP server, no /v1, a status HTTP has not', async () => {
    const https = await utter(['speak', 'Hi.', '--base-url', server.url.replace('http:', 'https:'), '--out', join(dir, 'x.wav')]);
    expect(https.code).toBe(4);
    expect(https.stderr).toBe(`utter: ${server.url.replace('http:', 'https:')} answers in plain HTTP, not HTTPS: start its base URL with http://. (check --base-url)\n`);

    const root = server.url.replace(/\/v1$/, '');
    const noV1 = await utter(['speak', 'Hi.', '--base-url', root, '--out', join(dir, 'x.wav')]);
    expect(noV1.code).toBe(3);
    expect(noV1.stderr).toMatch(/\(404\).*\(check --base-url: an OpenAI-compatible server's usually ends in \/v1\)\n$/);

    const odd = createServer((socket) => socket.on('data', () => socket.end('HTTP/1.1 999 Odd\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')));
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}/v1`;
      const status = await utter(['speak', 'Hi.', '--base-url', url, '--out', join(dir, 'x.wav')]);
      expect(status.code).toBe(4);
      expect(status.stderr).toBe(`utter: ${url} answered with something that is not valid HTTP (status 999, which HTTP does not have). (check --base-url)\n`);
    } finally {
      odd.close();
    }
  }, 60_000);
});

describe('utter speak, with a base URL that carries its key (?key=)', () => {
  it('refuses a --settings path with no file there, rather than reading the defaults unsaid', async () => {
    const typo = join(dir, 'setings.json');
    const run = await utter(['speak', 'Hi.', '--settings', typo, '--out', join(dir, 'x.wav')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`utter: There is no settings file at ${typo}: --settings names one that exists (without it, ${join(dir, 'none.json')} is read if it is there). (utter --help)\n`);
  });

  it('asks with the key, and its error line does not name it', async () => {
    server.set({ apiKey: 'sk-right' });
    const auth = await utter(['speak', 'Hi.', '--base-url', `${server.url}?key=SECRETVALUE`, '--api-key', 'sk-wrong', '--out', join(dir, 'x.wav')]);
    server.set({ apiKey: undefined });
    expect(auth.code).toBe(3);
    expect(auth.stderr).toContain(`utter: ${server.url}?key=*** refused the API key (401)`);
    expect(auth.stdout + auth.stderr).not.toContain('SECRETVALUE');
    expect(server.speechRequests().at(-1)!.query).toBe('key=SECRETVALUE');
  }, 60_000);
});

describe('utter speak, told to come back tomorrow', () => {
  it('says how long the server asks to wait, and not to "wait a moment"', async () => {
    server.enqueue({ status: 429, retryAfter: '86400', message: 'Slow down' });
    const before = server.requests.length;
    const { code, stderr } = await utter(['speak', 'Hi.', '--base-url', server.url, '--out', join(dir, 'x.wav')]);
    expect(code).toBe(3);
    expect(server.requests.length - before).toBe(1);
    expect(stderr).toBe(`utter: ${server.url} is rate limiting (429): Slow down. It asks to be tried again in 1 day; Utter waits at most 1 minute, so it did not try again.\n`);
  }, 60_000);
});

describe('utter speak from a source that never ends', () => {
  it('answers, not hangs, for /dev/zero and an endless pipe of text', async () => {
    const zero = await utter(['speak', '--file', '/dev/zero', '--out', join(dir, 'zero.wav')]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^utter: \/dev\/zero is not a text file/);
    // More text than the limit on standard input: refused once past it, with the limit named.
    const endless = await utter(['speak', '--out', join(dir, 'endless.wav')], 'word '.repeat(4_200_001));
    expect(endless.code).toBe(2);
    expect(endless.stderr).toMatch(/^utter: standard input is too long to speak: the most is 10,000,000 bytes/);
  }, 60_000);
});

describe('utter voices', () => {
  it('lists the embedded voices and a server\'s own list', async () => {
    const local = await utter(['voices', '--provider', 'local']);
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(/^en-us\t/m);
    server.set({ voices: ['af_bella', 'am_adam'] });
    const remote = await utter(['voices', '--base-url', server.url, '--json']);
    const ids = JSON.parse(remote.stdout).map((v: { id: string }) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['alloy', 'af_bella', 'am_adam']));
  });

  it('hands text, or "speak the clipboard", to the running app when there is no --out', async () => {
    // The app's socket as the app opens it (app-socket.ts), for the CLI's HOME.
    const received: AppRequest[] = [];
    const app = await startAppSocket(appSocketPath('linux', { HOME: dir }, dir), async (request) => {
      received.push(request);
      if (request.type === 'speak-clipboard') return 'The clipboard holds no text.';
      return request.type === 'speak' && request.text.includes('refuse') ? 'The app is shutting down.' : null;
    });
    try {
      const sent = await utter(['speak', 'Spoken by the running app.']);
      expect(sent.code).toBe(0);
      expect(received).toEqual([{ type: 'speak', text: 'Spoken by the running app.' }]);
      const refused = await utter(['speak', 'please refuse']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/refused: The app is shutting down/);
      // The app's answer to --clipboard comes back to the terminal (or the desktop shortcut's exit code).
      const clipboard = await utter(['speak', '--clipboard']);
      expect(received.at(-1)).toEqual({ type: 'speak-clipboard' });
      expect(clipboard.code).toBe(2);
      expect(clipboard.stderr).toMatch(/refused: The clipboard holds no text/);
      const mixed = await utter(['speak', '--clipboard', 'and text']);
      expect(mixed.code).toBe(2);
      expect(mixed.stderr).toMatch(/give no text, --file or --out with it/);
      expect(received).toHaveLength(3);
    } finally {
      await new Promise((r) => app.close(r));
    }
  });
});
