// `npx tsx tests/bench/flac.ts`: the FLAC decoder's two figures. When its first audio comes
// out of a stream without padding written in 4 KB pieces at 4× real time (against a
// decoder that waits for each frame's end: all of the first frame and the next header),
// and its speed on the 37 s text against libFLAC in WASM, both fed 4 KB at a time.
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { createDecoder } from '../../shared/decoders';
import { frameTable } from '../decoders/flac-helpers';
import { readFixture } from '../support/wav-file';

const WRITE = 4096;
const REALTIME = 4;

async function firstAudio(file: string): Promise<string> {
  const bytes = readFixture(file);
  const frames = frameTable(bytes);
  const bytesPerSecond = (bytes.length / (frames.total / 24000)) * REALTIME;
  const msPerWrite = (WRITE / bytesPerSecond) * 1000;
  const decoder = createDecoder('flac');
  let pushed = 0;
  let samples = 0;
  let decodeMs = 0;
  for (let at = 0; at < bytes.length && !samples; at += WRITE) {
    const started = performance.now();
    samples = (await decoder.push(bytes.subarray(at, at + WRITE))).samplesDecoded;
    decodeMs = performance.now() - started;
    pushed += Math.min(WRITE, bytes.length - at);
  }
  decoder.free();
  // A decoder that waits for a frame's end: the first frame and the next frame's header.
  const wholeFrame = Math.ceil((frames.starts[1] + 16) / WRITE) * WRITE;
  const at = (written: number): string => `${((written / WRITE - 1) * msPerWrite).toFixed(0)} ms`;
  return [
    `${file}: header ${frames.starts[0]} B, first frame ${frames.starts[1] - frames.starts[0]} B (${frames.firstSamples[1]} samples)`,
    `  first audio after ${pushed} B (${samples} samples, ${((samples / 24000) * 1000).toFixed(0)} ms of audio), decoded in ${decodeMs.toFixed(2)} ms;`,
    `  writes arrive every ${msPerWrite.toFixed(0)} ms: first audio ${at(pushed)} after the first byte's write (waiting for the frame's end: ${wholeFrame} B, ${at(wholeFrame)})`,
  ].join('\n');
}

async function speed(): Promise<string> {
  const bytes = readFixture('long.flac');
  const samples = frameTable(bytes).total;
  const best = async (run: () => Promise<void>): Promise<number> => {
    let fastest = Infinity;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await run();
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  };
  const ours = await best(async () => {
    const decoder = createDecoder('flac');
    for (let at = 0; at < bytes.length; at += WRITE) await decoder.push(bytes.subarray(at, at + WRITE));
    await decoder.flush();
  });
  const wasm = await best(async () => {
    const decoder = new FLACDecoder();
    await decoder.ready;
    for (let at = 0; at < bytes.length; at += WRITE) await decoder.decode(bytes.subarray(at, at + WRITE));
    await decoder.flush();
    decoder.free();
  });
  const line = (name: string, ms: number): string =>
    `  ${name}: ${ms.toFixed(1)} ms, ${(samples / ms / 1000).toFixed(1)} M samples/s, ${(samples / 24000 / (ms / 1000)).toFixed(0)}× real time`;
  return [`long.flac (${(samples / 24000).toFixed(1)} s, 24 kHz mono) in 4 KB pushes, best of 5:`, line('TypeScript', ours), line('libFLAC (WASM)', wasm)].join('\n');
}

console.log(await firstAudio('flac/nopad.flac'));
console.log(await firstAudio('speech.flac'));
console.log(await speed());
