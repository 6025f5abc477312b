// The decoder Web Worker: the ring's only producer. The logic is RingFeeder (shared/playback),
// tested in Node; this file wires it to the page's messages and to the utterance's link.
import { RingBuffer } from 'ringbuf.js';
import { RingFeeder } from '../../../shared/playback/ring-feeder';
import { openConsumerLink } from './consumer-link';
import type { WorkerNotice, WorkerRequest } from './worker-protocol';

let feeder: RingFeeder | null = null;
const notify = (notice: WorkerNotice): void => postMessage(notice);

self.onmessage = (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  try {
    if (request.type === 'init') {
      feeder = new RingFeeder(new RingBuffer(request.ring, Float32Array), new Int32Array(request.stats), request.options, notify);
      return;
    }
    if (!feeder) throw new Error('The decoder worker was used before init.');
    switch (request.type) {
      case 'play':
        return feeder.play(request.id, (onEvent, onLost) => openConsumerLink(request.source, onEvent, onLost), {
          streaming: request.streaming,
          pcmSampleRate: request.pcmSampleRate,
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
    }
  } catch (error) {
    notify({ type: 'crash', message: (error as Error).message });
  }
};

// A failure nobody caught still reaches the page instead of dying in silence.
self.onunhandledrejection = (event: PromiseRejectionEvent) => notify({ type: 'crash', message: String(event.reason?.message ?? event.reason) });
