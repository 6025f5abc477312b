// A loopback TCP proxy that plays bad networks between a client and the test server
// (spec T3): latency, a bandwidth cap, stalls and resets. The kernel here has no netem,
// and this needs no root. It only ever connects to a loopback address.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** Network conditions; all of them can change at runtime with `set()`. */
export interface ProxyConditions {
  /** Added to each direction, in ms: a request's round trip gains twice this. */
  latencyMs?: number;
  /** Downstream (server to client) cap in bytes/s, shared by all connections like one link; 0 = none. */
  bytesPerSecond?: number;
  /** The token bucket's size; default 1/50 s worth of bytesPerSecond (at least 512 bytes). */
  burstBytes?: number;
  /**
   * After this many downstream bytes of an answer, pause the connection for stallMs. Bytes
   * count from the client's latest request, so each answer on a kept-alive connection
   * counts afresh (HTTP/1.1 without pipelining: a client asks again only after the answer).
   */
  stallAfterBytes?: number;
  stallMs?: number;
  /** 'once' (default): the next answer to get there, then the stall clears; 'every': every answer. */
  stallMode?: 'once' | 'every';
  /** After exactly this many downstream bytes of an answer (counted as for stalls), reset the client (RST) and close the server side. */
  resetAfterBytes?: number;
  /** 'once' (default): the next answer to get there, then the reset clears; 'every': every answer. */
  resetMode?: 'once' | 'every';
}

/** Where the proxy forwards to, plus its initial conditions. */
export interface FaultProxyOptions extends ProxyConditions {
  /** `{host, port, path}`, a URL such as a TtsServer's `url`, or a port on 127.0.0.1. Loopback only. */
  target: { host?: string; port: number; path?: string } | string | number;
}

/** Counters since the proxy started. */
export interface ProxyStats {
  connections: number;
  open: number;
  bytesUp: number;
  bytesDown: number;
  resets: number;
  stalls: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** The target's URL through the proxy, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  /** Merges conditions; pass `undefined` for a field to clear it. */
  set(conditions: ProxyConditions): void;
  openConnections(): number;
  stats(): ProxyStats;
  /** How many connections were reset. */
  readonly resets: number;
  /** Destroys every connection and closes the listener; resolves when fully closed. */
  close(): Promise<void>;
}

/**
 * Bytes a direction may hold (in flight for the latency, or waiting for the client) before it
 * pauses its source, so backpressure reaches the sender. Like a TCP window, it caps the
 * throughput under latency L at HIGH_WATER / L (25 MB/s at 10 ms): far above any speech stream.
 */
const HIGH_WATER = 256 * 1024;

