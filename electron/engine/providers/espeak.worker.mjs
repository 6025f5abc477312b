// The embedded eSpeak NG voice, in a worker thread so synthesis never blocks the main
// process. Plain JavaScript on purpose: it runs unchanged under vitest, tsx (the CLI) and in
// the packaged app, where the build copies it next to the main bundle (electron.vite.config.ts).
//
// Protocol (local.ts is the other side):
//   → { type: 'synthesize', id, text, voice, rate, control }  one at a time, in order
//   ← { type: 'ready', voices, startMs }   first message; { type: 'fatal', message } instead
//   ← { type: 'audio', id, samples: Int16Array, words }  as eSpeak produces them
//   ← { type: 'done', id, cancelled } | { type: 'error', id, kind, message }
// `control` is a SharedArrayBuffer of Int32 slots (espeak-control.mjs) that the main thread
// writes while this thread is busy inside eSpeak's synchronous synthesis.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { ALLOWED, CANCEL, FLUSH, SEQ } from './espeak-control.mjs';

/**
 * Sentences of different shapes (numbers, a question, punctuation), spoken once each while
 * nothing waits: V8 compiles eSpeak's code as it runs, so the first requests are slow until
 * several have run. With one sentence, the first two requests of a process took 10-22 ms to
 * their first audio, against 2-5 ms later.
 */
const WARM_UP = ['Ready to speak, 1 2 3.', 'Is this the 2nd time you have read it? Yes!', 'Numbers like 1,234.5 and words like "naive" or e-mail are read aloud.', 'The quick brown fox jumps over the lazy dog; then, at 5:30 pm, it rests.'];

const started = performance.now();
let espeak;
let voices;
let loaded = false;
/** The voice eSpeak has loaded: setting it again costs 1 ms idle and up to 20 ms on a busy machine (measured). */
let currentVoice = null;
try {
  espeak = await load();
  voices = listVoices(espeak);
  warmUp('en-us');
  loaded = true;
} catch (error) {
  parentPort.postMessage({ type: 'fatal', message: error?.message ?? String(error) });
}
if (loaded) {
  parentPort.on('message', (message) => {
    if (message.type === 'synthesize') synthesize(message);
  });
  parentPort.postMessage({
    type: 'ready',
    voices: voices.map(({ id, name, language }) => ({ id, name, language })),
    startMs: Math.round(performance.now() - started),
  });
}

/**
 * Loads eSpeak with its 24 MB data. The data is found next to the package's entry, which
 * Node resolves from this file's own location: node_modules beside out/main in the packaged
 * app (app.asar.unpacked), the project's node_modules in development. We read it ourselves:
 * when the package reads it and fails, it only logs and never settles.
 */
async function load() {
  const entry = import.meta.resolve('@echogarden/espeak-ng-emscripten');
  const dataPath = fileURLToPath(new URL('espeak-ng.data', entry));
  let data;
  try {
    data = await readFile(dataPath);
  } catch (error) {
    throw new Error(`The embedded voice's data is missing (${dataPath}: ${error.code ?? error.message}). Reinstall Utter.`);
  }
  const { default: init } = await import(entry);
  const module = await init({
    // A Buffer this size owns its ArrayBuffer; copy anyway if it ever does not.
    getPreloadedPackage: () =>
      data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    // eSpeak's stdout would land in the parent's stdout, which the CLI may use for audio.
    print: () => {},
    printErr: () => {},
  });
  return new module.eSpeakNGWorker();
}

/** eSpeak's voices; the id is the voice's language code ("en-us") unless two voices share it. */
function listVoices(engine) {
  const all = engine.list_voices();
  const firstLanguage = (v) => v.languages[0]?.name ?? v.identifier;
  const count = new Map();
  for (const v of all) count.set(firstLanguage(v), (count.get(firstLanguage(v)) ?? 0) + 1);
  return all.map((v) => ({
    id: count.get(firstLanguage(v)) === 1 ? firstLanguage(v) : v.identifier,
    identifier: v.identifier,
    name: v.name,
    language: v.languages[0]?.name,
    // Best match first (eSpeak: lower priority number = better).
    languages: [...v.languages].sort((a, b) => a.priority - b.priority).map((l) => l.name.toLowerCase()),
  }));
}

/** A voice by our id, eSpeak's identifier, its name, or a language it speaks. */
function findVoice(wanted) {
  const w = wanted.trim().toLowerCase();
  return (
    voices.find((v) => v.id.toLowerCase() === w || v.identifier.toLowerCase() === w || v.name.toLowerCase() === w) ??
    voices.find((v) => v.languages[0] === w) ??
    voices.find((v) => v.languages.includes(w))
  );
}

