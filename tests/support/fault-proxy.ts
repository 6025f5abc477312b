import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** Network conditions between client and server (the kernel here has no netem). */
export interface ProxyConditions {
  /** Added to every downstream chunk, in ms. */
  latencyMs?: number;
  /** Downstream bandwidth cap, bytes per second. */
  bytesPerSecond?: number;
  /** After this many downstream bytes on a connection, pause for stallMs. */
  stallAfterBytes?: number;
  stallMs?: number;
  /** After this many downstream bytes, destroy the connection (once, then cleared). */
  resetAfterBytes?: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT/v1`. */
  url: string;
  set(conditions: ProxyConditions): void;
  openConnections(): number;
  resets: number;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy that delays, throttles, stalls or resets the server's answers.
 * It pauses the upstream socket while it holds data, so backpressure still reaches the server.
 */
export async function startFaultProxy(targetPort: number, initial: ProxyConditions = {}): Promise<FaultProxy> {
  let conditions = { ...initial };
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let resets = 0;

  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    let sent = 0;
    let stalled = false;
    let busyUntil = performance.now();
    let queue = Promise.resolve();
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      upstream.pause();
      queue = queue.then(async () => {
        const c = conditions;
        if (c.resetAfterBytes !== undefined && sent + data.length > c.resetAfterBytes) {
          client.write(data.subarray(0, Math.max(0, c.resetAfterBytes - sent)));
          conditions = { ...conditions, resetAfterBytes: undefined };
          resets++;
          client.resetAndDestroy();
          return end();
        }
        if (c.stallAfterBytes !== undefined && !stalled && sent + data.length > c.stallAfterBytes) {
          stalled = true;
          await delay(c.stallMs ?? 0);
        }
        if (c.bytesPerSecond) {
          busyUntil = Math.max(busyUntil, performance.now()) + (data.length / c.bytesPerSecond) * 1000;
          await delay(busyUntil - performance.now());
        }
        if (c.latencyMs) await delay(c.latencyMs);
        if (client.destroyed) return;
        sent += data.length;
        if (!client.write(data)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              client.off('drain', done).off('close', done);
              resolve();
            };
            client.on('drain', done).on('close', done);
          });
        }
        upstream.resume();
      });
    });
    upstream.on('end', () => queue.then(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    set: (more) => (conditions = { ...conditions, ...more }),
    openConnections: () => pairs.size,
    get resets() {
      return resets;
    },
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
