import { describe, expect, it } from 'vitest';
import { CONDITIONS } from '../soak/network';
import { runSoak } from '../soak/soak';

/**
 * The soak's short version in npm test (npm run soak runs 200 and 20): utterances back to
 * back in Chromium over a link that changes every 3 of them (a stall and a reset among the
 * changes), and at once in Node, must leave nothing behind that grows with them, and each
 * must end, stop or fail with an error: runSoak rejects on one that hangs.
 */
describe('a short soak', () => {
  it('20 utterances back to back over a changing link and 10 at once: none hangs, nothing is left behind', async () => {
    const report = await runSoak({ utterances: 20, concurrent: 10, sampleEvery: 5, phaseLength: 3 });
    console.log(`soak: ${JSON.stringify(report.samples.at(-1))}; slopes per 100 ${JSON.stringify(report.slopes)}; at once ${JSON.stringify(report.concurrent)}`);
    for (const c of report.network) console.log(`soak, ${c.condition}: ${JSON.stringify(c)}`);
    const first = report.samples[1];
    const last = report.samples.at(-1)!;
    // One audio path for the page's whole life.
    expect(last.audioContexts).toBe(1);
    expect(last.workers).toBe(1);
    // Only the page's control socket and its worker's spare audio socket stay open; every
    // utterance's audio socket closed.
    expect(last.sockets).toBe(first.sockets);
    expect(last.fileDescriptors - first.fileDescriptors).toBeLessThanOrEqual(4);
    // Growth per 100 utterances (a leak of one decoded utterance each would be tens of MB).
    expect(report.slopes.pageHeapMB).toBeLessThan(10);
    expect(report.slopes.mainHeapMB).toBeLessThan(20);
    // Every condition was played, the faults did bite, and the engine got over each of them.
    expect(report.network.map((c) => c.condition)).toEqual(CONDITIONS.map((c) => c.name));
    const byName = new Map(report.network.map((c) => [c.condition, c]));
    expect(byName.get('a 2 s stall a third into the body')!.stalls).toBeGreaterThan(0);
    expect(byName.get('a reset halfway through the body')!.resets).toBeGreaterThan(0);
    expect(report.network.flatMap((c) => c.errors)).toEqual([]);
    expect(report.concurrent.failed).toBe(0);
    expect(report.concurrent).toMatchObject({ stalls: 1, resets: 1 });
    expect(report.concurrent.fdsAfter - report.concurrent.fdsBefore).toBeLessThanOrEqual(4);
  }, 300_000);
});
