import { request } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { answersAs, sameOrigin, type Machine, type ServerPlace } from '../../electron/web/allowed-hosts';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';

/**
 * The Host a request names must be this server's: that keeps DNS-rebinding pages out, and
 * must still let in a browser on another machine (--host 0.0.0.0) or on port 80 or 443.
 */
const machine: Machine = { addresses: () => ['127.0.0.1', '::1', '192.168.1.20', 'fe80::1'], hostname: () => 'Study-PC' };
const at = (host: string | undefined, port: number, scheme: ServerPlace['scheme'] = 'http'): ServerPlace => ({ host, port, scheme });

describe('the Host utter web answers as', () => {
  it('is a loopback name or its --host, on its port, and nothing else', () => {
    for (const host of ['127.0.0.1:8090', 'localhost:8090', 'LOCALHOST:8090', '[::1]:8090']) expect(answersAs(host, at(undefined, 8090), machine)).toBe(true);
    expect(answersAs('speaker.lan:8090', at('speaker.lan', 8090), machine)).toBe(true);
    expect(answersAs('[fd00::2]:8090', at('fd00::2', 8090), machine)).toBe(true);
    for (const host of ['evil.example:8090', '127.0.0.1:8091', '192.168.1.20:8090', 'study-pc:8090', undefined, '', '127.0.0.1']) {
      expect(answersAs(host, at(undefined, 8090), machine), String(host)).toBe(false);
    }
  });

  it("is also this machine's own addresses and name when it listens on every interface", () => {
    for (const listen of ['0.0.0.0', '::']) {
      const place = at(listen, 8090, 'https');
      for (const host of ['192.168.1.20:8090', '[fe80::1]:8090', 'study-pc:8090', 'Study-PC.local:8090', 'localhost:8090']) expect(answersAs(host, place, machine), `${listen} ${host}`).toBe(true);
      // Not another machine's address, not another name, not another port.
      for (const host of ['192.168.1.21:8090', 'evil.example:8090', 'study-pc.evil.example:8090', '192.168.1.20:8091']) expect(answersAs(host, place, machine), `${listen} ${host}`).toBe(false);
    }
  });

  it('leaves the port out on 80 for http and 443 for https, as browsers write it', () => {
    expect(answersAs('127.0.0.1', at(undefined, 80), machine)).toBe(true);
    expect(answersAs('127.0.0.1:80', at(undefined, 80), machine)).toBe(true);
    expect(answersAs('localhost', at(undefined, 443, 'https'), machine)).toBe(true);
    expect(answersAs('192.168.1.20', at('0.0.0.0', 443, 'https'), machine)).toBe(true);
    // Without a port the Host means the scheme's own: http's 80 is not 443, https's 443 not 80, and neither is 8080.
    expect(answersAs('127.0.0.1', at(undefined, 443, 'http'), machine)).toBe(false);
    expect(answersAs('localhost', at(undefined, 80, 'https'), machine)).toBe(false);
    expect(answersAs('127.0.0.1', at(undefined, 8080), machine)).toBe(false);
  });

  it('is refused when it is not a host and a port', () => {
    for (const host of ['::1:8090', '[::1:8090', '127.0.0.1:', '127.0.0.1:abc', '127.0.0.1:8090/x', 'evil@127.0.0.1:8090', '127.0.0.1:8090 ', '127.0.0.1:999999']) {
      expect(answersAs(host, at(undefined, 8090), machine), host).toBe(false);
    }
  });
});

describe("a socket's Origin", () => {
  it("is the page's own origin at the Host the request came to, the default port written or not", () => {
    expect(sameOrigin('http://127.0.0.1:8090', '127.0.0.1:8090', 'http')).toBe(true);
    expect(sameOrigin('http://127.0.0.1', '127.0.0.1:80', 'http')).toBe(true);
    expect(sameOrigin('https://192.168.1.20', '192.168.1.20', 'https')).toBe(true);
    expect(sameOrigin('https://[fd00::2]:8090', '[FD00::2]:8090', 'https')).toBe(true);
    for (const [origin, host] of [
      ['http://127.0.0.1:8090', '127.0.0.1:8090'],
      ['https://evil.example', '127.0.0.1:443'],
      ['https://localhost:8090', '127.0.0.1:8090'],
      ['null', '127.0.0.1:443'],
      [undefined, '127.0.0.1:443'],
      ['https://127.0.0.1:8091', '127.0.0.1:8090'],
    ] as const) {
      expect(sameOrigin(origin, host, 'https'), `${origin} at ${host}`).toBe(false);
    }
  });
});

/** This machine's first address that is not loopback: where another machine would reach it. */
const lan = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

describe('utter web on every interface', () => {
  let web: WebServer | undefined;
  afterAll(() => web?.close());

  it.skipIf(!lan)(`answers a browser on another machine, at this machine's address or name${lan ? '' : ' (skipped: this machine has no address but loopback)'}`, async () => {
    web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS, host: '0.0.0.0' });
    const { port, searchParams } = new URL(web.url);
    const status = (host: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => request({ host: lan, port, path: '/', headers: { host } }, (res) => resolve(res.resume().statusCode)).on('error', reject).end());
    expect(await status(`${lan}:${port}`)).toBe(200);
    expect(await status(`${hostname()}:${port}`)).toBe(200);
    // Still not a name that is not this machine's: DNS rebinding stays out.
    expect(await status(`evil.example:${port}`)).toBe(421);
    // The page's socket, at that address and from its origin, opens too.
    const opened = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://${lan}:${port}/control?token=${searchParams.get('token')}`, { headers: { origin: `http://${lan}:${port}` } });
      socket.once('open', () => {
        socket.close();
        resolve('open');
      });
      socket.once('unexpected-response', (_req, res) => resolve(`refused: ${res.statusCode}`));
      socket.once('error', (error) => resolve(error.message));
    });
    expect(opened).toBe('open');
  });
});
