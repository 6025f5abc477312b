// Run with `node --expose-gc --import tsx`: a body opened ahead and left unread must still
// be readable after garbage collection (undici cancels the body of a collected Response).
import { OpenAiProvider } from '../../../electron/engine/providers/openai';
import { fixtureAudio, startTtsServer } from '../../support/tts-server';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const server = await startTtsServer({ audio: { flac: fixtureAudio('flac', 'long') } });
const provider = new OpenAiProvider({ baseUrls: [server.url], apiKey: 'x', model: 'tts-1', voice: 'alloy', format: 'flac', speed: 1, instructions: '' });
let audio = await provider.open({ text: 'Opened ahead.', endpointIndex: 0, signal: new AbortController().signal });
// Only what the engine keeps of a prefetched segment stays reachable.
const kept = { audio };
audio = undefined as never;
for (let i = 0; i < 5; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 50));
}
const first = await kept.audio.body.getReader().read();
console.log(JSON.stringify({ done: first.done, bytes: first.value?.length ?? 0 }));
await server.close();
process.exit(0);
