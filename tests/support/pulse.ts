// A private PulseAudio per test, with a null sink whose monitor we record: what headless
// Chromium really plays, sample for sample, with wall-clock times. The recipe and its
// measured quirks: spec W4-W7 (docs/streaming-spec.md).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The recorder's format: float, so nothing is lost to 16-bit rounding or clipping.
const RATE = 48000;
const BYTES_PER_SAMPLE = 4;
const READY_TIMEOUT_MS = 10_000;

/** A running private PulseAudio daemon. */
export interface PulseAudio {
  /** Environment that points the browser, pactl and parec at this daemon only. */
  env: Record<string, string>;
  /** Starts recording the null sink `cap` (float, 48 kHz; mono unless asked for both sides). */
  record(channels?: 1 | 2): Recording;
  /**
   * Freezes the daemon for `ms` (SIGSTOP, then SIGCONT): nothing is played meanwhile, as on
   * a machine too busy to run its sound server. Resolves once it runs again.
   */
  freeze(ms: number): Promise<void>;
  /** Stops any recording, kills the daemon and removes its folder. */
  stop(): Promise<void>;
}

/** A parec process recording `cap.monitor`. */
export interface Recording {
  /**
   * Resolves when the first bytes arrive. An idle null sink can take up to 2 s to deliver
   * them, so wait for this before playing anything you mean to catch.
   */
  ready: Promise<void>;
  /** Stops parec and returns everything it recorded. */
  stop(): Promise<RecordedAudio>;
}

/** What a {@link Recording} captured, and when. */
export interface RecordedAudio {
  /** Interleaved when `channels` is 2. */
  samples: Float32Array;
  channels: 1 | 2;
  sampleRate: 48000;
  /**
   * Wall-clock ms (`performance.timeOrigin` scale, like the page's) of sample 0: arrival of
   * the first read minus the duration of that read. Sample i was heard at
   * `startedAtMs + i * 1000 / sampleRate`.
   */
  startedAtMs: number;
  /**
   * The same estimate taken from every read, keeping the earliest: no sample can arrive
   * before it was played. Far below `startedAtMs` means the first read came late.
   */
  earliestStartMs: number;
}

/** True when the PulseAudio daemon and its recorder are installed. */
export function pulseAvailable(): boolean {
  return ['pulseaudio', 'parec', 'pactl'].every((bin) => spawnSync('which', [bin]).status === 0);
}

const wallNow = () => performance.timeOrigin + performance.now();