/** Starts the proxy on a random port of 127.0.0.1. `startFaultProxy(port, conditions)` also works. */
export async function startFaultProxy(options: FaultProxyOptions | number, initial: ProxyConditions = {}): Promise<FaultProxy> {
  const { target, ...rest } = typeof options === 'number' ? { target: options } : options;
  const { host, port: targetPort, path } = loopbackTarget(target);
  let conditions: ProxyConditions = { ...rest, ...initial };
  const stats: ProxyStats = { connections: 0, open: 0, bytesUp: 0, bytesDown: 0, resets: 0, stalls: 0 };
  const connections = new Set<() => void>();
  const sleepers = new Set<() => void>();
  const bucket = { tokens: 0, at: performance.now() };
  let closing = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      sleepers.add(done);
    });

  /** Token bucket: takes n bytes of credit (going into debt if needed), returns the ms to wait. */
  const reserve = (n: number, rate: number, burst: number): number => {
    const now = performance.now();
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * rate) / 1000) - n;
    bucket.at = now;
    return bucket.tokens >= 0 ? 0 : (-bucket.tokens / rate) * 1000;
  };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    if (closing) return void client.destroy();
    const upstream = connect({ host, port: targetPort, allowHalfOpen: true });
    // `answerAt`: where the current answer started in the connection's downstream bytes.
    const conn = { closed: false, down: 0, answerAt: 0, stalled: false };
    stats.connections++;
    stats.open++;
    const destroy = (): void => {
      if (conn.closed) return;
      conn.closed = true;
      stats.open--;
      connections.delete(destroy);
      client.destroy();
      upstream.destroy();
    };
    connections.add(destroy);
    for (const socket of [client, upstream]) socket.on('error', destroy).on('close', destroy);

    /** Sends downstream bytes in pieces cut at the stall and reset points and by the bucket. */
    const sendDown = async (data: Buffer): Promise<void> => {
      for (let offset = 0; ; ) {
        const c = conditions;
        const resetAt = c.resetAfterBytes;
        const stallAt = !conn.stalled ? c.stallAfterBytes : undefined;
        const at = conn.down - conn.answerAt;
        if (resetAt !== undefined && at >= resetAt) {
          if (c.resetMode !== 'every') conditions = { ...conditions, resetAfterBytes: undefined };
          stats.resets++;
          await flushed(client);
          // A real reset for the client; the server just sees its peer go.
          if (!client.destroyed) client.resetAndDestroy();
          return destroy();
        }
        if (stallAt !== undefined && at >= stallAt) {
          conn.stalled = true;
          stats.stalls++;
          if (c.stallMode !== 'every') conditions = { ...conditions, stallAfterBytes: undefined };
          await sleep(c.stallMs ?? 0);
          if (conn.closed) return;
          continue;
        }
        if (offset >= data.length) return;
        let n = data.length - offset;
        if (resetAt !== undefined) n = Math.min(n, resetAt - at);
        if (stallAt !== undefined) n = Math.min(n, stallAt - at);
        const rate = c.bytesPerSecond ?? 0;
        if (rate > 0) {
          const burst = Math.max(1, c.burstBytes ?? Math.max(512, Math.round(rate / 50)));
          n = Math.min(n, burst);
          await sleep(reserve(n, rate, burst));
          if (conn.closed) return;
        }
        await write(client, data.subarray(offset, offset + n));
        conn.down += n;
        stats.bytesDown += n;
        offset += n;
        if (conn.closed) return;
      }
    };

    /** One direction: delays each chunk by the latency, in order, and pauses its source while it holds too much. */
    const lane = (from: Socket, to: Socket, down: boolean): void => {
      const queue: { data: Buffer; due: number }[] = [];
      let held = 0;
      let ended = false;
      let running = false;
      const pump = async (): Promise<void> => {
        if (running) return;
        running = true;
        while (queue.length && !conn.closed) {
          const { data, due } = queue[0];
          if (due > performance.now()) await sleep(due - performance.now());
          if (conn.closed) break;
          if (down) await sendDown(data);
          else {
            await write(to, data);
            stats.bytesUp += data.length;
          }
          queue.shift();
          held -= data.length;
          if (held < HIGH_WATER && from.isPaused()) from.resume();
        }
        running = false;
        if (ended && !queue.length && !conn.closed) to.end();
      };
      from.on('data', (data: Buffer) => {
        // A request after an answer: the next answer counts its stall and reset points afresh.
        if (!down && conn.down > conn.answerAt) {
          conn.answerAt = conn.down;
          conn.stalled = false;
        }
        queue.push({ data, due: performance.now() + (conditions.latencyMs ?? 0) });
        held += data.length;
        if (held >= HIGH_WATER) from.pause();
        void pump();
      });
      from.on('end', () => {
        ended = true;
        void pump();
      });
    };
    lane(client, upstream, false);
    lane(upstream, client, true);
  });

  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    set: (more) => void (conditions = { ...conditions, ...more }),
    openConnections: () => stats.open,
    stats: () => ({ ...stats }),
    get resets() {
      return stats.resets;
    },
    close: async () => {
      closing = true;
      for (const wake of [...sleepers]) wake();
      for (const destroy of [...connections]) destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The callback of each socket's latest write: callbacks run in order, so it tells when all has left. */
const lastWrites = new WeakMap<Socket, Promise<void>>();

/** Writes, and resolves once the socket can take more (or is gone). */
function write(socket: Socket, data: Buffer): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  let sent = (): void => {};
  lastWrites.set(socket, new Promise<void>((resolve) => (sent = resolve)));
  if (socket.write(data, () => sent())) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

/** Resolves once everything written so far has left for the kernel, the socket is gone, or a second passed. */
function flushed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gone = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1000);
    socket.once('close', () => resolve());
  });
  return Promise.race([lastWrites.get(socket) ?? Promise.resolve(), gone]).finally(() => clearTimeout(timer));
}

/** The target, refused unless it is a loopback address: the proxy must never reach the network. */
function loopbackTarget(target: FaultProxyOptions['target']): { host: string; port: number; path: string } {
  let host = '127.0.0.1';
  let port: number;
  let path = '/v1';
  if (typeof target === 'number') port = target;
  else if (typeof target === 'string') {
    const url = new URL(target);
    host = url.hostname.replace(/^\[|\]$/g, '');
    port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    path = url.pathname.replace(/\/$/, '');
  } else {
    host = target.host ?? host;
    port = target.port;
    path = target.path ?? path;
  }
  if (host === 'localhost') host = '127.0.0.1';
  if (!/^127(\.\d{1,3}){3}$/.test(host) && host !== '::1') throw new Error(`fault-proxy: ${host} is not a loopback address`);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`fault-proxy: bad port ${port}`);
  return { host, port, path };
}
