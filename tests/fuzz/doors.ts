// A seeded fuzzer for every door of the app: generated inputs, each of which must end in
// correct behaviour or a clear refusal, never a crash, a hang or runaway memory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { SpeechProvider } from '../../electron/engine/provider';
import { sendToApp, startAppSocket } from '../../electron/session/app-socket';
import { memorySecretStore } from '../../electron/store/secret-store';
import { SettingsStore } from '../../electron/store/settings-store';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer } from '../../electron/web/web-server';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { OPERATION_NAMES } from '../../shared/contract';
import { createDecoder } from '../../shared/decoders';
import { crc32 } from '../../shared/decoders/crc';
import { isOggS } from '../../shared/decoders/ogg-packets';
import { textToSpeak } from '../../shared/text-file';
import { fixtureAudio } from '../support/tts-server';
import { prng } from '../support/audio-files';
import { readFixture } from '../support/wav-file';

/** What one door went through. */
export interface DoorResult {
  door: string;
  inputs: number;
  /** Uncaught exceptions and unhandled rejections while it ran, and inputs that threw out of the door. */
  crashes: number;
  /** Inputs with no answer within their time limit. */
  hangs: number;
  peakRssMB: number;
  /** A few of the refusals, to show they are clear. */
  samples: string[];
}

type Random = () => number;
export const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const int = (r: Random, max: number): number => Math.floor(r() * max);

const FIELDS = ['texts', 'text', 'format', 'queue', 'type', 'id', 'index', 'heardAt', 'message', 'ok', 'detail', 'speed', 'voice', 'baseUrls', 'apiKey', 'hotkeys', '__proto__', 'constructor', 'op', 'request'];
const STRINGS = ['', ' ', 'Hello.', 'pcm', 'mp3', 'ogg', 'stop', 'pause-resume', 'skip', 'resume-saved', 'playing', 'drained', 'first-heard', 'error', 'notice', 'audio-output', 'http://[', '\u0000', '\uD800', '😀', 'é'.repeat(30), 'x'.repeat(5000), '<script>', '../../etc/passwd', 'NaN'];

/** A JSON value of any shape, biased towards the names and values the doors know. */
export function randomValue(r: Random, depth = 0): unknown {
  switch (int(r, depth > 3 ? 4 : 9)) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1, 0.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e-308, int(r, 1000)]);
    case 3:
      return r() < 0.6 ? pick(r, STRINGS) : String.fromCharCode(...Array.from({ length: int(r, 40) }, () => int(r, 0x10000)));
    case 4:
    case 5:
      return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(r, 5) }, () => [r() < 0.8 ? pick(r, FIELDS) : String(randomValue(r, 4)), randomValue(r, depth + 1)]));
  }
}

/** Random bytes, or a real stream with some bytes changed, cut or repeated. */
function randomBytes(r: Random, base?: Uint8Array): Uint8Array {
  if (!base || r() < 0.3) return Uint8Array.from({ length: int(r, 4096) }, () => int(r, 256));
  const bytes = base.slice(0, Math.min(base.length, 512 + int(r, 16384)));
  for (let flips = int(r, 20); flips > 0; flips--) bytes[int(r, bytes.length)] = int(r, 256);
  return r() < 0.2 ? bytes.subarray(int(r, bytes.length)) : bytes;
}

/** Every whole Ogg page's CRC made right again, so that damage inside it reaches the codec. */
function mendOggCrcs(bytes: Uint8Array): Uint8Array {
  for (let p = 0; p + 27 <= bytes.length; ) {
    if (!isOggS(bytes, p)) {
      p++;
      continue;
    }
    const segments = bytes[p + 26];
    let end = p + 27 + segments;
    for (let i = 0; i < segments && p + 27 + i < bytes.length; i++) end += bytes[p + 27 + i];
    if (end > bytes.length) break;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(p + 22, crc32(bytes, p, end, p + 22), true);
    p = end;
  }
  return bytes;
}

/** Runs `attempt` once per input with crash and hang accounting. */
export async function run(door: string, count: number, seed: number, timeoutMs: number, attempt: (r: Random, i: number) => Promise<string | void>): Promise<DoorResult> {
  const r = prng(seed);
  const result: DoorResult = { door, inputs: 0, crashes: 0, hangs: 0, peakRssMB: 0, samples: [] };
  const crash = (): void => void result.crashes++;
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    for (let i = 0; i < count; i++) {
      result.inputs++;
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), timeoutMs)));
      try {
        const outcome = await Promise.race([attempt(r, i), hang]);
        if (outcome === 'hang') result.hangs++;
        else if (typeof outcome === 'string' && result.samples.length < 3 && !result.samples.includes(outcome)) result.samples.push(outcome);
      } catch {
        result.crashes++;
      } finally {
        clearTimeout(timer);
      }
      if (i % 100 === 0) result.peakRssMB = Math.max(result.peakRssMB, process.memoryUsage().rss / 1e6);
    }
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
  }
  result.peakRssMB = Math.round(Math.max(result.peakRssMB, process.memoryUsage().rss / 1e6));
  return result;
}

