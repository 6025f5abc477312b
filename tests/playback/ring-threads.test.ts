import { Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { expect, it } from 'vitest';
import { PlayerCore } from '../../shared/playback/player-core';
import { createStats, STAT } from '../../shared/playback/stats';

/**
 * A real second thread writes a ramp into the shared ring in random chunk sizes, with
 * random pauses, while this thread renders quanta through PlayerCore: over hundreds of
 * wrap-arounds every sample arrives once, in order, and every gap is zeros that the
 * underrun counters account for.
 */
const PRODUCER = `
const { workerData, parentPort } = require('node:worker_threads');
const { RingBuffer } = require('ringbuf.js');
const ring = new RingBuffer(workerData.sab, Float32Array);
let next = 1, seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const chunk = new Float32Array(2048);
function step() {
  if (next > workerData.total) { Atomics.store(workerData.stats, workerData.endedIndex, 1); parentPort.postMessage('done'); return; }
  const want = Math.min(1 + Math.floor(random() * 2000), ring.availableWrite(), workerData.total - next + 1);
  for (let i = 0; i < want; i++) chunk[i] = next + i;
  next += ring.push(chunk, want);
  // Mostly keeps up; now and then stalls long enough to empty the ring.
  setTimeout(step, random() < 0.02 ? 40 : random() * 2);
}
step();
`;

it('carries every sample once and in order between two threads, through underruns', async () => {
  const capacity = 4096;
  const sab = RingBuffer.getStorageForCapacity(capacity, Float32Array);
  const ring = new RingBuffer(sab, Float32Array);
  const stats = createStats();
  const core = new PlayerCore(ring, stats, 1, { initialFrames: 512, minFrames: 256, maxFrames: 3000, growth: 1.5 });
  const total = 400_000; // about 100 trips around the ring
  const worker = new Worker(PRODUCER, { eval: true, workerData: { sab, stats, total, endedIndex: STAT.ended } });
  const out = [new Float32Array(128)];
  let expected = 1;
  let zeros = 0;
  let disorder = 0;
  const deadline = performance.now() + 60_000;
  while (Atomics.load(stats, STAT.drained) === 0 && performance.now() < deadline) {
    core.render(out, 128);
    for (const v of out[0]) {
      if (v === 0) zeros++;
      else if (v === expected) expected++;
      else disorder++;
    }
    // Yield each quantum: the consumer outruns the producer now and then, forcing underruns.
    await new Promise((r) => setImmediate(r));
  }
  await worker.terminate();
  expect(disorder).toBe(0);
  expect(expected - 1).toBe(total);
  expect(Atomics.load(stats, STAT.framesPlayed)).toBe(total);
  expect(Atomics.load(stats, STAT.underruns)).toBeGreaterThan(0);
  // Every zero rendered after playback began is accounted for as inserted silence
  // (zeros before the first pre-roll and after the end are not).
  expect(Atomics.load(stats, STAT.silenceFrames)).toBeLessThanOrEqual(zeros);
  expect(Atomics.load(stats, STAT.prerollFrames)).toBeGreaterThan(512);
}, 90_000);
