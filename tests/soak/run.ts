// `npm run soak`: 200 utterances back to back in Chromium over a changing link, 20 at once in Node.
import { runSoak } from './soak';
import { table } from '../bench/report';

const report = await runSoak({ utterances: 200, concurrent: 20, sampleEvery: 20, phaseLength: 25 });
console.log('Soak: utterances back to back in Chromium through utter web (pcm, wav, mp3, opus, flac; stop, pause and resume, skip, play to the end)\n');
console.log(
  table(
    ['utterances', 'main heap MB', 'page heap MB', 'worker heap MB', 'AudioContexts made', 'workers made', 'open sockets', 'TTS connections', 'file descriptors'],
    report.samples.map((s) => [s.utterances, s.mainHeapMB, s.pageHeapMB, s.workerHeapMB, s.audioContexts, s.workers, s.sockets, s.ttsConnections, s.fileDescriptors].map(String)),
  ),
);
const { slopes, network, concurrent } = report;
console.log(`\nGrowth per 100 utterances (least squares, after the first sample): main heap ${slopes.mainHeapMB} MB, page heap ${slopes.pageHeapMB} MB, worker heap ${slopes.workerHeapMB} MB, file descriptors ${slopes.fileDescriptors}.`);
console.log('\nPer network condition (the link changes every 25 utterances, round and round):\n');
console.log(
  table(
    ['condition', 'utterances', 'ended / stopped / failed', 'underruns', 'first audio, median', 'stalls / resets made'],
    network.map((c) => [c.condition, String(c.utterances), `${c.ended} / ${c.stopped} / ${c.failed}`, String(c.underruns), c.firstAudioMedianMs === null ? '–' : `${c.firstAudioMedianMs} ms`, `${c.stalls} / ${c.resets}`]),
  ),
);
for (const c of network) for (const error of c.errors) console.log(`error under ${c.condition}: ${error}`);
console.log(
  `\n${concurrent.utterances} utterances at once through the engine in Node (50 ms latency, ${concurrent.stalls} stall, ${concurrent.resets} reset): ${concurrent.failed} failed; heap ${concurrent.heapBeforeMB} → ${concurrent.heapAfterMB} MB after a collection; file descriptors ${concurrent.fdsBefore} → ${concurrent.fdsAfter}.`,
);
for (const error of concurrent.errors) console.log(`error at once: ${error}`);
