import { describe, expect, it } from 'vitest';
import { fuzzAppSocket, fuzzDecoders, fuzzDroppedFiles, fuzzPageOperations, fuzzSettingsFiles, fuzzWebHttp, type DoorResult } from './doors';

/**
 * The fuzzer at a size that fits `npm test` (`npm run fuzz` throws 10,000 at each door):
 * every input ends in correct behaviour or a clear refusal, with no crash and no hang.
 */
const COUNT = 2000;

function expectStanding(result: DoorResult): void {
  console.log(`${result.door}: ${result.inputs} inputs, ${result.crashes} crashes, ${result.hangs} hangs, peak RSS ${result.peakRssMB} MB; e.g. ${JSON.stringify(result.samples)}`);
  expect(result.inputs).toBe(COUNT);
  expect(result.crashes).toBe(0);
  expect(result.hangs).toBe(0);
  // Memory stays bounded: far under what a leak per input would reach.
  expect(result.peakRssMB).toBeLessThan(1500);
}

describe('every door stands up to generated input', () => {
  it('page operations', async () => expectStanding(await fuzzPageOperations(COUNT)), 120_000);
  it('utter web HTTP', async () => expectStanding(await fuzzWebHttp(COUNT)), 120_000);
  it('the app socket', async () => expectStanding(await fuzzAppSocket(COUNT)), 120_000);
  it('settings files', async () => expectStanding(await fuzzSettingsFiles(COUNT)), 120_000);
  it('dropped files', async () => expectStanding(await fuzzDroppedFiles(COUNT)), 120_000);
  it('the decoders', async () => {
    for (const result of await fuzzDecoders(COUNT)) expectStanding(result);
  }, 300_000);
});
