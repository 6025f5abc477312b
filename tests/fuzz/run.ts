// `npm run fuzz [-- COUNT]`: every door, 10,000 generated inputs each by default, as a table.
import { table } from '../bench/report';
import { fuzzAppSocket, fuzzDecoders, fuzzDroppedFiles, fuzzPageOperations, fuzzSettingsFiles, fuzzWebHttp, type DoorResult } from './doors';

const count = Number(process.argv[2] ?? 10_000);
const results: DoorResult[] = [];
for (const door of [fuzzPageOperations, fuzzWebHttp, fuzzAppSocket, fuzzSettingsFiles, fuzzDroppedFiles]) {
  const started = performance.now();
  results.push(await door(count));
  console.error(`${results.at(-1)!.door}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
results.push(...(await fuzzDecoders(count)));
console.log(`\nFuzzing, ${count.toLocaleString('en-US')} seeded inputs per door (Node ${process.version}):\n`);
console.log(table(['door', 'inputs', 'crashes', 'hangs', 'peak RSS MB'], results.map((r) => [r.door, r.inputs.toLocaleString('en-US'), `${r.crashes}`, `${r.hangs}`, `${r.peakRssMB}`])));
process.exitCode = results.some((r) => r.crashes || r.hangs) ? 1 : 0;
