// `npm run soak`: 200 utterances back to back in Chromium, 20 at once in Node (issue 12 §7).
import { runSoak } from './soak';
import { table } from '../bench/report';

const report = await runSoak({ utterances: 200, concurrent: 20, sampleEvery: 20 });
console.log('Soak: utterances back to back in Chromium through utter web (pcm, wav, mp3, opus, flac; stop, pause and resume, skip, play to the end)\n');
console.log(
  table(
    ['utterances', 'main heap MB', 'page heap MB', 'worker heap MB', 'AudioContexts made', 'workers made', 'open sockets', 'file descriptors'],
    report.samples.map((s) => [s.utterances, s.mainHeapMB, s.pageHeapMB, s.workerHeapMB, s.audioContexts, s.workers, s.sockets, s.fileDescriptors].map(String)),
  ),
);
const { slopes, concurrent } = report;
console.log(`\nGrowth per 100 utterances (least squares, after the first sample): main heap ${slopes.mainHeapMB} MB, page heap ${slopes.pageHeapMB} MB, worker heap ${slopes.workerHeapMB} MB, file descriptors ${slopes.fileDescriptors}.`);
console.log(
  `${concurrent.utterances} utterances at once through the engine in Node: ${concurrent.failed} failed; heap ${concurrent.heapBeforeMB} → ${concurrent.heapAfterMB} MB after a collection; file descriptors ${concurrent.fdsBefore} → ${concurrent.fdsAfter}.`,
);
