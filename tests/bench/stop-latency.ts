// How fast a stop takes effect (spec: everything aborted within 50 ms), measured here
// rather than in unit tests, which a loaded two-core machine would make flaky. The
// baseline is the same server's response read with a bare fetch and aborted: what the
// platform itself needs to cancel a stream, in the same run.
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { Utterance } from '../../electron/engine/utterance';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';
import type { SpeechProvider } from '../../electron/engine/provider';
import { fixtureAudio, speechRequest, startTtsServer } from '../support/tts-server';
import { median, table } from './report';

const RUNS = 9;
const LONG_TEXT = Array.from({ length: 30 }, (_, i) => `This is sentence number ${i} of a long text that is stopped early.`).join(' ');

/** Bare fetch: read the first bytes, abort, time until the next read rejects. */
async function bareFetchAbortMs(url: string, format: AudioFormat): Promise<number> {
  const controller = new AbortController();
  const response = await speechRequest(url, { model: 'tts-1', voice: 'alloy', input: 'Baseline.', response_format: format }, { signal: controller.signal });
  const reader = response.body!.getReader();
  await reader.read();
  const started = performance.now();
  controller.abort();
  await reader.read().catch(() => {});
  return performance.now() - started;
}

/** The engine: stop once the first chunk is out, time until the utterance has ended. */
async function engineStopMs(provider: SpeechProvider, settings: typeof DEFAULT_SETTINGS): Promise<number> {
  let firstChunk!: () => void;
  const chunked = new Promise<void>((resolve) => (firstChunk = resolve));
  const utterance = new Utterance(LONG_TEXT, { provider, settings, flowControl: false }, (event) => {
    if (event.type === 'chunk') firstChunk();
  });
  await Promise.race([
    chunked,
    utterance.done.then(() => {
      throw new Error('the utterance ended before its first chunk');
    }),
  ]);
  const started = performance.now();
  utterance.stop();
  await utterance.done;
  return performance.now() - started;
}

export async function benchStopLatency(): Promise<string> {
  const server = await startTtsServer({ ttfbMs: 50, realtimeFactor: 1 });
  server.set({ audio: (format) => fixtureAudio(format, 'long') });
  const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: [server.url], format: 'mp3' as const };
  const http = new OpenAiProvider({ ...settings, voice: 'alloy' });
  const local = new LocalVoiceProvider();
  await local.warm();
  const baseline: number[] = [];
  const overHttp: number[] = [];
  const embedded: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    baseline.push(await bareFetchAbortMs(server.url, 'mp3'));
    overHttp.push(await engineStopMs(http, settings));
    embedded.push(await engineStopMs(local, DEFAULT_SETTINGS));
  }
  await local.close();
  await server.close();
  const base = median(baseline);
  const row = (name: string, values: number[]): string[] => [name, median(values).toFixed(2), Math.max(...values).toFixed(2), `${(median(values) / base).toFixed(1)}×`];
  const rows = [row('bare fetch aborted (baseline)', baseline), row('engine over HTTP (mp3)', overHttp), row('engine, embedded voice', embedded)];
  return `Stop, from the call to the utterance's end (median and worst of ${RUNS}; target ≤ 50 ms):\n\n${table(['what', 'median ms', 'max ms', 'vs bare fetch'], rows)}`;
}
