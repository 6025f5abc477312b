import { createServer as createSocketServer, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { SpeechError } from '../../electron/engine/errors';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { fixture } from '../support/audio-files';
import { useScriptedServer } from '../support/scripted-server';

// Answers that are HTTP, and a success, but carry no audio that can be read.

const dir = mkdtempSync(join(tmpdir(), 'utter-broken-'));
/** What the server answers next. */
const scripted = useScriptedServer((res) => res.end());

/** Speaks through the engine, with fast retries: what it fails with. */
async function speakFailure(url = scripted.baseUrl): Promise<SpeechError> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [url], format: 'wav' };
  const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
  scripted.requests = 0;
  const error = await speakToFile('Hello.', { settings, provider, out: join(dir, 'out.wav'), retryPolicy: { baseDelayMs: 1, maxDelayMs: 2 } }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
}

describe('a success that carries no readable audio', () => {
  it('204 (No Content): said as such, not as a TypeError from inside the SDK, and not asked again', async () => {
    scripted.answer = (res) => res.writeHead(204).end();
    const failure = await speakFailure();
    expect(failure.message).toBe(`${scripted.baseUrl} answered 204 with no audio.`);
    expect(failure.kind).toBe('bad-audio');
    expect(scripted.requests).toBe(1);
  });

  it('a gzip body that does not decompress: said so (the server\'s bad audio, asked once), not "the connection broke"', async () => {
    const gzip = gzipSync(fixture('sentence-24k.wav'));
    // The real compressed audio with 2000 bytes of garbage let in after its first 100.
    const corrupt = Buffer.concat([gzip.subarray(0, 100), Buffer.alloc(2000, 0x55), gzip.subarray(100)]);
    scripted.answer = (res) => res.writeHead(200, { 'content-type': 'audio/wav', 'content-encoding': 'gzip' }).end(corrupt);
    const failure = await speakFailure();
    expect(failure.message).toMatch(new RegExp(`^${scripted.baseUrl.replace(/[.]/g, '\\.')} sent a compressed answer that could not be decompressed \\([a-z ]+\\)\\.$`));
    expect(failure.kind).toBe('bad-audio');
    expect(scripted.requests).toBe(1);
  });

  it('chunks that stop being HTTP mid-audio: says what the bytes were, and still tries again', async () => {
    let tries = 0;
    const wav = fixture('sentence-24k.wav').subarray(0, 30000);
    const raw = createSocketServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        tries++;
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n');
        socket.write(`${wav.length.toString(16)}\r\n`);
        socket.write(wav);
        socket.end('\r\nzz\r\n');
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1`;
      const failure = await speakFailure(url);
      expect(failure.message).toBe(`The connection to ${url} broke mid-audio: something that is not valid HTTP (Invalid character in chunk size)`);
      expect(failure.kind).toBe('network');
      expect(tries).toBeGreaterThan(1);
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});
