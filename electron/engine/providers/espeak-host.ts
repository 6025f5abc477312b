// The one worker thread behind every embedded-voice provider: started lazily, shared, its
// requests run in order of arrival, and it never keeps an idle process alive.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SpeechError, type SpeechErrorKind } from '../errors';
import type { WordMark } from '../provider';
import { CANCEL, ESPEAK_SAMPLE_RATE, FLUSH, SEQ } from './espeak-control.mjs';

/** How much a request whose reader stalled may make while another waits behind it (spec B4). */
const FLUSH_SAMPLES = 180 * ESPEAK_SAMPLE_RATE;

export type Ready = { voices: { id: string; name: string; language?: string }[]; startMs: number };

type WorkerMessage =
  | ({ type: 'ready' } & Ready)
  | { type: 'fatal'; message: string }
  | { type: 'audio'; id: number; samples: Int16Array; words: WordMark[] }
  | { type: 'done'; id: number; cancelled: boolean }
  | { type: 'error'; id: number; kind: SpeechErrorKind; message: string };

export type JobMessage = Extract<WorkerMessage, { id: number }>;

/** Writes a control slot and wakes the worker if it sleeps in Atomics.wait. */
export function poke(control: Int32Array, slot: number, value: number): void {
  Atomics.store(control, slot, value);
  Atomics.add(control, SEQ, 1);
  Atomics.notify(control, SEQ);
}

const hosts = new Map<string, EspeakHost>();

export function acquireHost(url: URL): EspeakHost {
  const where = unpacked(url);
  let host = hosts.get(where.href);
  if (!host) hosts.set(where.href, (host = new EspeakHost(where, url)));
  host.users++;
  return host;
}

export async function releaseHost(host: EspeakHost): Promise<void> {
  if (--host.users > 0) return;
  hosts.delete(host.url.href);
  await host.stop();
}

/**
 * Packaged, the bundle runs from app.asar, but worker_threads needs a real file:
 * electron-builder unpacks the worker (asarUnpack) to app.asar.unpacked beside it.
 */
function unpacked(url: URL): URL {
  return url.protocol === 'file:' ? new URL(url.href.replace(/\/app\.asar\//, '/app.asar.unpacked/')) : url;
}

/** The build's record of the worker's files (electron.vite.config.ts), beside the bundle. */
export const WORKER_HASHES = 'espeak-worker.sha256.json';

/**
 * Checks the worker's files against the hashes the build recorded inside the bundle. The
 * asar integrity fuse covers the bundle but not the unpacked worker, which runs with the
 * app's rights: a changed file is refused. Run from the sources (no record), nothing is checked;
 * unpacked from an asar, the record must be there. Returns why not, or null.
 */
export function verifyWorker(worker: URL, bundled: URL): string | null {
  // No file at all: starting it says where it was looked for.
  if (worker.protocol !== 'file:' || !existsSync(worker)) return null;
  const record = new URL(WORKER_HASHES, bundled);
  const packaged = worker.href !== bundled.href;
  if (!existsSync(record)) return packaged ? `The embedded voice cannot start: ${WORKER_HASHES} is missing from the app. Reinstall Utter.` : null;
  try {
    const hashes = JSON.parse(readFileSync(record, 'utf8')) as Record<string, string>;
    for (const [name, expected] of Object.entries(hashes)) {
      const actual = createHash('sha256').update(readFileSync(new URL(name, worker))).digest('hex');
      if (actual !== expected) return `The embedded voice will not start: ${name} was changed after Utter was built. Reinstall Utter.`;
    }
    return null;
  } catch (error) {
    return `The embedded voice cannot start: its files could not be checked (${(error as Error).message}). Reinstall Utter.`;
  }
}

/** The one worker thread: started lazily, its requests run in order of arrival. */
export class EspeakHost {
  users = 0;
  private worker: Worker | null = null;
  private ready: Promise<Ready> | null = null;
  private readonly jobs = new Map<number, { control: Int32Array; listener: (message: JobMessage) => void }>();
  private nextId = 1;

  constructor(
    readonly url: URL,
    /** Where the bundle looks for it (inside app.asar when packaged): the build's hashes are there. */
    private readonly bundled: URL = url,
  ) {}

  /** Resolves when eSpeak is loaded and warm; rejects with a SpeechError if it cannot start. */
  start(): Promise<Ready> {
    if (this.ready) return this.ready;
    const refused = verifyWorker(this.url, this.bundled);
    if (refused) return Promise.reject(new SpeechError('config', refused));
    const worker = new Worker(this.url, { name: 'utter-espeak' });
    this.worker = worker;
    let started = false;
    const ready = new Promise<Ready>((resolve, reject) => {
      // Before 'ready' nothing will fix itself (a missing file): not worth a retry. After, a
      // crash is, on a fresh worker.
      const fail = (why: string): void => {
        const error = started
          ? new SpeechError('server', `The embedded voice stopped (${why}); it restarts on the next request.`, { endpoint: 'embedded' })
          : new SpeechError('unsupported', `The embedded voice cannot start: ${why}`, { endpoint: 'embedded' });
        reject(error);
        this.crashed(worker, error);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          started = true;
          resolve(message);
          this.idleCheck();
        } else if (message.type === 'fatal') {
          fail(message.message);
        } else {
          const job = this.jobs.get(message.id);
          if (message.type === 'done' || message.type === 'error') this.finish(message.id);
          job?.listener(message);
        }
      });
      worker.on('error', (error) => fail(error.message));
      worker.on('exit', (code) => fail(`exit ${code}`));
    });
    // The caller may not be waiting; failures also reach every job.
    ready.catch(() => {});
    this.ready = ready;
    return ready;
  }

  /** Queues one synthesis; the listener gets its audio, then 'done' or 'error'. */
  synthesize(job: { text: string; voice: string; rate: number; control: Int32Array }, listener: (message: JobMessage) => void): void {
    void this.start();
    // A request queued behind one whose reader paused would wait forever: let that one finish.
    for (const { control } of this.jobs.values()) poke(control, FLUSH, FLUSH_SAMPLES);
    const id = this.nextId++;
    this.jobs.set(id, { control: job.control, listener });
    this.worker!.ref();
    this.worker!.postMessage({ type: 'synthesize', id, text: job.text, voice: job.voice, rate: job.rate, control: job.control.buffer });
  }

  /** Terminates the worker; open requests end with 'cancelled'. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.crashed(worker, new SpeechError('cancelled', 'The embedded voice was closed.'));
    await worker.terminate();
  }

  private finish(id: number): void {
    this.jobs.delete(id);
    this.idleCheck();
  }

  /** An idle worker must not keep the process (the CLI, a test run) alive. */
  private idleCheck(): void {
    if (this.jobs.size === 0) this.worker?.unref();
  }

  private crashed(worker: Worker, error: SpeechError): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = null;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const { control, listener } of jobs) {
      poke(control, CANCEL, 1);
      listener({ type: 'error', id: 0, kind: error.kind, message: error.message });
    }
    worker.removeAllListeners('exit');
    void worker.terminate();
  }
}