/** A provider that answers at once with a little silence: the page operations' speak has something to start. */
const quietProvider = (): SpeechProvider => ({
  id: 'openai',
  endpoints: ['quiet://'],
  maxInputChars: 4096,
  open: async () => ({ body: new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(480)), c.close()) }), contentType: 'audio/pcm;rate=24000', declared: { format: 'pcm', sampleRate: 24000, channels: 1 } }),
  voices: async () => [],
  close: async () => {},
});

/** Every page operation through `utter web`'s control socket: {id, op, request} with generated payloads. */
export async function fuzzPageOperations(count: number, seed = 1): Promise<DoorResult> {
  const web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS, provider: quietProvider, token: 'fuzz-token' });
  const { host } = new URL(web.url);
  const socket = new WebSocket(`ws://${host}/control?token=fuzz-token`, { headers: { origin: web.origin } });
  await new Promise((resolve) => socket.once('open', resolve));
  const waiting = new Map<number, (reply: { error?: string }) => void>();
  socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { id?: number; error?: string; event?: string };
    if (reply.event === undefined && typeof reply.id === 'number') waiting.get(reply.id)?.(reply);
  });
  try {
    return await run('page operations (utter web control socket)', count, seed, 5000, async (r, i) => {
      const op = r() < 0.85 ? pick(r, OPERATION_NAMES) : pick(r, ['nope', '__proto__', 'toString', '']);
      const reply = new Promise<{ error?: string }>((resolve) => waiting.set(i, resolve));
      socket.send(JSON.stringify({ id: i, op, request: randomValue(r) }));
      const answer = await reply;
      waiting.delete(i);
      return answer.error;
    });
  } finally {
    web.session.stop();
    socket.close();
    await web.close();
  }
}

/** Raw bytes at `utter web`'s HTTP port: request lines, headers and bodies no browser sends. */
export async function fuzzWebHttp(count: number, seed = 2): Promise<DoorResult> {
  const web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS, provider: quietProvider, token: 'fuzz-token' });
  const port = Number(new URL(web.url).port);
  const METHODS = ['GET', 'HEAD', 'POST', 'TRACE', 'CONNECT', 'G\u0000T', ''];
  const TARGETS = ['/', '/index.html', '/control?token=fuzz-token', '/audio?token=fuzz-token&id=1', 'http://[', '*', '//evil', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../x', `/${'a'.repeat(9000)}`];
  try {
    return await run('utter web HTTP (raw requests)', count, seed, 5000, (r) => {
      const host = pick(r, [`127.0.0.1:${port}`, `localhost:${port}`, 'evil.example', '', `[::1]:${port}`]);
      const headers = [`Host: ${host}`];
      if (r() < 0.4) headers.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${pick(r, ['dGhlIHNhbXBsZSBub25jZQ==', '', '%%%'])}`, `Origin: ${pick(r, [`http://${host}`, 'null', 'http://evil.example'])}`);
      if (r() < 0.3) headers.push(`${pick(r, ['Content-Length', 'Transfer-Encoding', 'X-\u00ff', 'Cookie'])}: ${pick(r, ['-1', 'chunked', '99999999999', '\u0000', ''])}`);
      const request = r() < 0.15 ? Buffer.from(randomBytes(r)) : Buffer.from(`${pick(r, METHODS)} ${pick(r, TARGETS)} ${pick(r, ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9', ''])}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
      return new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        socket.on('data', (data) => {
          answer += data.toString('latin1');
          if (answer.includes('\r\n')) socket.destroy();
        });
        socket.on('close', () => resolve(answer.split('\r\n')[0] || 'closed'));
        socket.on('error', () => resolve('reset'));
        socket.write(request);
      });
    });
  } finally {
    await web.close();
  }
}

/** Lines at the app socket (`utter speak` without --out): JSON of any shape, and bytes. */
export async function fuzzAppSocket(count: number, seed = 3): Promise<DoorResult> {
  const path = join(mkdtempSync(join(tmpdir(), 'utter-fuzz-')), 'utter.sock');
  const server = await startAppSocket(path, (request) => (request.type === 'speak' && !request.text.trim() ? 'There is nothing to speak.' : null));
  try {
    return await run('app socket', count, seed, 5000, async (r) => {
      if (r() < 0.7) {
        const request = randomValue(r) as never;
        return sendToApp(path, request).then(
          () => undefined,
          (error: Error) => error.message,
        );
      }
      return new Promise<string>((resolve) => {
        const socket = connect(path);
        let answer = '';
        socket.on('data', (data) => (answer += data.toString('utf8')));
        socket.on('close', () => resolve(answer.trim() || 'closed'));
        socket.on('error', () => resolve('reset'));
        socket.end(Buffer.concat([Buffer.from(randomBytes(r)), Buffer.from('\n')]));
      });
    });
  } finally {
    server.close();
  }
}