// Daemons still running when the test process exits (a crashed test, a missed afterAll),
// with their folders: killed and removed on the way out.
const running = new Map<ChildProcess, string>();
process.once('exit', () => {
  for (const [child, dir] of running) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Starts a private PulseAudio (per-user mode, which works as root) in a fresh temp folder,
 * with a float32 48 kHz stereo null sink `cap` as default sink and its monitor as default
 * source, and waits until `pactl info` answers.
 */
export async function startPulse(): Promise<PulseAudio> {
  const dir = mkdtempSync(join(tmpdir(), 'utter-pulse-'));
  const socket = join(dir, 'native');
  const log = join(dir, 'daemon.log');
  if (Buffer.byteLength(socket) > 107) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PulseAudio socket path too long for a unix socket (set a shorter TMPDIR): ${socket}`);
  }
  writeFileSync(
    join(dir, 'default.pa'),
    [
      `load-module module-null-sink sink_name=cap format=float32le rate=${RATE} channels=2`,
      `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      'set-default-sink cap',
      'set-default-source cap.monitor',
      '',
    ].join('\n'),
  );
  // Root ignores the per-user daemon.conf; PULSE_CONFIG is read in every mode.
  writeFileSync(
    join(dir, 'daemon.conf'),
    `default-sample-format = float32le\ndefault-sample-rate = ${RATE}\nalternate-sample-rate = ${RATE}\navoid-resampling = yes\n`,
  );
  // A client that lost our daemon must fail, not quietly spawn one of its own.
  writeFileSync(join(dir, 'client.conf'), 'autospawn = no\n');
  const env: Record<string, string> = {
    PULSE_RUNTIME_PATH: join(dir, 'runtime'),
    PULSE_STATE_PATH: join(dir, 'state'),
    PULSE_COOKIE: join(dir, 'cookie'),
    PULSE_SERVER: `unix:${socket}`,
    PULSE_CONFIG: join(dir, 'daemon.conf'),
    PULSE_CLIENTCONFIG: join(dir, 'client.conf'),
    XDG_CONFIG_HOME: join(dir, 'config'), // keeps the cookie out of the home folder
  };
  const childEnv = { ...process.env, ...env };

  const daemon = spawn(
    'pulseaudio',
    ['-n', '-F', join(dir, 'default.pa'), '--exit-idle-time=-1', '--daemonize=no', '--use-pid-file=no', `--log-target=file:${log}`],
    { env: childEnv, stdio: 'ignore' },
  );
  running.set(daemon, dir);
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  exited.then(() => running.delete(daemon));
  let spawnError: Error | undefined;
  daemon.once('error', (e) => (spawnError = e));

  const recordings = new Set<Recording>();
  const stop = async () => {
    await Promise.allSettled([...recordings].map((r) => r.stop()));
    if (daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGTERM');
      const killer = setTimeout(() => daemon.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let answer = ''; !answer.includes('Default Sink: cap'); ) {
    // A module that fails to load leaves the daemon running but useless: fail at once.
    const logText = readText(log);
    const died = daemon.exitCode !== null || daemon.signalCode !== null;
    const badModule = logText.includes('Failed to load module');
    if (spawnError || died || badModule || Date.now() > deadline) {
      const why = spawnError
        ? spawnError.message
        : died
          ? `exited (${daemon.exitCode ?? daemon.signalCode})`
          : badModule
            ? 'failed to load a module'
            : `did not answer in ${READY_TIMEOUT_MS} ms`;
      await stop();
      throw new Error(`private PulseAudio ${why}; daemon log:\n${logText}`);
    }
    await new Promise((r) => setTimeout(r, 50));
    answer = await new Promise<string>((resolve) => execFile('pactl', ['info'], { env: childEnv, timeout: 2000 }, (_e, out) => resolve(String(out ?? ''))));
  }

  return {
    env,
    record(channels = 1) {
      const recording = startRecording(childEnv, channels);
      recordings.add(recording);
      return recording;
    },
    async freeze(ms) {
      daemon.kill('SIGSTOP');
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
      } finally {
        daemon.kill('SIGCONT');
      }
    },
    stop,
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(no log)';
  }
}

function startRecording(env: NodeJS.ProcessEnv, channels: 1 | 2): Recording {
  const parec = spawn('parec', ['-d', 'cap.monitor', '--raw', '--format=float32le', `--rate=${RATE}`, `--channels=${channels}`, '--latency-msec=5'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let startedAtMs = NaN;
  let earliestStartMs = Infinity;
  let stderr = '';
  parec.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((resolve) => parec.once('close', () => resolve()));

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parec delivered nothing in ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    parec.stdout.on('data', (chunk: Buffer) => {
      const now = wallNow();
      chunks.push(chunk);
      bytes += chunk.length;
      const start = now - (bytes / BYTES_PER_SAMPLE / channels / RATE) * 1000;
      if (Number.isNaN(startedAtMs)) {
        startedAtMs = start;
        clearTimeout(timer);
        resolve();
      }
      earliestStartMs = Math.min(earliestStartMs, start);
    });
    parec.once('error', (e) => reject(e));
    closed.then(() => {
      clearTimeout(timer);
      reject(new Error(`parec exited before recording anything: ${stderr}`));
    });
  });
  ready.catch(() => {}); // a caller that only calls stop() must not see an unhandled rejection

  let result: Promise<RecordedAudio> | undefined;
  return {
    ready,
    stop() {
      result ??= (async () => {
        // SIGINT: parec drains what it has and exits cleanly.
        if (parec.exitCode === null && parec.signalCode === null) parec.kill('SIGINT');
        const killer = setTimeout(() => parec.kill('SIGKILL'), 3000);
        await closed;
        clearTimeout(killer);
        const all = Buffer.concat(chunks);
        // A copy: the Buffer may sit at an offset that Float32Array cannot view.
        const samples = new Float32Array(Math.floor(all.length / BYTES_PER_SAMPLE));
        new Uint8Array(samples.buffer).set(all.subarray(0, samples.length * BYTES_PER_SAMPLE));
        return { samples, channels, sampleRate: RATE, startedAtMs, earliestStartMs };
      })();
      return result;
    },
  };
}
