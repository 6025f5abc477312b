import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiProvider } from './providers/openai';
import { segmentText } from './segment';
import { prepareText } from './text';

/**
 * Runs the request path's cold code once while nothing is asked, so the first utterance of a
 * session leaves as fast as the tenth: the sentence segmenter loads its ICU data (7 ms here),
 * and Node's fetch, its HTTP parser (WASM) and the openai SDK run for the first time (the
 * first request of a session reached the server 25 ms after it was asked for, later ones
 * 8 ms). The request goes to a server of its own on loopback, never to the provider.
 * Resolves to the bytes the warm-up request read.
 */
export async function warmRequestPath(): Promise<number> {
  for (const segment of segmentText(prepareText('Warm up, once. Then speak.'), { maxChars: 4096 })) void segment;
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'audio/pcm' }).end(new Uint8Array(480)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const provider = new OpenAiProvider({ baseUrls: [baseUrl], model: 'tts-1', voice: 'alloy', format: 'pcm', speed: 1 });
  try {
    const audio = await provider.open({ text: 'Warm up.', endpointIndex: 0, signal: new AbortController().signal });
    let bytes = 0;
    for await (const chunk of audio.body) bytes += chunk.length;
    return bytes;
  } finally {
    await provider.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
