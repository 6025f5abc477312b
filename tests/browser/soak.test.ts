import { describe, expect, it } from 'vitest';
import { runSoak } from '../soak/soak';

/**
 * The soak's short version in npm test (npm run soak runs 200 and 20): utterances back to
 * back in Chromium, and at once in Node, must leave nothing behind that grows with them.
 */
describe('a short soak', () => {
  it('15 utterances back to back and 10 at once leave no context, worker, socket or descriptor behind', async () => {
    const report = await runSoak({ utterances: 15, concurrent: 10, sampleEvery: 5 });
    console.log(`soak: ${JSON.stringify(report.samples.at(-1))}; slopes per 100 ${JSON.stringify(report.slopes)}; at once ${JSON.stringify(report.concurrent)}`);
    const first = report.samples[1];
    const last = report.samples.at(-1)!;
    // One audio path for the page's whole life.
    expect(last.audioContexts).toBe(1);
    expect(last.workers).toBe(1);
    // Only the page's control socket stays open; every utterance's audio socket closed.
    expect(last.sockets).toBe(first.sockets);
    expect(last.fileDescriptors - first.fileDescriptors).toBeLessThanOrEqual(4);
    // Growth per 100 utterances (a leak of one decoded utterance each would be tens of MB).
    expect(report.slopes.pageHeapMB).toBeLessThan(10);
    expect(report.slopes.mainHeapMB).toBeLessThan(20);
    expect(report.concurrent.failed).toBe(0);
    expect(report.concurrent.fdsAfter - report.concurrent.fdsBefore).toBeLessThanOrEqual(4);
  }, 240_000);
});