function useVoice(identifier) {
  if (identifier === currentVoice) return;
  espeak.set_voice(identifier);
  currentVoice = identifier;
}

/** The first syntheses are several times slower (cold JIT, voice files): pay for them before 'ready'. */
function warmUp(voice) {
  const found = findVoice(voice) ?? findVoice('en-us');
  if (!found) return;
  useVoice(found.identifier);
  // As a request sets it; eSpeak's rate is its default, 175 words per minute.
  espeak.set_rate(175);
  for (const text of WARM_UP) espeak.synthesize(text, () => false);
}

function synthesize({ id, text, voice, rate, control: buffer }) {
  const control = new Int32Array(buffer);
  if (Atomics.load(control, CANCEL)) {
    parentPort.postMessage({ type: 'done', id, cancelled: true });
    return;
  }
  const found = findVoice(voice);
  if (!found) {
    parentPort.postMessage({ type: 'error', id, kind: 'request', message: `There is no embedded voice "${voice}" (utter voices --provider local lists them).` });
    return;
  }
  try {
    useVoice(found.identifier);
    espeak.set_rate(rate);
    const { input, origin } = prepare(text);
    const words = wordMapper(text, origin);
    let produced = 0;
    espeak.synthesize(input, (samples, events) => {
      if (Atomics.load(control, CANCEL)) return true; // true: eSpeak stops
      const marks = words(events);
      // Count before posting: the transfer empties `samples`.
      produced += samples.length;
      if (samples.length || marks.length) parentPort.postMessage({ type: 'audio', id, samples, words: marks }, [samples.buffer]);
      waitForReader(control, produced);
      return Atomics.load(control, CANCEL) === 1;
    });
    parentPort.postMessage({ type: 'done', id, cancelled: Atomics.load(control, CANCEL) === 1 });
  } catch (error) {
    // eSpeak may be left broken: end this thread; the next request starts a fresh one.
    parentPort.postMessage({ type: 'error', id, kind: 'server', message: `The embedded voice failed: ${error?.message ?? error}` });
    process.exit(1);
  }
}

/**
 * Backpressure: eSpeak cannot be paused except by not returning from its callback, so once
 * the reader is a few seconds behind, this thread sleeps until it reads on, cancels, or the
 * main thread raises the limit because another request is waiting behind this one.
 */
function waitForReader(control, produced) {
  for (;;) {
    const seq = Atomics.load(control, SEQ);
    const limit = Math.max(Atomics.load(control, ALLOWED), Atomics.load(control, FLUSH));
    if (Atomics.load(control, CANCEL) || produced <= limit) return;
    Atomics.wait(control, SEQ, seq);
  }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': ' ' }; // NUL would end eSpeak's C string

/**
 * The text as eSpeak gets it, and where each of its code points came from. eSpeak here reads
 * SSML, so & < > are escaped (else "a<b then c>d" loses "b then c"), and it reads [[…]] as
 * phonemes, so "[[" is split. Its positions count code points, ours UTF-16 units.
 */
function prepare(text) {
  let input = '';
  const origin = [];
  let at = 0;
  let previous = '';
  for (const ch of text) {
    const out = ESCAPES[ch] ?? (ch === '[' && previous === '[' ? ' [' : ch);
    for (const _ of out) origin.push(at);
    input += out;
    at += ch.length;
    previous = ch;
  }
  origin.push(at);
  return { input, origin };
}

/**
 * Turns eSpeak's word events into marks on the original text, in order and without overlap:
 * eSpeak reports some words twice or inside the previous one ("5.50", "2024"), and may
 * include a neighbouring space.
 */
function wordMapper(text, origin) {
  let lastEnd = 0;
  return (events) => {
    const marks = [];
    for (const e of events) {
      if (e.type !== 'word' || e.text_position < 1) continue;
      const from = Math.min(e.text_position - 1, origin.length - 1);
      let start = origin[from];
      let end = origin[Math.min(from + Math.max(1, e.word_length), origin.length - 1)];
      while (start < end && /\s/.test(text[start])) start++;
      while (end > start && /\s/.test(text[end - 1])) end--;
      if (start >= end || start < lastEnd) continue;
      lastEnd = end;
      marks.push({ start, end, audioMs: e.audio_position });
    }
    return marks;
  };
}