/** settings.json of any content: the store always loads something valid, and says what it set aside. */
export async function fuzzSettingsFiles(count: number, seed = 4): Promise<DoorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'utter-fuzz-settings-'));
  return run('settings files', count, seed, 5000, async (r, i) => {
    const file = join(dir, `settings-${i}.json`);
    const value = randomValue(r);
    writeFileSync(file, r() < 0.2 ? Buffer.from(randomBytes(r)) : JSON.stringify(r() < 0.5 ? { ...DEFAULT_SETTINGS, ...(value as object) } : value) ?? 'null');
    const notices: string[] = [];
    const store = new SettingsStore({ file, secrets: memorySecretStore(), onNotice: (message) => notices.push(message) });
    const settings = await store.load();
    if (typeof settings.speed !== 'number') throw new Error('loaded settings without a speed');
    return notices[0]?.slice(0, 120);
  });
}

/** Files dropped on the player or opened: bytes of any kind, with BOMs, binary and text. */
export async function fuzzDroppedFiles(count: number, seed = 5): Promise<DoorResult> {
  return run('dropped files', count, seed, 5000, async (r, i) => {
    const prefix = pick(r, [[], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]]);
    const body = r() < 0.5 ? randomBytes(r) : new TextEncoder().encode(String(randomValue(r)));
    const bytes = Uint8Array.from([...prefix, ...body]);
    const result = await textToSpeak(`file-${i}.txt`, r() < 0.05 ? 30_000_000 : bytes.length, async () => bytes);
    return 'refused' in result ? result.refused : undefined;
  });
}

/** Audio bytes for each decoder: random, and real streams damaged. */
export async function fuzzDecoders(count: number, seed = 6): Promise<DoorResult[]> {
  const results: DoorResult[] = [];
  const doors: [string, AudioFormat, Uint8Array][] = (['pcm', 'wav', 'mp3', 'opus', 'flac'] as AudioFormat[]).map((format) => [`${format} decoder`, format, fixtureAudio(format, 'sentence').bytes]);
  doors.push(['opus decoder, WebM', 'opus', readFixture('speech-live-opus.webm')], ['opus decoder, WebM Vorbis', 'opus', readFixture('speech-vorbis.webm')], ['wav decoder, AIFF', 'wav', readFixture('speech.aiff')]);
  // Pages mended after the damage: libvorbis itself gets damaged headers and packets, not only the CRC check.
  doors.push(['opus decoder, Ogg Vorbis', 'opus', readFixture('speech-vorbis.ogg')], ['opus decoder, Ogg Vorbis, CRCs mended', 'opus', readFixture('speech-vorbis.ogg')]);
  doors.push(['flac decoder, Ogg FLAC, CRCs mended', 'flac', readFixture('speech-flac.oga')]);
  doors.push(['wav decoder, IMA ADPCM', 'wav', readFixture('speech-adpcm.wav')], ['wav decoder, Microsoft ADPCM', 'wav', readFixture('speech-adpcm-ms.wav')], ['wav decoder, AIFF-C ima4', 'wav', readFixture('speech-ima4.aiff')]);
  doors.push(['wav decoder, RIFX', 'wav', readFixture('speech-rifx.wav')]);
  for (const [door, format, base] of doors) {
    let decoder = createDecoder(format, { pcmSampleRate: 24000 });
    results.push(
      await run(door, count, seed, 5000, async (r) => {
        await decoder.ready;
        const bytes = door.endsWith('CRCs mended') ? mendOggCrcs(randomBytes(r, base)) : randomBytes(r, base);
        try {
          for (let pos = 0; pos < bytes.length; pos += 1 + int(r, 4096)) await decoder.push(bytes.subarray(pos, pos + 1 + int(r, 4096)));
          await decoder.flush();
          decoder.free();
          decoder = createDecoder(format, { pcmSampleRate: 24000 });
          return undefined;
        } catch (error) {
          // A refusal is the right answer to bad audio: a clear message, and a fresh decoder.
          decoder.free();
          decoder = createDecoder(format, { pcmSampleRate: 24000 });
          if (!(error instanceof Error) || !error.message) throw new Error('a decoder failed without a message');
          return error.message.slice(0, 120);
        }
      }),
    );
  }
  return results;
}
