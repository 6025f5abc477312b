import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest } from '../../shared/contract';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { LinkEvent } from '../../shared/playback/link-protocol';
import { speakOverLink, type EngineLink } from './link';
import type { SpeechProvider } from './provider';
import { LocalVoiceProvider } from './providers/local';
import { OpenAiProvider } from './providers/openai';

/** Two sentences: two segments, so the second segment's path (and the prefetch) runs too. */
const REHEARSAL = 'Warm up, once. Then speak.';
/** 1 KB chunks a segment, one per turn of the loop, as a stream arrives. */
export const REHEARSAL_CHUNKS = 48;

/**
 * Runs the speech path's cold code once while nothing is asked, so the first utterance of a
 * process leaves as fast as the tenth. Cold, the first click of a fresh `utter web` reached
 * the server 77 ms later, the next ones 29-33 ms (V8 runs new code slowly until it has
 * compiled it). So it speaks a short text through the whole engine: the page's request is
 * checked as the contract checks it, the text is prepared and segmented (the segmenter
 * loads its ICU data, 7 ms), Node's fetch, its HTTP parser (WASM) and the openai SDK send
 * each segment, and the bytes go out over a link that gives credit as a page does. Each
 * body streams in many chunks: V8 compiles a WASM function again, optimized, once it has
 * run long enough, and for the HTTP parser that took ~110 ms of a core during the first
 * utterance while the rehearsal's bodies were one small chunk each. The requests go to a
 * server of its own on loopback, never to the provider, and nothing is learned from them.
 * Resolves to the audio bytes the link carried.
 */
export async function warmRequestPath(): Promise<number> {
  const checked = checkRequest('speak', { texts: [REHEARSAL] });
  if (!checked.ok) throw new Error(checked.error);
  const server = createServer((_request, response) => streamChunks(response.writeHead(200, { 'content-type': 'audio/pcm' }), REHEARSAL_CHUNKS));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const settings = { ...DEFAULT_SETTINGS, provider: 'openai' as const, baseUrls: [baseUrl], format: 'pcm' as const };
  const provider = new OpenAiProvider(settings);
  try {
    return await rehearse(provider, settings);
  } finally {
    await provider.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Keeps the embedded voice's worker started while it is the chosen provider, and once it has
 * started, rehearses the voice through the engine. With the worker alone warm, the first
 * utterance of a fresh `utter web` (5 starts) took 3-16 ms from the engine's start to its
 * request, and 4-13 ms from the voice's first audio to the page; later ones about 1 ms each.
 * With the rehearsal, the first took 2-4 and 1-7 ms. In Node, the first sentence a started
 * voice synthesized took 68-69 ms whole, and 7-9 ms after the rehearsal. Idle, the worker
 * costs no CPU and does not keep a quitting process alive.
 */
export class WarmEmbeddedVoice {
  private voice: LocalVoiceProvider | null = null;

  /** Starts or lets go of the worker as the provider setting says. */
  follow(provider: string): void {
    if (provider === 'local' && !this.voice) {
      this.voice = new LocalVoiceProvider();
      // A voice that cannot start says so at its first request, with its own message.
      warmVoicePath(this.voice).catch(() => {});
    } else if (provider !== 'local' && this.voice) {
      void this.close();
    }
  }

  async close(): Promise<void> {
    const voice = this.voice;
    this.voice = null;
    await voice?.close();
  }
}

/** Starts the embedded voice and speaks the rehearsal through it and the engine. Resolves to the audio bytes the link carried. */
export async function warmVoicePath(voice: LocalVoiceProvider): Promise<number> {
  await voice.warm();
  return rehearse(voice, { ...DEFAULT_SETTINGS, provider: 'local', format: 'pcm' });
}

/** Speaks the rehearsal through `provider` and the engine, over a link that credits all it gets; nothing is learned. */
async function rehearse(provider: SpeechProvider, settings: Settings): Promise<number> {
  const link = creditingLink();
  await speakOverLink({ text: REHEARSAL }, link, { settings, provider, retryPolicy: { maxRetries: 0 } });
  if (link.error) throw new Error(link.error);
  return link.bytes;
}

/** Writes `count` chunks of 1 KB, each once the last has gone, then ends. */
function streamChunks(response: ServerResponse, count: number): void {
  if (count <= 1) return void response.end(new Uint8Array(1024));
  response.write(new Uint8Array(1024), () => setImmediate(() => streamChunks(response, count - 1)));
}

/** A consumer that takes every chunk at once, as a page with room does, and notes what came. */
function creditingLink(): EngineLink & { bytes: number; error: string | null } {
  let handler: (message: unknown) => void = () => {};
  const link = {
    bytes: 0,
    error: null as string | null,
    send: (event: LinkEvent) => {
      if (event.type === 'error') link.error = event.error.message;
      if (event.type !== 'chunk') return;
      link.bytes += event.bytes.length;
      handler({ type: 'credit', consumedBytes: link.bytes, bufferedMs: 0 });
    },
    onMessage: (next: (message: unknown) => void) => void (handler = next),
    onClose: () => {},
    close: () => {},
  };
  return link;
}
