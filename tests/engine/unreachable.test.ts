import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpeechError } from '../../electron/engine/errors';
import { providerStatus } from '../../electron/engine/provider-check';
import { afterFailure, DEFAULT_RETRY_POLICY } from '../../electron/engine/retry';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { closedPort } from '../support/closed-port';

/** What a speech request to `baseUrl` fails with. */
async function speechFailure(baseUrl: string, fetch?: typeof globalThis.fetch): Promise<SpeechError> {
  const provider = new OpenAiProvider({ ...DEFAULT_SETTINGS, baseUrls: [baseUrl], voice: 'alloy', fetch });
  const error = await provider.open({ text: 'Hello.', endpointIndex: 0, signal: new AbortController().signal }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SpeechError);
  return error as SpeechError;
}

describe('why a server could not be reached, said the same way by the settings check and by a speech request', () => {
  it('nothing listening: "is the server running?", and the code is kept for failover', async () => {
    const port = await closedPort();
    const failure = await speechFailure(`http://127.0.0.1:${port}/v1`);
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe(`Nothing answers at http://127.0.0.1:${port}/v1: is the server running?`);
    expect(failure.details.cause).toBe('ECONNREFUSED');
    expect((await providerStatus({ provider: 'openai', baseUrls: [`http://127.0.0.1:${port}/v1`] })).detail).toBe(`Nothing answers at 127.0.0.1:${port}: is the server running?`);
  });

  it('a certificate this computer does not trust (a real self-signed TLS server)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-cert-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const failure = await speechFailure(baseUrl);
      expect(failure.message).toMatch(new RegExp(`^${baseUrl.replace(/[./]/g, '\\$&')} did not show a certificate this computer trusts \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\\)\\.$`));
      // Trying again cannot help; another server may.
      expect(failure.retryable).toBe(false);
      expect(afterFailure(failure, { retries: 0, endpointIndex: 0, endpoints: [baseUrl] }, DEFAULT_RETRY_POLICY)).toEqual({ action: 'give-up' });
      expect(afterFailure(failure, { retries: 0, endpointIndex: 0, endpoints: [baseUrl, 'http://127.0.0.1:1/v1'] }, DEFAULT_RETRY_POLICY)).toEqual({ action: 'failover', endpointIndex: 1 });
      expect((await providerStatus({ provider: 'openai', baseUrls: [baseUrl] })).detail).toMatch(/^127\.0\.0\.1:\d+ did not show a certificate this computer trusts/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a port fetch will not connect to (browsers block it too): says so, though a server listens there', async () => {
    // The first of the blocked ports above 1024 free on this machine, with a real server on it.
    let server: Server | undefined;
    for (const port of [6000, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080, 5060, 5061, 6566]) {
      const candidate = createServer((socket) => socket.end());
      const bound = await new Promise<boolean>((resolve) => candidate.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => resolve(true)));
      if (bound) {
        server = candidate;
        break;
      }
    }
    expect(server, 'no blocked port above 1024 was free').toBeDefined();
    try {
      const { port } = server!.address() as AddressInfo;
      const failure = await speechFailure(`http://127.0.0.1:${port}/v1`);
      expect(failure.message).toBe(`Cannot reach http://127.0.0.1:${port}/v1: port ${port} is one that fetch, like browsers, will not connect to. Run the server on another port.`);
      expect(failure.retryable).toBe(false);
      expect(afterFailure(failure, { retries: 0, endpointIndex: 0, endpoints: ['one'] }, DEFAULT_RETRY_POLICY)).toEqual({ action: 'give-up' });
      expect(afterFailure(failure, { retries: 0, endpointIndex: 0, endpoints: ['one', 'two'] }, DEFAULT_RETRY_POLICY)).toEqual({ action: 'failover', endpointIndex: 1 });
      expect((await providerStatus({ provider: 'openai', baseUrls: [`http://127.0.0.1:${port}/v1`] })).detail).toBe(
        `Cannot reach 127.0.0.1:${port}: port ${port} is one that fetch, like browsers, will not connect to. Run the server on another port.`,
      );
    } finally {
      await new Promise((resolve) => server!.close(resolve));
    }
  });

  it.each([
    ['an SSH server', 'SSH-2.0-OpenSSH_9.6\r\n', 'Expected HTTP/, RTSP/ or ICE/'],
    ['a Content-Length that is no number', 'HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: abc\r\n\r\nRIFF', 'Invalid character in Content-Length'],
    ['a Content-Length and chunks both', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n4\r\nRIFF\r\n0\r\n\r\n', "Content-Length can't be present with Transfer-Encoding"],
    ['two Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 100\r\n\r\nRIFF', 'a Content-Length that does not match the body'],
  ])('%s: answered with something that is not valid HTTP, and not asked again', async (_case, answer, reason) => {
    // A real socket answering these bytes to any request.
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const failure = await speechFailure(`http://127.0.0.1:${port}/v1`);
      expect(failure.message).toBe(`http://127.0.0.1:${port}/v1 answered with something that is not valid HTTP (${reason}).`);
      expect(failure.retryable).toBe(false);
      expect(afterFailure(failure, { retries: 0, endpointIndex: 0, endpoints: ['one', 'two'] }, DEFAULT_RETRY_POLICY)).toEqual({ action: 'failover', endpointIndex: 1 });
      expect((await providerStatus({ provider: 'openai', baseUrls: [`http://127.0.0.1:${port}/v1`] })).detail).toBe(`127.0.0.1:${port} answered with something that is not valid HTTP (${reason}).`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([
    ['ENOTFOUND', 'Cannot reach https://tts.invalid/v1: no computer is named tts.invalid.'],
    ['EAI_AGAIN', 'Cannot reach https://tts.invalid/v1: the name tts.invalid cannot be looked up now. Is the network up?'],
    ['ENETUNREACH', 'Cannot reach https://tts.invalid/v1 (ENETUNREACH): is the network up?'],
    ['UND_ERR_SOCKET', 'https://tts.invalid/v1 closed the connection without an answer (UND_ERR_SOCKET).'],
    ['EWHATEVER', 'Cannot reach https://tts.invalid/v1 (EWHATEVER): is the server running?'],
  ])('%s (as fetch reports it, a cause or two down): says so in words', async (code, message) => {
    // A machine offline, or a name that does not resolve: what fetch throws then, two causes deep.
    const fetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('lookup failed'), { code }) });
    };
    const failure = await speechFailure('https://tts.invalid/v1', fetch);
    expect(failure.message).toBe(message);
    expect(failure.details.cause).toBe(code);
    // Each of these may pass (the network comes back, the server restarts): worth a retry.
    expect(failure.retryable).toBe(true);
  });
});
