// The decoder Web Worker: the ring's only producer. The logic is RingFeeder (shared/playback),
// tested in Node; this file wires it to the page's messages and to the utterance's link.
import { RingBuffer } from 'ringbuf.js';
import type { DecodedAudio } from '../../../shared/decoders/types';
import { RingFeeder } from '../../../shared/playback/ring-feeder';
import { warmAudioPath, warmStretcher } from '../../../shared/playback/warm-up';
import { loadSonic } from '../../../shared/audio/time-stretch';
// Bundled beside the worker; Sonic's loader is told where (it would look beside sonic.js).
import sonicWasmUrl from '@echogarden/sonic-wasm/sonic.wasm?url';
import { openConsumerLink, openSpareSocket } from './consumer-link';
import type { WorkerNotice, WorkerRequest } from './worker-protocol';

let feeder: RingFeeder | null = null;
const notify = (notice: WorkerNotice): void => postMessage(notice);

// Workers have no decodeAudioData: a segment no streaming decoder can read (an MP4) goes to
// the page, which hands it straight to the browser's decoder (spec F4, E4). The only time
// audio bytes pass the page, and only for such streams.
const decodeRequests = new Map<number, { resolve: (audio: DecodedAudio) => void; reject: (error: Error) => void }>();
let nextRequest = 1;
function decodeWhole(bytes: Uint8Array): Promise<DecodedAudio> {
  const requestId = nextRequest++;
  const copy = bytes.slice().buffer;
  return new Promise((resolve, reject) => {
    decodeRequests.set(requestId, { resolve, reject });
    postMessage({ type: 'decode-request', requestId, bytes: copy } satisfies WorkerNotice, { transfer: [copy] });
  });
}

self.onmessage = (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  try {
    if (request.type === 'init') {
      feeder = new RingFeeder(new RingBuffer(request.ring, Float32Array), new Int32Array(request.stats), request.options, notify, decodeWhole);
      if (request.audioSocket) openSpareSocket(request.audioSocket);
      // While nothing plays yet: the first utterance then decodes as fast as the tenth.
      warmAudioPath(request.options.sampleRate).catch((error: Error) => notify({ type: 'crash', message: `A decoder could not load: ${error.message}` }));
      const ready = feeder;
      loadSonic(sonicWasmUrl).then(
        (sonic) => {
          warmStretcher(sonic, request.options.sampleRate);
          ready.useSonic(sonic);
        },
        (error: Error) => notify({ type: 'crash', message: `The time-stretcher could not load: ${error.message}` }),
      );
      return notify({ type: 'ready' });
    }
    if (request.type === 'decoded') {
      const waiter = decodeRequests.get(request.requestId);
      decodeRequests.delete(request.requestId);
      if (request.error || !request.channels || !request.sampleRate) waiter?.reject(new Error(request.error ?? 'the browser could not decode it'));
      else waiter?.resolve({ channelData: request.channels, samplesDecoded: request.channels[0]?.length ?? 0, sampleRate: request.sampleRate });
      return;
    }
    if (!feeder) throw new Error('The decoder worker was used before init.');
    switch (request.type) {
      case 'play':
        return feeder.play(request.id, (onEvent, onLost) => openConsumerLink(request.source, onEvent, onLost), {
          streaming: request.streaming,
          pcmSampleRate: request.pcmSampleRate,
          prerollMs: request.prerollMs,
          prerollLearned: request.prerollLearned,
        });
      case 'stop':
        return feeder.stop();
      case 'pause':
        return feeder.pause();
      case 'resume':
        return feeder.resume();
      case 'skip':
      case 'previous':
        return feeder.seek(request.type);
      case 'rate':
        return feeder.setRate(request.rate);
    }
  } catch (error) {
    notify({ type: 'crash', message: (error as Error).message });
  }
};

// A failure nobody caught still reaches the page instead of dying in silence.
self.onunhandledrejection = (event: PromiseRejectionEvent) => notify({ type: 'crash', message: String(event.reason?.message ?? event.reason) });
