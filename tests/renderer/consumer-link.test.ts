import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LinkEvent } from '../../shared/playback/link-protocol';

/**
 * The decoder worker's end of `utter web`'s audio sockets, in Node with a scripted
 * WebSocket: the server may offer the waiting socket an utterance, send it whole and
 * close it before the ticket reaches the worker; the play must still get all of it.
 */
class ScriptedSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static made: ScriptedSocket[] = [];
  readyState = ScriptedSocket.OPEN;
  binaryType = 'blob';
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string | ArrayBuffer }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.made.push(this);
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = ScriptedSocket.CLOSED;
  }
  /** The server's side: a message, then (optionally) its close. */
  serverSends(data: string): void {
    this.onmessage?.({ data });
  }
  serverCloses(): void {
    this.readyState = ScriptedSocket.CLOSED;
    this.onclose?.({ code: 1000, reason: 'done' });
  }
}

const AUDIO_URL = 'ws://127.0.0.1:1/audio?token=t&page=0123456789ab';
const END: LinkEvent = { type: 'end', metrics: { ttfbMs: 1, totalMs: 2, bytes: 3, segments: 1, retries: 0, failovers: 0 } };

beforeEach(() => {
  vi.useFakeTimers();
  ScriptedSocket.made = [];
  vi.stubGlobal('WebSocket', ScriptedSocket);
  vi.resetModules();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the worker\'s audio socket', () => {
  it('keeps an utterance the server offered and closed until its play, even when a new spare is due', async () => {
    const { openSpareSocket, openConsumerLink } = await import('../../renderer/src/audio/consumer-link');
    openSpareSocket(AUDIO_URL);
    const offered = ScriptedSocket.made[0];
    offered.serverSends(JSON.stringify({ offer: 7 }));
    offered.serverSends(JSON.stringify(END));
    offered.serverCloses();
    // An earlier play's timer asks for the next spare before this ticket has come.
    openSpareSocket(AUDIO_URL);
    expect(ScriptedSocket.made).toHaveLength(1);

    const events: LinkEvent[] = [];
    const lost: string[] = [];
    openConsumerLink({ kind: 'socket', url: AUDIO_URL, id: 7 }, (event) => events.push(event), (message) => lost.push(message));
    await Promise.resolve();
    expect(events).toEqual([END]);
    expect(lost).toEqual([]);
    // Offered, so never claimed.
    expect(offered.sent).toEqual([]);
  });

  it('claims the spare for a play the server offered nothing', async () => {
    const { openSpareSocket, openConsumerLink } = await import('../../renderer/src/audio/consumer-link');
    openSpareSocket(AUDIO_URL);
    const events: LinkEvent[] = [];
    openConsumerLink({ kind: 'socket', url: AUDIO_URL, id: 8 }, (event) => events.push(event), () => {});
    const socket = ScriptedSocket.made[0];
    expect(socket.sent).toEqual([JSON.stringify({ claim: 8 })]);
    socket.serverSends(JSON.stringify(END));
    expect(events).toEqual([END]);
    // The next spare opens a while into the play, not at once.
    expect(ScriptedSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(300);
    expect(ScriptedSocket.made).toHaveLength(2);
  });
});

describe('chunk frames on the audio socket', () => {
  it('carry the segment, the bytes and when the engine read them; a chunk read from no network has no read time', async () => {
    const { decodeChunkFrame, encodeChunkFrame } = await import('../../shared/playback/link-protocol');
    const bytes = Uint8Array.of(1, 2, 3);
    const frame = (readMs?: number, following?: number) => encodeChunkFrame(7, bytes, readMs, following).slice().buffer;
    expect(decodeChunkFrame(frame(1234.5))).toEqual({ type: 'chunk', segmentIndex: 7, bytes, readMs: 1234.5 });
    expect(decodeChunkFrame(frame())).toEqual({ type: 'chunk', segmentIndex: 7, bytes });
    expect(decodeChunkFrame(frame(1234.5, 3056))).toEqual({ type: 'chunk', segmentIndex: 7, bytes, readMs: 1234.5, following: 3056 });
  });
});
