import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';

/**
 * `utter web` against requests no browser sends: each is refused with a status, and the
 * server is still there for the next one.
 */
let web: WebServer;
let port: number;
beforeAll(async () => {
  web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS });
  port = Number(new URL(web.url).port);
});
afterAll(() => web?.close());

/** Sends raw bytes and returns the status line of the answer ('' when the socket just closed without one). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => reject(new Error('no answer within 5 s')));
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      // The status line is all that is looked at; a socket that switched protocols stays open.
      if (answer.includes('\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(answer.split('\r\n')[0]));
    socket.on('error', () => resolve(answer.split('\r\n')[0]));
    // Written, not ended: a half-closed socket may be closed before a file is read and sent.
    socket.write(request);
  });
}

const upgrade = (target: string, host: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

async function stillServes(): Promise<void> {
  expect(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
}

/**
 * Opens the control socket as a page would (token and Origin), then writes `frame` raw: the
 * frame ws refuses. Resolves once the server has closed the connection.
 */
function badFrame(frame: Buffer): Promise<string> {
  const token = new URL(web.url).searchParams.get('token')!;
  const host = `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => reject(new Error('not closed within 5 s')));
    socket.on('data', (data) => {
      const first = !answer;
      answer += data.toString('latin1');
      if (first && answer.startsWith('HTTP/1.1 101')) socket.write(frame);
    });
    socket.on('close', () => resolve(answer.split('\r\n')[0]));
    socket.on('error', () => {});
    socket.write(upgrade(`/control?token=${token}`, host));
  });
}

describe('utter web refuses, and stays up', () => {
  it('a WebSocket frame ws refuses: unmasked, or longer than it takes (it threw, unheard, and the process exited)', async () => {
    // Text, 2 bytes, not masked: a client must mask.
    expect(await badFrame(Buffer.from([0x81, 0x02, 0xff, 0xfe]))).toBe('HTTP/1.1 101 Switching Protocols');
    await stillServes();
    // Masked text that says it is 1 TB long: past maxPayload before a byte of it comes.
    const huge = Buffer.alloc(14);
    huge[0] = 0x81;
    huge[1] = 0x80 | 127;
    huge.writeBigUInt64BE(2n ** 40n, 2);
    expect(await badFrame(huge)).toBe('HTTP/1.1 101 Switching Protocols');
    await stillServes();
  });

  it('a token of the right length in characters but not in bytes', async () => {
    const token = new URL(web.url).searchParams.get('token')!;
    const wide = 'é'.repeat(token.length);
    expect(await raw(upgrade(`/control?token=${encodeURIComponent(wide)}`, `127.0.0.1:${port}`))).toBe('HTTP/1.1 403 Forbidden');
    await stillServes();
  });

  it('a request target that is not a path, for a file or a socket', async () => {
    expect(await raw(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(upgrade('http://[', `127.0.0.1:${port}`))).toBe('HTTP/1.1 400 Bad Request');
    await stillServes();
  });

  it('a Host it does not answer as, as a DNS-rebinding page would send', async () => {
    expect(await raw(`GET / HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 421 Misdirected Request');
    expect(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 421 Misdirected Request');
    // HTTP/1.1 without a Host: Node's parser refuses it first.
    expect(await raw(`GET / HTTP/1.1\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    const token = new URL(web.url).searchParams.get('token')!;
    expect(await raw(upgrade(`/control?token=${token}`, `evil.example:${port}`))).toBe('HTTP/1.1 421 Misdirected Request');
    // The loopback names it listens as are answered.
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect(await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
    }
    expect(await raw(upgrade(`/control?token=${token}`, `localhost:${port}`))).toBe('HTTP/1.1 101 Switching Protocols');
  });
});
