// The embedded eSpeak NG voice, in a worker thread so synthesis never blocks the main
// process. Plain JavaScript on purpose: it runs unchanged under vitest, tsx (the CLI) and
// in the packaged app, where the build copies it next to the main bundle.
import { parentPort } from 'node:worker_threads';
import Module from '@echogarden/espeak-ng-emscripten';

const espeak = await Module();
const worker = new espeak.eSpeakNGWorker();
const voices = worker.list_voices().map((v) => ({
  id: v.identifier,
  name: v.name,
  language: v.languages[0]?.name,
  languages: v.languages.map((l) => l.name),
}));

/** A voice id, a language code ("en-us") or a voice name, as eSpeak accepts it. */
function findVoice(wanted) {
  const w = wanted.toLowerCase();
  return voices.find((v) => v.id.toLowerCase() === w || v.languages.includes(w) || v.name.toLowerCase() === w);
}

parentPort.on('message', (message) => {
  if (message.type === 'voices') {
    parentPort.postMessage({ type: 'voices', id: message.id, voices });
    return;
  }
  const { id, text, voice, rate, abort } = message;
  const flag = new Int32Array(abort);
  try {
    const found = findVoice(voice);
    if (!found) throw Object.assign(new Error(`There is no embedded voice "${voice}" (utter voices --provider local lists them).`), { kind: 'request' });
    worker.set_voice(found.languages[0] ?? found.id);
    worker.set_rate(rate);
    worker.synthesize(text, (samples, events) => {
      // Returning true tells eSpeak to stop: the request was cancelled.
      if (Atomics.load(flag, 0)) return true;
      const words = events
        .filter((e) => e.type === 'word')
        .map((e) => ({ start: e.text_position - 1, end: e.text_position - 1 + e.word_length, audioMs: e.audio_position }));
      if (samples.length || words.length) parentPort.postMessage({ type: 'audio', id, samples, words }, [samples.buffer]);
      return false;
    });
    parentPort.postMessage({ type: 'done', id, cancelled: Atomics.load(flag, 0) === 1 });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, kind: error.kind ?? 'bad-audio', message: error.message });
  }
});
parentPort.postMessage({ type: 'ready' });
