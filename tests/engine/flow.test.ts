import { describe, expect, it } from 'vitest';
import { ChunkCoalescer } from '../../electron/engine/coalesce';
import { CHUNK_SPAN_MS, ChunkSizer, FIRST_CHUNK_BYTES, UNHELD_START_BYTES } from '../../electron/engine/chunk-size';
import { FlowGate } from '../../electron/engine/flow';
import { SpeechError } from '../../electron/engine/errors';
import { DEFAULT_RETRY_POLICY, retryDelay } from '../../electron/engine/retry';

describe('ChunkCoalescer', () => {
  it('emits full chunks at once and flushes a trickle after the quiet time', async () => {
    const out: Uint8Array[] = [];
    const c = new ChunkCoalescer(() => 4, 15, (b) => out.push(b));
    for (let i = 0; i < 10; i++) c.push(Uint8Array.of(i));
    expect(out.map((b) => [...b])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(c.heldBytes).toBe(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(out.map((b) => [...b])[2]).toEqual([8, 9]);
    c.push(new Uint8Array(9).fill(7));
    expect(out.slice(3).map((b) => b.length)).toEqual([4, 4]);
    c.discard();
    await new Promise((r) => setTimeout(r, 40));
    expect(out.length).toBe(5);
  });
});

describe('ChunkCoalescer and read times', () => {
  it('stamps each chunk with the read its last byte came in, a flushed trickle too', async () => {
    const out: [number[], number][] = [];
    const c = new ChunkCoalescer(() => 4, 15, (b, readMs) => out.push([[...b], readMs]));
    c.push(Uint8Array.of(0, 1, 2), 100);
    c.push(Uint8Array.of(3, 4, 5, 6, 7, 8), 171);
    c.push(Uint8Array.of(9), 242);
    expect(out).toEqual([
      [[0, 1, 2, 3], 171],
      [[4, 5, 6, 7], 171],
    ]);
    await new Promise((r) => setTimeout(r, 40));
    expect(out[2]).toEqual([[8, 9], 242]);
  });
});

describe('ChunkCoalescer and whole reads', () => {
  it('sends what is left of a read that is no trickle at once, and still gathers a trickle', () => {
    const out: Uint8Array[] = [];
    const sizes = [1024, 2048, 4096];
    const following: number[] = [];
    const c = new ChunkCoalescer(() => sizes[Math.min(out.length, 2)], 15, (b, _readMs, rest) => out.push(b) && following.push(rest), () => 1024);
    // One 4080-byte read, as a server's first: nothing of it waits for the quiet time.
    c.push(new Uint8Array(4080));
    expect(out.map((b) => b.length)).toEqual([1024, 2048, 1008]);
    // Each chunk says how much of the read comes right after it (the player counts it as in hand).
    expect(following).toEqual([3056, 1008, 0]);
    expect(c.heldBytes).toBe(0);
    c.push(new Uint8Array(300));
    c.push(new Uint8Array(300));
    expect(out.length).toBe(3);
    expect(c.heldBytes).toBe(600);
    c.discard();
  });
});

describe('ChunkCoalescer and a trickle that fills a chunk', () => {
  it('promises nothing after a chunk whose rest waits for more', () => {
    const following: number[] = [];
    const c = new ChunkCoalescer(() => 4, 15, (_b, _readMs, rest) => following.push(rest), () => 8);
    c.push(new Uint8Array(3));
    c.push(new Uint8Array(3));
    expect(following).toEqual([0]);
    expect(c.heldBytes).toBe(2);
    c.discard();
  });
});

describe('ChunkCoalescer with a size that changes', () => {
  it('asks for the size before every chunk', () => {
    const out: Uint8Array[] = [];
    const sizes = [1, 2, 4];
    const c = new ChunkCoalescer(() => sizes[Math.min(out.length, 2)], 15, (b) => out.push(b));
    c.push(new Uint8Array(12));
    expect(out.map((b) => b.length)).toEqual([1, 2, 4, 4]);
    expect(c.heldBytes).toBe(1);
    c.discard();
  });
});

describe('ChunkSizer', () => {
  it('starts a segment with a small chunk, then doubles until a read has been timed', () => {
    const sizer = new ChunkSizer(4096);
    expect(sizer.size).toBe(FIRST_CHUNK_BYTES);
    sizer.emitted(1024);
    expect(sizer.size).toBe(2 * FIRST_CHUNK_BYTES);
    sizer.emitted(1024);
    expect(sizer.size).toBe(4096);
  });

  it('follows the link: what arrives in 50 ms, between the first chunk and the setting', () => {
    const slow = new ChunkSizer(4096);
    slow.emitted(1024);
    // 24 kHz 16-bit pcm at real time: 48 bytes a ms, so 2,400 bytes in 50 ms.
    for (let i = 0; i < 10; i++) slow.arrived(960, 20);
    expect(slow.size).toBe(48 * CHUNK_SPAN_MS);
    const trickle = new ChunkSizer(4096);
    trickle.emitted(1024);
    trickle.arrived(100, 50);
    expect(trickle.size).toBe(FIRST_CHUNK_BYTES);
    const fast = new ChunkSizer(4096);
    fast.emitted(1024);
    fast.arrived(65536, 0);
    expect(fast.size).toBe(4096);
  });

  it('never exceeds the setting, not even for the first chunk', () => {
    const sizer = new ChunkSizer(512);
    expect(sizer.size).toBe(512);
    sizer.emitted(1024);
    sizer.arrived(1 << 20, 10);
    expect(sizer.size).toBe(512);
  });

  it('makes the first chunk of the next segment small again, keeping the pace it measured', () => {
    const sizer = new ChunkSizer(8192);
    sizer.emitted(1024);
    sizer.arrived(4800, 50);
    expect(sizer.size).toBe(4800);
    sizer.restart();
    expect(sizer.size).toBe(FIRST_CHUNK_BYTES);
    sizer.emitted(1024);
    expect(sizer.size).toBe(4800);
  });
});

describe('ChunkSizer and trickles', () => {
  it('holds no read back for the first 16 KB of a segment, then lets a trickle wait for company', () => {
    const sizer = new ChunkSizer(4096);
    expect(sizer.trickleBelow).toBe(0);
    for (let sent = 0; sent < UNHELD_START_BYTES - 300; sent += 300) sizer.emitted(300);
    expect(sizer.trickleBelow).toBe(0);
    sizer.emitted(300);
    expect(sizer.trickleBelow).toBe(FIRST_CHUNK_BYTES);
    sizer.restart();
    expect(sizer.trickleBelow).toBe(0);
    const small = new ChunkSizer(512);
    small.emitted(UNHELD_START_BYTES);
    expect(small.trickleBelow).toBe(512);
  });
});

describe('FlowGate', () => {
  it('closes when the consumer holds max-buffer, or a window is unacknowledged', async () => {
    const gate = new FlowGate(2000, 100);
    expect(gate.open).toBe(true);
    gate.sentBytes(100);
    expect(gate.open).toBe(false);
    gate.report({ consumedBytes: 100, bufferedMs: 2500 });
    expect(gate.open).toBe(false);
    const opened = gate.wait(new AbortController().signal).then(() => 'open');
    gate.report({ consumedBytes: 100, bufferedMs: 1900 });
    await expect(opened).resolves.toBe('open');
  });

  it('ignores stale reports, pauses, and lets an abort through', async () => {
    const gate = new FlowGate(2000, 100);
    gate.sentBytes(130);
    gate.report({ consumedBytes: 120, bufferedMs: 0, decodedMs: 500 });
    gate.report({ consumedBytes: 10, bufferedMs: 0, decodedMs: 500 });
    expect(gate.outstandingBytes).toBe(10);
    gate.setPaused(true);
    expect(gate.open).toBe(false);
    const abort = new AbortController();
    const waited = gate.wait(abort.signal);
    abort.abort();
    await waited;
    gate.setPaused(false);
    expect(gate.open).toBe(true);
  });

  it('keeps a quarter window until the audio per byte rests on a quarter window of audio bytes', () => {
    // The first reports lag the decoder and count header bytes: priced from them alone, a
    // burst of mp3 was let through to twice max-buffer.
    const gate = new FlowGate(2000, 100);
    gate.sentBytes(60);
    gate.report({ consumedBytes: 10, bufferedMs: 0, decodedMs: 50 });
    expect(gate.outstandingBytes).toBe(50);
    expect(gate.open).toBe(false);
    gate.report({ consumedBytes: 40, bufferedMs: 0, decodedMs: 400 });
    expect(gate.open).toBe(true);
  });

  it('counts the audio in bytes still in flight, from the bitrate the consumer reports', () => {
    const gate = new FlowGate(2000, 100_000);
    gate.sentBytes(4000);
    // 2000 bytes decoded to 1000 ms: the 2000 bytes in flight hold another 1000 ms.
    gate.report({ consumedBytes: 2000, bufferedMs: 900, decodedMs: 1000 });
    expect(gate.projectedBufferMs).toBe(1900);
    expect(gate.open).toBe(true);
    gate.sentBytes(400);
    expect(gate.projectedBufferMs).toBe(2100);
    expect(gate.open).toBe(false);
  });

  it('prices bytes in flight at the rate since the first audio, not counting header bytes as audio', () => {
    const gate = new FlowGate(2000, 4000);
    // 8000 bytes of header and padding, then audio at 1 ms per 10 bytes.
    gate.sentBytes(9000);
    gate.report({ consumedBytes: 9000, bufferedMs: 100, decodedMs: 100 });
    gate.sentBytes(2000);
    gate.report({ consumedBytes: 11000, bufferedMs: 300, decodedMs: 300 });
    gate.sentBytes(1000);
    // The average from the start says 300/11000 ms a byte (27 ms in flight); the audio says 100.
    expect(gate.projectedBufferMs).toBeCloseTo(400);
  });

  it('counts a segment\'s audio by what the consumer decoded from its bytes, not by bytes times a rate', () => {
    const gate = new FlowGate(60_000, 4000);
    // Segment one: Opus-like, 1 ms of audio per 5 bytes.
    gate.startSegment();
    gate.sentBytes(5000);
    gate.report({ consumedBytes: 5000, bufferedMs: 0, decodedMs: 1000 });
    // Segment two starts while 1000 of segment one's bytes are still in flight.
    gate.sentBytes(1000);
    gate.startSegment();
    gate.sentBytes(40_000);
    expect(gate.segmentDecodedMs).toBe(0);
    // The consumer reaches segment two: what it decoded until then was segment one's.
    gate.report({ consumedBytes: 6000, bufferedMs: 0, decodedMs: 1200 });
    expect(gate.segmentDecodedMs).toBe(0);
    // 30 KB of a tag (no audio), then pcm-like audio at 48 bytes a millisecond.
    gate.report({ consumedBytes: 36_000, bufferedMs: 0, decodedMs: 1200 });
    expect(gate.segmentDecodedMs).toBe(0);
    gate.report({ consumedBytes: 45_600, bufferedMs: 0, decodedMs: 1400 });
    expect(gate.segmentDecodedMs).toBe(200);
    // Bytes times the audio per byte would call the tag audio, and the pcm bytes Opus.
    expect(40_000 * gate.audioMsPerByte).toBeGreaterThan(1000);
  });

  it('allows a quarter window until the consumer says what a byte holds', () => {
    const gate = new FlowGate(2000, 100);
    gate.sentBytes(30);
    gate.report({ consumedBytes: 0, bufferedMs: 0 });
    expect(gate.open).toBe(false);
    gate.report({ consumedBytes: 10, bufferedMs: 0, decodedMs: 1 });
    expect(gate.open).toBe(true);
  });

  it('stays open without flow control, except when paused', () => {
    const gate = new FlowGate(2000, 100, false);
    gate.sentBytes(10_000);
    expect(gate.open).toBe(true);
    gate.setPaused(true);
    expect(gate.open).toBe(false);
  });
});

describe('retryDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 4 };
  it('backs off exponentially, capped, and gives up after maxRetries', () => {
    const error = new SpeechError('server', 'x');
    const delays = [1, 2, 3, 4].map((n) => retryDelay(error, n, policy)!);
    delays.forEach((d, i) => {
      const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(d).toBeLessThanOrEqual(nominal * 1.2);
    });
    expect(retryDelay(error, 5, policy)).toBeUndefined();
  });
  it('honours Retry-After and never retries auth or request errors', () => {
    expect(retryDelay(new SpeechError('rate-limit', 'x', { retryAfterMs: 1500 }), 1, policy)).toBe(1500);
    expect(retryDelay(new SpeechError('rate-limit', 'x', { retryAfterMs: 3_600_000 }), 1, policy)).toBeUndefined();
    for (const kind of ['auth', 'request', 'bad-audio', 'input'] as const) {
      expect(retryDelay(new SpeechError(kind, 'x'), 1, policy)).toBeUndefined();
    }
  });
});
