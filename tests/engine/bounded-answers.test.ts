import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { SpeechError } from '../../electron/engine/errors';
import { serverMessage } from '../../electron/engine/bounded-answers';
import { useScriptedServer } from '../support/scripted-server';

/** What the server answers next. */
const scripted = useScriptedServer((res) => res.end());

/** A body that never ends: 16 KB every few ms until the client goes. */
function endless(res: ServerResponse, piece: string): void {
  const timer = setInterval(() => res.write(piece.repeat(1024)), 2);
  res.on('close', () => clearInterval(timer));
}

function provider(): OpenAiProvider {
  return new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [scripted.baseUrl], apiKey: 'sk-test', voice: 'alloy' });
}

async function speakError(): Promise<SpeechError> {
  const error = await provider()
    .open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal, onWord: () => {} })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
}

describe('what a server says besides audio, bounded', () => {
  it('an error answer that never ends is read no further than its first part, and its words are said', async () => {
    scripted.answer = (res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      endless(res, 'Bad request; ');
    };
    const started = performance.now();
    const error = await speakError();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error.message).toMatch(/refused the request \(400\): Bad request; Bad request;/);
    expect(error.message.length).toBeLessThan(400);
  });

  it('a list (the voices) that never ends stops at its bound: the built-in voices stand, and the memory does not fill', async () => {
    scripted.answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"voices": [');
      endless(res, '"v", ');
    };
    const before = process.memoryUsage().rss;
    const voices = await provider().voices();
    expect(voices.length).toBeGreaterThan(5);
    expect(voices.every((v) => v.source === 'builtin')).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it.each([
    ['OpenAI', '{"error": {"message": "Voice not found", "type": "invalid_request_error"}}', 'Voice not found'],
    ['FastAPI (Kokoro)', '{"detail": "Voice not found"}', 'Voice not found'],
    ['FastAPI validation', '{"detail": [{"loc": ["body", "voice"], "msg": "field required", "type": "missing"}]}', 'field required'],
    ['a web page', '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', '502 Bad Gateway'],
    ['a terminal\'s escapes, sequences and all', '\u001b[2J\u001b[31mRED\u001b]0;title\u0007\rOver', 'RED Over'],
    ['nothing', '', 'no message'],
  ])('%s: the server\'s own words, clean', async (_kind, body, said) => {
    scripted.answer = (res) => res.writeHead(422).end(body);
    expect((await speakError()).message).toContain(`(422): ${said}`);
  });

  it('keeps a message to 300 characters', () => {
    expect(serverMessage('x'.repeat(5000))).toHaveLength(300);
    expect(serverMessage(JSON.stringify({ error: { message: 'y '.repeat(1000) } })).endsWith('…')).toBe(true);
  });
});
