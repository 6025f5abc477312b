// `npm run bench`: numbers, not pass/fail. For each format, against the
// local test server producing audio at a fixed multiple of real time: decode speed,
// time to first decoded audio through the engine, and the time the whole body took to
// arrive — the best case of the buffered approach, measured in the same run.
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioFormat } from '../../shared/audio-format';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { createDecoder } from '../../shared/decoders';
import { speakToFile } from '../../electron/cli/speak-to-file';
import type { EngineEvent } from '../../shared/speech-events';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { fixtureAudio, startTtsServer } from '../support/tts-server';
import { benchAdaptiveBuffer } from './adaptive-buffer';
import { benchBrowserPlayers } from './browser-players';
import { benchCacheReplay } from './cache-replay';
import { benchEmbeddedVoice } from './embedded-voice';
import { benchFirstUtteranceAlone } from './first-utterance';
import { table } from './report';
import { benchLongText } from './long-text';
import { benchStopLatency } from './stop-latency';

const FORMATS: AudioFormat[] = ['pcm', 'wav', 'mp3', 'opus', 'flac'];
const REALTIME = 4;
const TTFB_MS = 300;
const dir = mkdtempSync(join(tmpdir(), 'utter-bench-'));

/** Decodes a whole file in 4 KB chunks; best of three, as × real time. */
async function decodeSpeed(format: AudioFormat): Promise<number> {
  const { bytes, seconds } = fixtureAudio(format, 'long');
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const decoder = createDecoder(format, { pcmSampleRate: 24000 });
    await decoder.ready;
    const started = performance.now();
    for (let pos = 0; pos < bytes.length; pos += 4096) await decoder.push(bytes.subarray(pos, pos + 4096));
    await decoder.flush();
    best = Math.min(best, performance.now() - started);
    decoder.free();
  }
  return seconds / (best / 1000);
}

async function main(): Promise<void> {
  const server = await startTtsServer({ ttfbMs: TTFB_MS, realtimeFactor: REALTIME });
  server.set({ audio: (format) => fixtureAudio(format, 'long') });
  const rows: string[][] = [];
  for (const format of FORMATS) {
    const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: [server.url], format };
    const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
    let bodyMs = 0;
    const report = await speakToFile('Benchmark.', {
      settings,
      provider,
      out: join(dir, `${format}.wav`),
      onEvent: (e: EngineEvent) => {
        if (e.type === 'segment-end') bodyMs = e.metrics.downloadMs;
      },
    });
    const speed = await decodeSpeed(format);
    rows.push([
      format,
      `${speed.toFixed(0)}×`,
      `${report.ttfbMs}`,
      `${report.firstAudioMs}`,
      `${report.firstAudioMs - report.ttfbMs}`,
      `${bodyMs}`,
      `${(bodyMs / report.firstAudioMs).toFixed(1)}×`,
    ]);
  }
  await server.close();

  const local = new LocalVoiceProvider();
  const voice = await speakToFile('The embedded voice speaks offline. It needs no key and no network at all.', {
    settings: DEFAULT_SETTINGS,
    provider: local,
    out: join(dir, 'local.wav'),
  });
  const warm = await speakToFile('The embedded voice speaks offline. It needs no key and no network at all.', {
    settings: DEFAULT_SETTINGS,
    provider: local,
    out: join(dir, 'local2.wav'),
  });
  await local.close();

  const header = ['format', 'decode speed', 'server first byte ms', 'first decoded audio ms', 'overhead ms', 'whole body ms (buffered best case)', 'streaming sooner by'];
  console.log(`\nUtter benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  console.log(`Test server: ${fixtureAudio('pcm', 'long').seconds.toFixed(1)} s of speech per request, produced at ${REALTIME}× real time, ${TTFB_MS} ms to first byte.\n`);
  console.log(table(header, rows));
  console.log(`\nEmbedded voice (eSpeak NG, worker thread): first audio ${voice.firstAudioMs} ms cold (worker start included), ${warm.firstAudioMs} ms warm; ${voice.audioSeconds.toFixed(1)} s of speech synthesized in ${voice.totalMs} ms.`);
  console.log('\n' + (await benchStopLatency()));
  console.log('\n' + (await benchLongText()));
}

// `npm run bench -- --browser` runs only the browser players, `-- --first` only their first
// utterance after a start, `-- --adaptive` only the learned pre-roll, `-- --voice` only the
// embedded voice as heard, `-- --cache` only the replay from the cache.
const only = process.argv.find((arg) => ['--browser', '--first', '--adaptive', '--voice', '--cache'].includes(arg));
if (!only) await main();
if (!only || only === '--browser') console.log('\n' + (await benchBrowserPlayers()));
if (only === '--first') console.log('\n' + (await benchFirstUtteranceAlone()));
if (!only || only === '--adaptive') console.log('\n' + (await benchAdaptiveBuffer()));
if (!only || only === '--voice') console.log('\n' + (await benchEmbeddedVoice()));
if (!only || only === '--cache') console.log('\n' + (await benchCacheReplay()));
